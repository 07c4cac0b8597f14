// Versions, upgrades, deletion and no-op renders of a platform, with real git repositories.
import t, { type Test } from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DeploymentEvent } from "../../src/platform/records-store";
import { RecordsStore } from "../../src/platform/records-store";
import type { CatalogState } from "./fixture";
import { cli, commitAll, platformCase, platformConfig, tmpDir, SERVICE_FILE, snapshot, publish, webBundle, writeFiles } from "./fixture";

const base = tmpDir(t, "protonkit-platform-lifecycle-");
process.env.PROTONKIT_CACHE_DIR = path.join(base, "cache");
let n = 0;

function event(resource: string, status: DeploymentEvent["status"], outputs?: Record<string, string>): DeploymentEvent {
  const kind: DeploymentEvent["kind"] = !resource.includes("/") ? "environment" : resource.endsWith("/pipeline") ? "pipeline" : resource.includes("/components/") ? "component" : "service-instance";
  return { v: 1, resource, kind, arn: `arn:${resource}`, deploymentId: "d", status, at: "2026-11-30T10:00:00.000Z", ...(outputs ? { outputs } : {}) };
}

/** A catalog at 1.0 and a platform repository with prod (applied) and the orders service. */
async function setup(files: Record<string, string> = {}): Promise<{ catalog: string; repo: string; state: CatalogState }> {
  return platformCase(path.join(base, `case-${n++}`), { files });
}

async function record(repo: string, events: DeploymentEvent[]): Promise<void> {
  await new RecordsStore({ repo }).append(events);
}

async function render(t: Test, repo: string, args: string[] = []): Promise<string> {
  const res = await cli(repo, ["platform", "render", ...args]);
  t.equal(res.err, "", "no error");
  t.equal(res.code, 0, "exit 0");
  return res.out;
}

const read = (repo: string, rel: string): string => fs.readFileSync(path.join(repo, rel), "utf8");

t.test("a new minor version: followed by the floating instance, not by the pinned one", async (t) => {
  const { catalog, repo, state } = await setup({
    "platform/services/orders.yaml": SERVICE_FILE.replace("spec:\n  proton", 'instances:\n  orders-b: { version: "1.0" }   # pinned\nspec:\n  proton'),
  });
  await render(t, repo);
  const pinnedBefore = snapshot(repo);
  state.files = { ...state.files, ...webBundle('\noutput "version" {\n  value = "1.1"\n}\n') };
  state.minors["web/1"] = 1;
  publish(catalog, state, "web 1.1");
  const out = await render(t, repo);
  t.match(out, /wrote prod\/orders-orders-a\/ \(service_instance orders-a, web:1\.1\)/);
  t.notMatch(out, /orders-orders-b/, "the pinned instance is untouched");
  t.match(read(repo, "prod/orders-orders-a/main.tf"), /Rendered by protonkit from web:1\.1 .*\n[\s\S]*value = "1\.1"/);
  t.equal(read(repo, "prod/orders-orders-b/main.tf"), pinnedBefore["prod/orders-orders-b/main.tf"], "1.0's files after 1.1 exists");
  t.match(read(repo, "prod/orders-orders-a/.proton/deployment-metadata.json"), /"templateMinorVersion" : "1"/);
  t.match(read(repo, "prod/orders-orders-b/.proton/deployment-metadata.json"), /"templateMinorVersion" : "0"/);
  // The pipeline (service version "1") follows too.
  t.match(read(repo, "orders/pipeline/main.tf"), /from web:1\.1/);
});

t.test("a major upgrade is refused with each field that no longer fits, then accepted once the spec is fixed", async (t) => {
  const { catalog, repo, state } = await setup({ "platform/services/orders.yaml": SERVICE_FILE.replace("port: 8080", "port: 80").replace("size: large", "size: small") });
  await render(t, repo);
  state.files = { ...state.files, ...webBundle("", 2) };
  state.minors["web/2"] = 0;
  publish(catalog, state, "web 2.0");
  const before = snapshot(repo);
  let res = await cli(repo, ["platform", "upgrade", "--service", "orders", "--major", "2"]);
  t.equal(res.code, 1);
  t.equal(
    res.err,
    [
      "protonkit: upgrade refused: 2 problems that no longer fit the new version; nothing was changed",
      "  - platform/services/orders.yaml:14: spec.instances[0].spec.port: expected a number >= 1024, found integer 80 (in web:2) (fix: change the spec so it fits web:2)",
      '  - platform/services/orders.yaml:18: spec.instances[1].spec.size: expected one of "medium", "large", found string "small" (in web:2) (fix: change the spec so it fits web:2)',
      "",
    ].join("\n"),
  );
  t.same(snapshot(repo), before, "nothing written");
  writeFiles(repo, { "platform/services/orders.yaml": read(repo, "platform/services/orders.yaml").replace("port: 80", "port: 8080").replace("size: small", "size: medium") });
  res = await cli(repo, ["platform", "upgrade", "--service", "orders", "--major", "2"]);
  t.equal(res.err, "");
  t.equal(res.code, 0);
  t.equal(res.out, 'platform/services/orders.yaml: version: "1" -> "2"\nrun `protonkit platform render` to render the new versions\n');
  const text = read(repo, "platform/services/orders.yaml");
  t.match(text, /^# the orders service\ntemplate: web\nversion: "2"\n/, "comments and layout kept");
  const out = await render(t, repo);
  t.match(out, /wrote prod\/orders-orders-a\/ \(service_instance orders-a, web:2\.0\)/);
});

t.test("a deleted service: re-rendered as deleted, then its directories go once the destroy is recorded", async (t) => {
  const { repo } = await setup();
  await render(t, repo);
  fs.rmSync(path.join(repo, "platform/services/orders.yaml"));
  let out = await render(t, repo);
  t.match(out, /deleting orders\/pipeline\/ \(isResourceDeleted: the apply destroys it\)/);
  t.match(out, /deleting prod\/orders-orders-a\//);
  const meta = JSON.parse(read(repo, "prod/orders-orders-a/.proton/deployment-metadata.json")) as { deploymentId: string; isResourceDeleted: boolean };
  t.same([meta.deploymentId, meta.isResourceDeleted], ["<proton-resource-deleted>", true]);
  t.match(read(repo, "prod/orders-orders-a/main.tf"), /^\/\* No longer managed by protonkit: arn:aws:proton:eu-west-1:123456789012:service\/orders\/service-instance\/orders-a was deleted\./);
  t.match(read(repo, "prod/orders-orders-a/proton.auto.tfvars.json"), /"vpc_id" : "vpc-1"/, "values kept for the destroy");
  // Rendering again changes nothing until the destroy is recorded.
  out = await render(t, repo, ["--check"]);
  t.match(out, /0 files differ, 0 removed/);
  await record(repo, [event("prod/orders-orders-a", "DELETED"), event("prod/orders-orders-b", "DELETED")]);
  out = await render(t, repo);
  t.match(out, /removed prod\/orders-orders-a\/ \(its destroy is recorded\)/);
  t.notOk(fs.existsSync(path.join(repo, "prod/orders-orders-a")));
  t.notOk(fs.existsSync(path.join(repo, "prod/orders-orders-b")));
  t.ok(fs.existsSync(path.join(repo, "orders/pipeline/main.tf")), "the pipeline waits for its own destroy");
  t.ok(fs.existsSync(path.join(repo, "prod/main.tf")), "the environment stays");
});

t.test("a no-op render writes nothing; --check fails on a stale render", async (t) => {
  const { repo } = await setup();
  await render(t, repo);
  commitAll(repo, "render");
  const mtimes = (): number[] => Object.keys(snapshot(repo)).map((f) => fs.statSync(path.join(repo, f)).mtimeMs);
  const before = mtimes();
  const out = await render(t, repo);
  t.match(out, /^catalog at [0-9a-f]{12}, records at [0-9a-f]{12}\n0 files written, 0 removed; 4 resource directories\n$/);
  t.same(mtimes(), before, "no file touched");
  writeFiles(repo, { "prod/orders-orders-a/main.tf": "# edited by hand\n", "prod/orders-orders-a/extra.tf": "" });
  const res = await cli(repo, ["platform", "render", "--check"]);
  t.equal(res.code, 1);
  t.equal(
    res.err.replace(/ at [0-9a-f]{12}/g, " at <commit>"),
    [
      "protonkit: the committed render is stale against the desired state, the catalog at <commit> and the records at <commit> (protonkit/records): 2 paths differ",
      "  - prod/orders-orders-a/main.tf: differs from the desired state (fix: run `protonkit platform render` and commit the result)",
      "  - prod/orders-orders-a/extra.tf: should be removed (fix: run `protonkit platform render` and commit the result)",
      "",
    ].join("\n"),
  );
});

t.test("a deprecated version in use is a warning; components attach to their instance", async (t) => {
  const { repo } = await setup({
    "platform/services/orders.yaml": SERVICE_FILE.replace("spec:\n  proton", 'components:\n  cache: { instance: orders-a, template: cache, version: "1" }\nspec:\n  proton'),
  });
  await render(t, repo);
  t.match(read(repo, "prod/components/cache/proton.auto.tfvars.json"), /"component" : \{\n {4}"name" : "cache"/);
  t.match(read(repo, "prod/orders-orders-a/proton.auto.tfvars.json"), /"components" : \{\n {6}"default" : \{\n {8}"name" : "cache"/);
  await record(repo, [event("prod/components/cache", "SUCCEEDED", { endpoint: "cache.orders-a" })]);
  await render(t, repo);
  t.match(read(repo, "prod/orders-orders-a/proton.auto.tfvars.json"), /"endpoint" : "cache\.orders-a"/, "component outputs reach the instance");
  await record(repo, [event("prod/orders-orders-a", "SUCCEEDED", { url: "http://a" })]);
  await render(t, repo);
  t.match(read(repo, "orders/pipeline/proton.auto.tfvars.json"), /"outputs" : \{\s*"url" : "http:\/\/a"/, "instance outputs reach the pipeline");
  writeFiles(repo, { ".protonkit/platform.yaml": platformConfig(path.join(repo, "../catalog"), '  deprecated: ["web:1"]\n') });
  const res = await cli(repo, ["platform", "render"]);
  t.equal(res.code, 0);
  t.match(res.err, /protonkit: warning: platform\/services\/orders\.yaml: prod\/orders-orders-a\/ uses web:1\.0, which is deprecated/);
});


t.test("upgrade --environment pins the instances there; a catalog given by URL is cloned once", async (t) => {
  const { catalog, repo, state } = await setup({
    "platform/services/orders.yaml": SERVICE_FILE.replace('version: "1"', 'version: "1.0"'),
    ".protonkit/platform.yaml": "",
  });
  writeFiles(repo, { ".protonkit/platform.yaml": platformConfig(`file://${catalog}`) });
  await render(t, repo);
  state.files = { ...state.files, ...webBundle("# 1.1\n") };
  state.minors["web/1"] = 1;
  publish(catalog, state, "web 1.1");
  // The clone is not fetched unless asked: the render stays on what it has.
  let out = await render(t, repo);
  t.match(out, /0 files written/);
  out = await render(t, repo, ["--fetch"]);
  t.match(out, /0 files written/, "pinned at 1.0: nothing moves");
  const res = await cli(repo, ["platform", "upgrade", "--environment", "prod"]);
  t.equal(res.err, "");
  t.equal(res.out, 'platform/services/orders.yaml: version: "1.0" -> "1.1"\nrun `protonkit platform render` to render the new versions\n');
  out = await render(t, repo);
  t.match(out, /wrote prod\/orders-orders-a\/ \(service_instance orders-a, web:1\.1\)/);
});
