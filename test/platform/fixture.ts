// A tiny catalog in a real git repository (terraform_data only) and platform repositories
// that use it, for the platform render tests.
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../src/cli/main";
import { RecordsStore } from "../../src/platform/records-store";

export function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export function tmpDir(t: { teardown(fn: () => void): void }, prefix = "protonkit-platform-"): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

export function initRepo(dir: string): void {
  execFileSync("git", ["init", "-q", "-b", "main", dir]);
  git(dir, "config", "user.name", "Test");
  git(dir, "config", "user.email", "test@example.com");
  git(dir, "config", "commit.gpgsign", "false");
}

export function commitAll(dir: string, message: string): string {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

const MANIFEST = `infrastructure:
  templates:
    - file: "*"
      rendering_engine: hcl
      template_language: terraform
`;

/** The env template: one input, outputs vpc_id (and more in later versions). */
export function envBundle(extraOutput = ""): Record<string, string> {
  return {
    "env/v1/schema/schema.yaml": `schema:
  format:
    openapi: "3.0.0"
  environment_input_type: EnvInput
  types:
    EnvInput:
      type: object
      properties:
        cidr:
          type: string
          default: 10.0.0.0/16
          pattern: "^[0-9./]+$"
`,
    "env/v1/infrastructure/manifest.yaml": MANIFEST,
    "env/v1/infrastructure/main.tf": `resource "terraform_data" "vpc" {
  input = var.environment.inputs.cidr
}

output "vpc_id" {
  value = "vpc-\${terraform_data.vpc.id}"
}
${extraOutput}`,
  };
}

/** The web service template, major 1 (or 2: ports from 1024, sizes medium and large). */
export function webBundle(body = "", major = 1): Record<string, string> {
  const v = `web/v${major}`;
  const props =
    major === 1
      ? `        port:
          type: integer
          default: 80
          minimum: 1
          maximum: 65535
        size:
          type: string
          enum: [small, large]
          default: small
`
      : `        port:
          type: integer
          default: 8080
          minimum: 1024
          maximum: 65535
        size:
          type: string
          enum: [medium, large]
          default: medium
`;
  return {
    [`${v}/schema/schema.yaml`]: `schema:
  format:
    openapi: "3.0.0"
  service_input_type: WebInput
  pipeline_input_type: PipeInput
  types:
    WebInput:
      type: object
      properties:
${props}    PipeInput:
      type: object
      properties:
        image:
          type: string
          default: app
`,
    [`${v}/.template-registration.yaml`]: "compatible_environments:\n  - env:1\n",
    [`${v}/instance_infrastructure/manifest.yaml`]: MANIFEST,
    [`${v}/instance_infrastructure/main.tf`]: `resource "terraform_data" "web" {
  input = "\${var.environment.outputs.vpc_id}:\${var.service_instance.inputs.port}"
}

output "url" {
  value = "http://\${var.service_instance.name}:\${var.service_instance.inputs.port}"
}
${body}`,
    [`${v}/pipeline_infrastructure/manifest.yaml`]: MANIFEST,
    [`${v}/pipeline_infrastructure/main.tf`]: `resource "terraform_data" "pipeline" {
  input = [for i in var.service_instances : i.outputs]
}
`,
  };
}

/** A service template compatible with another environment template ("other:1") only. */
export function otherBundle(): Record<string, string> {
  const files = webBundle();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) out[k.replace(/^web\//, "lonely/")] = k.endsWith(".template-registration.yaml") ? "compatible_environments:\n  - other:1\n" : v;
  return out;
}

/** A service template whose instances read an environment output the env template never has. */
export function readerBundle(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(webBundle())) {
    out[k.replace(/^web\//, "reader/")] = k.endsWith("instance_infrastructure/main.tf") ? v.replace("var.environment.outputs.vpc_id", 'var.environment.outputs["subnet_id"]') : v;
  }
  return out;
}

/** A component template (no schema). */
export function componentBundle(): Record<string, string> {
  return {
    "cache/v1/infrastructure/manifest.yaml": MANIFEST,
    "cache/v1/infrastructure/main.tf": `resource "terraform_data" "cache" {
  input = var.environment.outputs.vpc_id
}

output "endpoint" {
  value = "cache.\${var.service_instance.name}"
}
`,
  };
}

function digestOf(files: Record<string, string>, prefix: string): string {
  const h = crypto.createHash("sha256");
  for (const k of Object.keys(files).filter((f) => f.startsWith(prefix)).sort()) h.update(`${k}\0${files[k]}\0`);
  return `sha256:${h.digest("hex")}`;
}

/** Catalog state: the bundle files and each template major's minor. */
export interface CatalogState {
  files: Record<string, string>;
  minors: Record<string, number>;
}

export function initialCatalog(): CatalogState {
  return {
    files: { ...envBundle(), ...webBundle(), ...otherBundle(), ...readerBundle(), ...componentBundle() },
    minors: { "env/1": 0, "web/1": 0, "lonely/1": 0, "reader/1": 0, "cache/1": 0 },
  };
}

/** Writes `proton-bundles/` with its lock and commits it on main of the catalog repository. */
export function publish(catalog: string, state: CatalogState, message: string): string {
  fs.rmSync(path.join(catalog, "proton-bundles"), { recursive: true, force: true });
  const templates: Record<string, Record<string, { minor: number; digest: string }>> = {};
  for (const [key, minor] of Object.entries(state.minors)) {
    const [template, major] = key.split("/");
    (templates[template] ??= {})[major] = { minor, digest: digestOf(state.files, `${template}/v${major}/`) };
  }
  writeFiles(path.join(catalog, "proton-bundles"), { ...state.files, "protonkit.lock.json": `${JSON.stringify({ lockVersion: 1, templates }, null, 2)}\n` });
  return commitAll(catalog, message);
}

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

/** `.protonkit/platform.yaml` for a catalog at `catalog`. */
export function platformConfig(catalog: string, extra = ""): string {
  return `version: 1
account_id: "${ACCOUNT}"
region: ${REGION}
catalog:
  repository: ${catalog}
  ref: main
${extra}environments:
  "*":
    plan_role_arn: arn:aws:iam::${ACCOUNT}:role/plan
    apply_role_arn: arn:aws:iam::${ACCOUNT}:role/apply
    region: ${REGION}
    state_bucket: acme-state
`;
}

export const ENV_FILE = `template: env
version: "1"
owner: platform
spec:
  proton: EnvironmentSpec
  spec:
    cidr: 10.1.0.0/16
`;

export const SERVICE_FILE = `# the orders service
template: web
version: "1"
owner: orders
repository: { id: acme/orders, branch: main }
spec:
  proton: ServiceSpec
  pipeline:
    image: orders
  instances:
    - name: orders-a
      environment: prod
      spec:
        port: 8080
    - name: orders-b
      environment: prod
      spec:
        size: large
`;

/** Every file under `root` except .git and the cache, with contents. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === ".git" || (rel === ".protonkit" && e.name === "cache")) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else out[r] = fs.readFileSync(path.join(dir, e.name), "utf8");
    }
  };
  walk(root, "");
  return out;
}

/** Runs the CLI in-process with `cwd` as working directory. */
export async function cli(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const before = process.cwd();
  process.chdir(cwd);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(["node", "protonkit", ...args]);
    process.exitCode = undefined;
    return { code, out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.chdir(before);
  }
}

/**
 * One test case under `dir`: a catalog repository with `state` published as "catalog 1.0", and a
 * platform repository with prod (applied, vpc_id recorded), the orders service and `files`.
 */
export async function platformCase(
  dir: string,
  opts: { state?: CatalogState; files?: Record<string, string>; configExtra?: string } = {},
): Promise<{ catalog: string; repo: string; state: CatalogState }> {
  const catalog = path.join(dir, "catalog");
  const repo = path.join(dir, "platform");
  fs.mkdirSync(catalog, { recursive: true });
  fs.mkdirSync(repo, { recursive: true });
  initRepo(catalog);
  const state = opts.state ?? initialCatalog();
  publish(catalog, state, "catalog 1.0");
  initRepo(repo);
  writeFiles(repo, {
    ".protonkit/platform.yaml": platformConfig(catalog, opts.configExtra),
    "platform/environments/prod.yaml": ENV_FILE,
    "platform/services/orders.yaml": SERVICE_FILE,
    ...opts.files,
  });
  await new RecordsStore({ repo }).append([
    { v: 1, resource: "prod", kind: "environment", arn: "arn:prod", deploymentId: "d", status: "SUCCEEDED", at: "2026-11-30T10:00:00.000Z", outputs: { vpc_id: "vpc-1" } },
  ]);
  return { catalog, repo, state };
}
