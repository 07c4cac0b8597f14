import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DriftRecordFile } from "../../src/provision/drift";
import { RecordsStore, type DeploymentEvent } from "../../src/platform/records-store";

export function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A fresh directory outside the toolkit's own git tree, removed after the test. */
export function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-ops-test-")));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A bare "remote" and `n` clones of it, each with a first commit on main. */
export function remoteWithClones(root: string, n: number): { remote: string; clones: string[] } {
  const remote = path.join(root, "remote.git");
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
  const seed = path.join(root, "seed");
  execFileSync("git", ["init", "-q", "-b", "main", seed]);
  git(seed, "config", "user.name", "Test");
  git(seed, "config", "user.email", "test@example.com");
  fs.writeFileSync(path.join(seed, "README.md"), "provisioning\n");
  git(seed, "add", "-A");
  git(seed, "commit", "-q", "-m", "init");
  git(seed, "remote", "add", "origin", remote);
  git(seed, "push", "-q", "origin", "main");
  const clones: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = path.join(root, `clone${i}`);
    execFileSync("git", ["clone", "-q", remote, c]);
    clones.push(c);
  }
  return { remote, clones };
}

/** A deployment event with defaults. */
export function event(resource: string, status: DeploymentEvent["status"], extra: Partial<DeploymentEvent> = {}): DeploymentEvent {
  const kind: DeploymentEvent["kind"] = !resource.includes("/") ? "environment" : resource.endsWith("/pipeline") ? "pipeline" : resource.includes("/components/") ? "component" : "service-instance";
  return {
    v: 1,
    resource,
    kind,
    arn: `arn:aws:proton:us-east-1:123456789012:${kind}/${resource}`,
    deploymentId: "0b6f1d2e-1111-5222-8333-444455556666",
    status,
    at: "2026-11-30T10:00:00.000Z",
    ...extra,
  };
}

/** Writes a file, creating its directory. */
export function put(root: string, file: string, content: string): void {
  const p = path.join(root, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

/** A catalog git repository whose lock-file history publishes the given versions, one commit per entry. */
export function catalogRepo(dir: string, history: ReadonlyArray<Record<string, Record<string, number>>>): string {
  execFileSync("git", ["init", "-q", "-b", "main", dir]);
  git(dir, "config", "user.name", "Test");
  git(dir, "config", "user.email", "test@example.com");
  for (const entry of history) {
    const templates: Record<string, Record<string, { minor: number; digest: string }>> = {};
    for (const [template, majors] of Object.entries(entry)) {
      templates[template] = Object.fromEntries(Object.entries(majors).map(([major, minor]) => [major, { minor, digest: `sha256:${template}-${major}-${minor}` }]));
    }
    put(dir, "proton-bundles/protonkit.lock.json", `${JSON.stringify({ templates }, null, 2)}\n`);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "publish");
  }
  return dir;
}

/** A platform repository: configuration naming `catalog`, and desired-state files. */
export function platformRepo(dir: string, catalog: string, files: Readonly<Record<string, string>>): string {
  execFileSync("git", ["init", "-q", "-b", "main", dir]);
  git(dir, "config", "user.name", "Test");
  git(dir, "config", "user.email", "test@example.com");
  put(
    dir,
    ".protonkit/platform.yaml",
    `version: 1
account_id: "123456789012"
region: us-east-1
catalog:
  repository: ${catalog}
environments:
  "*":
    plan_role_arn: arn:aws:iam::123456789012:role/plan
    apply_role_arn: arn:aws:iam::123456789012:role/apply
    region: us-east-1
    state_bucket: acme-state
`,
  );
  for (const [f, content] of Object.entries(files)) put(dir, f, content);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "platform");
  return dir;
}

/** Runs the CLI in this process, capturing stdout and stderr. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import("../../src/cli/main");
  let out = "";
  let err = "";
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  const exitCode = process.exitCode;
  try {
    return { code: await main(["node", "protonkit", ...args]), out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = exitCode;
  }
}

/** Desired state of a small platform: two environments, two services (one with a pipeline and a component), imports. */
export const PLATFORM_FILES: Readonly<Record<string, string>> = {
  "platform/environments/prod.yaml": `template: pizza-env
version: "1"
tier: production
spec:
  proton: EnvironmentSpec
  spec:
    vpc_cidr: 10.0.0.0/16
`,
  "platform/environments/test.yaml": `template: pizza-env
version: "1.0"
tier: test
spec:
  proton: EnvironmentSpec
  spec:
    vpc_cidr: 10.1.0.0/16
`,
  "platform/services/orders.yaml": `template: pizza-svc
version: "1"
owner: orders
repository: { id: acme/orders, branch: main }
components:
  alarms: { instance: web, template: pizza-alarm, version: "1" }
spec:
  proton: ServiceSpec
  pipeline:
    dockerfile: Dockerfile
  instances:
    - name: web
      environment: prod
      spec:
        image: orders:1
        imports: [billing/api=BILLING]
    - name: web-test
      environment: test
      spec:
        image: orders:1
`,
  "platform/services/billing.yaml": `template: pizza-svc
version: "1"
owner: billing
repository: { id: acme/billing, branch: main }
spec:
  proton: ServiceSpec
  instances:
    - name: api
      environment: prod
      spec:
        image: billing:7
`,
};

export const NOW = "2026-11-30T12:00:00Z";
const ago = (seconds: number): string => new Date(Date.parse(NOW) - seconds * 1000).toISOString();

/** Records: successes, a failure, one in progress, one outdated, one never deployed, one removed from the desired state. */
export const RECORDS: DeploymentEvent[] = [
  event("prod", "IN_PROGRESS", { deploymentId: "e1", templateVersion: "pizza-env:1.1", commit: "a".repeat(40), at: ago(7300) }),
  event("prod", "SUCCEEDED", { deploymentId: "e1", templateVersion: "pizza-env:1.1", commit: "a".repeat(40), at: ago(7200), outputs: { vpc_id: "vpc-1" } }),
  event("test", "SUCCEEDED", { deploymentId: "e2", templateVersion: "pizza-env:1.0", at: ago(3 * 86400) }),
  event("prod/orders-web", "FAILED", { deploymentId: "i1", templateVersion: "pizza-svc:1.1", at: ago(600), error: "Error: creating ECS Service (orders-web)\nAccessDeniedException: not authorized to perform ecs:CreateService" }),
  event("prod/billing-api", "IN_PROGRESS", { deploymentId: "i2", templateVersion: "pizza-svc:1.1", at: ago(45) }),
  event("orders/pipeline", "SUCCEEDED", { deploymentId: "p1", templateVersion: "pizza-svc:1.0", at: ago(86400) }),
  event("test/orders-web-test", "SUCCEEDED", { deploymentId: "i3", templateVersion: "pizza-svc:1.1", at: ago(5 * 3600) }),
  event("prod/legacy-api", "SUCCEEDED", { deploymentId: "i4", templateVersion: "pizza-svc:1.0", at: ago(40 * 86400) }),
];

/** Drift checks: prod drifted after its last apply; the pipeline drifted before its last apply (maybe repaired); an in-sync instance; a failed check. */
export const DRIFT: DriftRecordFile = {
  v: 1,
  resources: {
    "orders/pipeline": { status: "drifted", checkedAt: ago(2 * 86400), since: ago(3 * 86400), issue: 13 },
    prod: { status: "drifted", checkedAt: ago(3600), since: ago(3 * 3600), issue: 12 },
    "prod/billing-api": { status: "error", checkedAt: ago(600) },
    "test/orders-web-test": { status: "in-sync", checkedAt: ago(1800) },
  },
};

export const IMAGE_DIGEST = `123456789012.dkr.ecr.us-east-1.amazonaws.com/orders@sha256:${"0123456789abcdef".repeat(4)}`;

/** What the delivery pipelines recorded: an image in prod, a zip in test. */
export const ARTIFACTS: Readonly<Record<string, string>> = {
  "platform/artifacts/orders/web.yaml": `service: orders\ninstance: web\nenvironment: prod\nartifact: ${IMAGE_DIGEST}\ncode_sha256: ""\nsource: https://github.com/acme/orders/commit/${"c".repeat(40)}\n`,
  "platform/artifacts/orders/web-test.yaml": `service: orders\ninstance: web-test\nenvironment: test\nartifact: s3://acme-artifacts/orders/cccc/function.zip\ncode_sha256: "q0Vx="\nsource: https://github.com/acme/orders/commit/${"c".repeat(40)}\n`,
};

/** A platform repository with the small platform, a catalog with history, records, drift and artifacts. */
export async function statusFixture(t: { teardown(fn: () => void): void }): Promise<string> {
  const root = tmp(t);
  catalogRepo(path.join(root, "catalog"), [
    { "pizza-env": { "1": 0 }, "pizza-svc": { "1": 0 }, "pizza-alarm": { "1": 0 } },
    { "pizza-env": { "1": 1 }, "pizza-svc": { "1": 0 }, "pizza-alarm": { "1": 0 } },
    { "pizza-env": { "1": 1, "2": 0 }, "pizza-svc": { "1": 1 }, "pizza-alarm": { "1": 0 } },
  ]);
  const repo = platformRepo(path.join(root, "platform"), "../catalog", { ...PLATFORM_FILES, ...ARTIFACTS });
  const store = new RecordsStore({ repo });
  await store.append(RECORDS);
  await store.recordDrift(() => DRIFT);
  process.env.PROTONKIT_CACHE_DIR = path.join(root, "cache");
  return repo;
}

