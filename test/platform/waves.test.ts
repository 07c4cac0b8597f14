/** Rollout waves by environment tier, and the platform workflow's summary check. Pure unit tests. */
import t from "tap";
import { MATRIX_LIMIT, planStage, type OrderItem } from "../../src/platform/order";
import { deploymentSteps, inWave, oversizedSteps, stepCounts, waveOf, type Tier } from "../../src/platform/waves";
import { decidePlatformSummary } from "../../src/platform/workflow-summary";

function env(name: string, action: "apply" | "destroy" = "apply"): OrderItem {
  return { dir: name, kind: "environment", name, service: "", environment: name, action };
}
function inst(envName: string, svc: string, name: string, action: "apply" | "destroy" = "apply"): OrderItem {
  return { dir: `${envName}/${svc}-${name}`, kind: "service-instance", name, service: svc, environment: envName, action };
}
function pipeline(svc: string): OrderItem {
  return { dir: `${svc}/pipeline`, kind: "pipeline", name: svc, service: svc, environment: "", action: "apply" };
}

const TIERS: Record<string, Tier> = { dev: "test", stage: "staging", prod: "production" };
const tierOf = (e: string): Tier | undefined => TIERS[e];

const ALL = [env("dev"), env("stage"), env("prod"), env("lab"), inst("dev", "api", "a"), inst("stage", "api", "b"), inst("prod", "api", "c"), inst("lab", "api", "d"), pipeline("api"), inst("old", "api", "x", "destroy")];

t.test("steps: each tier's environments then instances, test first; pipelines and destroys after, not waved", async (t) => {
  t.same(
    deploymentSteps().map((s) => s.id),
    ["environments-apply-test", "instances-apply-test", "environments-apply-staging", "instances-apply-staging", "environments-apply-production", "instances-apply-production", "pipelines-apply", "pipelines-destroy", "instances-destroy", "environments-destroy"],
  );
});

t.test("a resource's wave is its environment's tier; no tier means production", async (t) => {
  t.equal(waveOf(inst("dev", "api", "a"), tierOf), "test");
  t.equal(waveOf(env("stage"), tierOf), "staging");
  t.equal(waveOf(env("lab"), tierOf), "production", "untiered rolls out last");
  t.same(
    inWave(ALL, "test", tierOf).map((i) => i.dir),
    ["dev", "dev/api-a", "api/pipeline", "old/api-x"],
    "a wave keeps the stages that are not waved (the stage filter picks them)",
  );
  t.same(inWave(ALL, undefined, tierOf).length, ALL.length);
});

t.test("step counts, and a step over the matrix limit is refused", async (t) => {
  const counts = stepCounts(ALL, tierOf);
  t.same(Object.fromEntries(counts), {
    "environments-apply-test": 1,
    "instances-apply-test": 1,
    "environments-apply-staging": 1,
    "instances-apply-staging": 1,
    "environments-apply-production": 2,
    "instances-apply-production": 2,
    "pipelines-apply": 1,
    "pipelines-destroy": 0,
    "instances-destroy": 1,
    "environments-destroy": 0,
  });
  t.same(oversizedSteps(counts), []);
  const many = Array.from({ length: MATRIX_LIMIT + 1 }, (_, i) => inst("prod", "svc", `i${i}`));
  t.same(oversizedSteps(stepCounts(many, tierOf)), [`instances-apply-production: ${MATRIX_LIMIT + 1} resources (at most ${MATRIX_LIMIT} per step)`]);
  t.same(oversizedSteps(stepCounts([...many.slice(0, 200), ...Array.from({ length: 200 }, (_, i) => inst("dev", "svc", `j${i}`))], tierOf)), [], "200 per tier fit");
});

t.test("inside a wave an instance still never applies against a failed environment", async (t) => {
  const items = [env("prod"), env("lab"), inst("prod", "api", "c"), inst("lab", "api", "d")];
  const outcome = (i: OrderItem): "succeeded" | "failed" => (i.dir === "lab" ? "failed" : "succeeded");
  const plan = planStage("instances-apply", inWave(items, "production", tierOf), outcome);
  t.same(plan.run.map((i) => i.dir), ["prod/api-c"]);
  t.same(plan.skipped.map((s) => [s.item.dir, s.reason]), [["lab/api-d", "skipped: environment lab failed in this deployment"]]);
});

t.test("platform summary: pull request", async (t) => {
  const ok = { validate: { result: "success" }, detect: { result: "success", outputs: { count: "1" } }, plan: { result: "success" }, comment: { result: "success" } };
  t.equal(decidePlatformSummary(ok, "pull_request").ok, true);
  const stale = decidePlatformSummary({ ...ok, validate: { result: "failure" } }, "pull_request");
  t.equal(stale.ok, false);
  t.match(stale.lines[0], /validate failure: .*committed render is stale/);
  t.equal(decidePlatformSummary({ ...ok, entitlements: { result: "failure" } }, "pull_request").ok, false);
  t.equal(decidePlatformSummary({ ...ok, plan: { result: "skipped" } }, "pull_request").ok, false, "a fork's pull request is not planned");
});

t.test("platform summary: a drift check is decided as for a provisioning repository", async (t) => {
  t.equal(decidePlatformSummary({ detect: { result: "success", outputs: { count: "2" } }, "drift-plan": { result: "success" }, drift: { result: "success" } }, "schedule").ok, true);
  t.equal(decidePlatformSummary({ detect: { result: "failure" } }, "workflow_dispatch").ok, false);
});

t.test("platform summary: push", async (t) => {
  const base = { order: { result: "success", outputs: { count: "3" } }, "apply-environments-apply-test": { result: "success" }, "gate-staging": { result: "skipped" }, propagate: { result: "success" } };
  t.same(decidePlatformSummary(base, "push"), { ok: true, lines: ["3 resource(s) deployed in order"] });
  const failed = decidePlatformSummary({ ...base, "apply-environments-apply-test": { result: "failure" }, "gate-staging": { result: "failure" } }, "push");
  t.equal(failed.ok, false);
  t.same(failed.lines, [
    "apply-environments-apply-test failure: an apply or destroy failed; resources that depend on it were skipped",
    "gate-staging failure: the rollout stopped at this gate (rejected, or an earlier tier failed); later tiers were not applied",
  ]);
  t.same(decidePlatformSummary({ order: { result: "success", outputs: { count: "0" } } }, "push"), { ok: true, lines: ["no resource changed"] });
  t.equal(decidePlatformSummary({ order: { result: "failure" } }, "push").ok, false);
  t.equal(decidePlatformSummary({ order: { result: "success", outputs: { count: "0" } }, propagate: { result: "failure" } }, "push").ok, false, "a failed propagation fails even when nothing applied");
});
