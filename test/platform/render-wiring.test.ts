// What `platform render` wires in besides the spec: the artifact each instance's delivery
// pipeline recorded (so no provisioning apply rolls a deployment back), and each
// environment's team_access from the owners of the services running in it.
import t, { type Test } from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DeploymentEvent } from "../../src/platform/records-store";
import { RecordsStore } from "../../src/platform/records-store";
import type { CatalogState } from "./fixture";
import { cli, initialCatalog, initRepo, platformCase, platformConfig, tmpDir, ENV_FILE, SERVICE_FILE, snapshot, publish, writeFiles } from "./fixture";

const base = tmpDir(t, "protonkit-platform-wiring-");
process.env.PROTONKIT_CACHE_DIR = path.join(base, "cache");
let n = 0;

const TEAM_ACCESS = "^[a-z][a-z0-9-]{0,30};arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/[A-Za-z0-9+=,.@_/-]+);[0-9A-Za-z][0-9A-Za-z_-]*(,[0-9A-Za-z][0-9A-Za-z_-]*)*$";

/** The fixture catalog with an `image` instance input and a `team_access` environment input. */
function wiredCatalog(): CatalogState {
  const state = initialCatalog();
  const web = "web/v1/schema/schema.yaml";
  state.files[web] = state.files[web].replace("        size:\n", "        image:\n          type: string\n          default: nginx:1\n          maxLength: 120\n        size:\n");
  const env = "env/v1/schema/schema.yaml";
  state.files[env] = `${state.files[env]}        team_access:
          type: array
          default: []
          maxItems: 50
          items:
            type: string
            maxLength: 1000
            pattern: "${TEAM_ACCESS.replace(/\\/g, "\\\\")}"
`;
  return state;
}

function event(resource: string, outputs: Record<string, string>): DeploymentEvent {
  return { v: 1, resource, kind: "environment", arn: `arn:${resource}`, deploymentId: "d", status: "SUCCEEDED", at: "2026-11-30T10:00:00.000Z", outputs };
}

async function setup(files: Record<string, string> = {}, configExtra = ""): Promise<string> {
  return (await platformCase(path.join(base, `case-${n++}`), { state: wiredCatalog(), files, configExtra })).repo;
}

async function render(t: Test, repo: string): Promise<string> {
  const res = await cli(repo, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  return res.out;
}

const tfvars = (repo: string, dir: string): { service_instance?: { inputs: Record<string, unknown> }; environment?: { inputs: Record<string, unknown> }; service_instances?: Array<{ inputs: Record<string, unknown> }> } =>
  JSON.parse(fs.readFileSync(path.join(repo, dir, "proton.auto.tfvars.json"), "utf8"));

const DIGEST = (c: string): string => `ecr.example/orders@sha256:${c.repeat(64)}`;

function artifact(instance: string, value: string, environment = "prod"): Record<string, string> {
  return {
    [`platform/artifacts/orders/${instance}.yaml`]: `# Written by the delivery pipeline of orders; read by the platform's render.
service: orders
instance: ${instance}
environment: ${environment}
artifact: ${value}
code_sha256: ""
source: https://github.com/acme/orders/commit/abc
`,
  };
}

t.test("an instance renders the artifact its pipeline recorded; the pipeline and other instances keep the spec", async (t) => {
  const repo = await setup(artifact("orders-a", DIGEST("a")));
  await render(t, repo);
  t.equal(tfvars(repo, "prod/orders-orders-a").service_instance?.inputs.image, DIGEST("a"), "the recorded digest is the instance's image");
  t.equal(tfvars(repo, "prod/orders-orders-b").service_instance?.inputs.image, "nginx:1", "no record: the spec's image (its default here)");
  t.same(
    tfvars(repo, "orders/pipeline").service_instances?.map((i) => i.inputs.image),
    ["nginx:1", "nginx:1"],
    "the pipeline sees the spec, so a deployment does not re-apply the pipeline",
  );

  // The pipeline records a new digest: only that instance re-renders.
  const before = snapshot(repo);
  writeFiles(repo, artifact("orders-a", DIGEST("b")));
  const out = await render(t, repo);
  t.match(out, /wrote prod\/orders-orders-a\//);
  t.notMatch(out, /orders\/pipeline|orders-orders-b|wrote prod\/ /, "nothing else changes");
  t.equal(tfvars(repo, "prod/orders-orders-a").service_instance?.inputs.image, DIGEST("b"));
  const after = snapshot(repo);
  t.same(
    Object.keys(after).filter((f) => after[f] !== before[f]).sort(),
    ["platform/artifacts/orders/orders-a.yaml", "prod/orders-orders-a/.proton/deployment-metadata.json", "prod/orders-orders-a/proton.auto.tfvars.json"],
    "the record, then the instance's tfvars and its new deployment id",
  );

  // A rollback that removes the record: back to the spec's image.
  fs.rmSync(path.join(repo, "platform/artifacts/orders/orders-a.yaml"));
  await render(t, repo);
  t.equal(tfvars(repo, "prod/orders-orders-a").service_instance?.inputs.image, "nginx:1");
});

t.test("an explicit image in the spec is overridden by the record too", async (t) => {
  const repo = await setup({ ...artifact("orders-b", DIGEST("c")), "platform/services/orders.yaml": SERVICE_FILE.replace("size: large", "size: large\n        image: ecr.example/orders:1") });
  await render(t, repo);
  t.equal(tfvars(repo, "prod/orders-orders-b").service_instance?.inputs.image, DIGEST("c"));
  t.equal(tfvars(repo, "prod/orders-orders-b").service_instance?.inputs.size, "large", "other inputs stay");
});

t.test("records that do not apply are warnings; records that do not fit refuse the render", async (t) => {
  const repo = await setup({ ...artifact("orders-gone", DIGEST("d")), ...artifact("orders-b", DIGEST("e"), "staging") });
  const res = await cli(repo, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  t.match(res.err, /platform\/artifacts\/orders\/orders-gone\.yaml: service orders has no instance orders-gone; the record is not used/);
  t.match(res.err, /orders-b\.yaml: recorded for environment staging, but orders-b runs in prod/);
  t.equal(tfvars(repo, "prod/orders-orders-b").service_instance?.inputs.image, "nginx:1");

  const bad = await setup(artifact("orders-a", `ecr.example/${"x".repeat(40)}@sha256:${"f".repeat(64)}`));
  const before = snapshot(bad);
  const refused = await cli(bad, ["platform", "render"]);
  t.equal(refused.code, 1);
  t.match(refused.err, /platform\/artifacts\/orders\/orders-a\.yaml: artifact: sets image of instance orders-a \(web:1\.0\), but image: .*120/);
  t.match(refused.err, /delete the file to fall back to the service spec/);
  t.same(snapshot(bad), before, "nothing written");

  const garbled = await setup({ "platform/artifacts/orders/orders-a.yaml": "service: orders\ninstance: orders-a\nartifact: nginx:latest\n" });
  const r2 = await cli(garbled, ["platform", "render"]);
  t.equal(r2.code, 1);
  t.match(r2.err, /orders-a\.yaml:3: artifact: is not an artifact record of this instance/);
});

const BILLING = `template: web
version: "1"
owner: payments
repository: { id: acme/billing, branch: main }
spec:
  proton: ServiceSpec
  instances:
    - name: api
      environment: prod
      spec: {}
`;

const TEAMS = `entitlements:
  platform_team: platform
  teams:
    platform: { directory_group: platform, github_team: acme/platform, templates: ["*"], environments: ["*"] }
    payments: { directory_group: payments, github_team: acme/payments, templates: ["*"], environments: ["*"], access_principal: "arn:aws:iam::{account_id}:role/payments-developers" }
`;

t.test("team_access is filled from the owners of the services in the environment", async (t) => {
  const repo = await setup({ "platform/services/billing.yaml": BILLING }, TEAMS);
  await render(t, repo);
  t.same(
    tfvars(repo, "prod").environment?.inputs.team_access,
    [
      "orders;arn:aws:iam::123456789012:root;orders",
      "payments;arn:aws:iam::123456789012:role/payments-developers;billing",
    ],
    "one entry per owning team: its access_principal, else the environment account's root",
  );

  // A second service of the same team joins the team's entry; the environment re-renders.
  writeFiles(repo, { "platform/services/ledger.yaml": BILLING.replace("acme/billing", "acme/ledger").replace("name: api", "name: books") });
  const out = await render(t, repo);
  t.match(out, /wrote prod\/ \(environment prod/);
  t.same(tfvars(repo, "prod").environment?.inputs.team_access, ["orders;arn:aws:iam::123456789012:root;orders", "payments;arn:aws:iam::123456789012:role/payments-developers;billing,ledger"]);
});

t.test("team_access: the environment's own account; an explicit value wins; a bad owner is refused", async (t) => {
  const own = await setup({}, "");
  fs.writeFileSync(
    path.join(own, ".protonkit/platform.yaml"),
    fs.readFileSync(path.join(own, ".protonkit/platform.yaml"), "utf8") + `  prod:
    account_id: "210987654321"
    plan_role_arn: arn:aws:iam::210987654321:role/plan
    apply_role_arn: arn:aws:iam::210987654321:role/apply
    region: eu-west-1
    state_bucket: acme-state-prod
`,
  );
  await render(t, own);
  t.same(tfvars(own, "prod").environment?.inputs.team_access, ["orders;arn:aws:iam::210987654321:root;orders"]);

  const explicit = await setup({ "platform/environments/prod.yaml": ENV_FILE.replace("cidr: 10.1.0.0/16", "cidr: 10.1.0.0/16\n    team_access: []") });
  await render(t, explicit);
  t.same(tfvars(explicit, "prod").environment?.inputs.team_access, [], "written explicitly (adopt writes every input): kept");

  const bad = await setup({ "platform/services/orders.yaml": SERVICE_FILE.replace("owner: orders", "owner: Orders_Team") });
  const before = snapshot(bad);
  const res = await cli(bad, ["platform", "render"]);
  t.equal(res.code, 1);
  t.match(res.err, /platform\/environments\/prod\.yaml:\d+: spec\.spec: team_access, filled from the owners of the services in prod \(entry "Orders_Team;arn:aws:iam::123456789012:root;orders"\)/);
  t.match(res.err, /or set spec\.team_access in this file/);
  t.same(snapshot(bad), before, "nothing written");
});

t.test("an environment template without team_access is rendered as before", async (t) => {
  const dir = path.join(base, "plain");
  const catalog = path.join(dir, "catalog");
  const repo = path.join(dir, "platform");
  fs.mkdirSync(catalog, { recursive: true });
  fs.mkdirSync(repo, { recursive: true });
  initRepo(catalog);
  publish(catalog, initialCatalog(), "catalog 1.0");
  initRepo(repo);
  writeFiles(repo, { ".protonkit/platform.yaml": platformConfig(catalog), "platform/environments/prod.yaml": ENV_FILE, "platform/services/orders.yaml": SERVICE_FILE });
  await new RecordsStore({ repo }).append([event("prod", { vpc_id: "vpc-1" })]);
  await render(t, repo);
  t.same(tfvars(repo, "prod").environment?.inputs, { cidr: "10.1.0.0/16" });
});

t.test("a team's access_principal must be a role ARN or an account's root", async (t) => {
  const repo = await setup({}, TEAMS.replace("role/payments-developers", "user/bob"));
  const res = await cli(repo, ["platform", "render"]);
  t.equal(res.code, 1);
  t.match(res.err, /\.protonkit\/platform\.yaml:\d+: entitlements\.teams\.payments\.access_principal: must be an IAM role ARN or an account's root/);
});
