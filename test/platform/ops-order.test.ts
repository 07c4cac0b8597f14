import t from "tap";
import { STAGES, batches, planAll, planStage, stageOf, type OrderItem, type Outcome } from "../../src/platform/order";
import { RecordsStore } from "../../src/platform/records-store";
import { envArn, instanceArn, pipelineArn, componentArn, makeRepo, commit, writeResource, cli } from "../provision/helpers";
import { event, tmp } from "./ops-helpers";

function item(dir: string, action: "apply" | "destroy" = "apply"): OrderItem {
  const segs = dir.split("/");
  if (segs.length === 1) return { dir, kind: "environment", name: dir, service: "", environment: dir, action };
  if (segs[1] === "pipeline") return { dir, kind: "pipeline", name: segs[0], service: segs[0], environment: "", action };
  if (segs[1] === "components") return { dir, kind: "component", name: segs[2], service: "", environment: segs[0], action };
  const [svc, inst] = segs[1].split("-");
  return { dir, kind: "service-instance", name: inst, service: svc, environment: segs[0], action };
}

const ALL = [
  item("api/pipeline"),
  item("prod/api-web"),
  item("test/api-web2"),
  item("prod"),
  item("test"),
  item("prod/components/alarms"),
  item("old/pipeline", "destroy"),
  item("gone/old-web", "destroy"),
  item("gone", "destroy"),
];

t.test("stages: environments, then instances and components, then pipelines; destroys reversed", async (t) => {
  const plan = planAll(ALL);
  t.same(
    plan.map((s) => [s.stage, s.run.map((i) => i.dir)]),
    [
      ["environments-apply", ["prod", "test"]],
      ["instances-apply", ["prod/api-web", "prod/components/alarms", "test/api-web2"]],
      ["pipelines-apply", ["api/pipeline"]],
      ["pipelines-destroy", ["old/pipeline"]],
      ["instances-destroy", ["gone/old-web"]],
      ["environments-destroy", ["gone"]],
    ],
  );
  t.same(STAGES.map((s) => s), plan.map((p) => p.stage));
  t.equal(stageOf(item("prod/components/alarms", "destroy")), "instances-destroy");
});

t.test("an instance never applies against an environment that failed or did not run; its dependents are skipped too", async (t) => {
  const outcomes: Record<string, Outcome> = { prod: "failed", test: "succeeded" };
  const inst = planStage("instances-apply", ALL, (i) => outcomes[i.dir] ?? "not-run");
  t.same(inst.run.map((i) => i.dir), ["test/api-web2"]);
  t.same(
    inst.skipped.map((s) => [s.item.dir, s.reason]),
    [
      ["prod/api-web", "skipped: environment prod failed in this deployment"],
      ["prod/components/alarms", "skipped: environment prod failed in this deployment"],
    ],
  );
  // The skipped instance has no record: the pipeline reading it is skipped in turn.
  outcomes["test/api-web2"] = "succeeded";
  const pipe = planStage("pipelines-apply", ALL, (i) => outcomes[i.dir] ?? "not-run");
  t.same(pipe.run, []);
  t.same(pipe.skipped.map((s) => s.reason), ["skipped: service-instance prod/api-web did not run in this deployment"]);
  // A skipped environment (superseded, cancelled) stops its instances just as a failed one does.
  const sk = planStage("instances-apply", ALL, (i) => (i.dir === "prod" ? "not-run" : "succeeded"));
  t.same(sk.skipped.map((s) => s.reason)[0], "skipped: environment prod did not run in this deployment");
  // An environment is destroyed only after everything in it is gone.
  const envDestroy = planStage("environments-destroy", ALL, (i) => (i.dir === "gone/old-web" ? "failed" : "succeeded"));
  t.same(envDestroy.skipped.map((s) => s.reason), ["skipped: service-instance gone/old-web failed in this deployment"]);
  // Resources whose environment is not part of this deployment run.
  const alone = planStage("instances-apply", [item("prod/api-web")], () => "failed");
  t.same(alone.run.map((i) => i.dir), ["prod/api-web"]);
});

t.test("batches of at most 256 for GitHub's matrix", async (t) => {
  const many: OrderItem[] = [];
  for (let i = 0; i < 600; i++) many.push(item(`prod/svc${String(i).padStart(3, "0")}-web`));
  const plan = planStage("instances-apply", many, () => "succeeded");
  t.same(plan.batches.map((b) => b.length), [256, 256, 88]);
  t.equal(plan.batches[1][0].dir, "prod/svc256-web", "sorted, cut in order");
  t.same(batches([1, 2, 3], 2), [[1, 2], [3]]);
  t.same(batches([], 2), []);
});

t.test("protonkit platform order reads outcomes from the deployment records", async (t) => {
  const repo = makeRepo(tmp(t));
  const base = commit(repo, "empty");
  writeResource(repo, "prod", { arn: envArn("prod"), deploymentId: "11111111-1111-4111-8111-111111111111" });
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "prod/components/alarms", { arn: componentArn("alarms"), environmentArn: envArn("prod"), component: true });
  writeResource(repo, "api/pipeline", { arn: pipelineArn("api") });
  const head = commit(repo, "resources");

  const all = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head]);
  t.equal(all.code, 0, all.stderr);
  t.same(JSON.parse(all.stdout).stages.filter((s: { count: number }) => s.count > 0).map((s: { stage: string; count: number }) => [s.stage, s.count]), [
    ["environments-apply", 1],
    ["instances-apply", 2],
    ["pipelines-apply", 1],
  ]);

  // The environment's apply failed at this commit: its instance and component are skipped.
  await new RecordsStore({ repo }).append([event("prod", "IN_PROGRESS", { deploymentId: "11111111-1111-4111-8111-111111111111", commit: head }), event("prod", "FAILED", { deploymentId: "11111111-1111-4111-8111-111111111111", commit: head, error: "boom" })]);
  const inst = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "instances-apply"]);
  t.equal(inst.code, 0, inst.stderr);
  const res = JSON.parse(inst.stdout);
  t.same(res.include, []);
  t.same(res.skipped.map((s: { dir: string }) => s.dir), ["prod/api-web", "prod/components/alarms"]);
  t.match(inst.stderr, /prod\/api-web: skipped: environment prod failed in this deployment/);
  t.match(res.records, /^[0-9a-f]{40}$/);
  t.match(res.include, []);

  const plan = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "environments-apply", "--batch", "0"]);
  const p = JSON.parse(plan.stdout);
  t.same(p.include.map((e: { dir: string; plan_role_arn: string }) => [e.dir, e.plan_role_arn]), [["prod", "arn:aws:iam::123456789012:role/protonkit-plan"]]);

  const bad = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "everything"]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--stage: unknown stage "everything" \(fix: use one of environments-apply/);
});
