import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { DRIFT_CRON } from "../../generators/workflow/render";
import { DRIFT_WORKFLOW_PATH, PROVISION_JOBS_WORKFLOW_PATH, PROVISION_WORKFLOW_PATH, syncWorkflow } from "../../generators/workflow/sync";
import { JOBS_WORKFLOW } from "../../stacks/account-bootstrap/v2";
import { SETTINGS, parseWorkflowYaml, tempRepo } from "./helpers";
import { actionlint, workflowParserErrors } from "./lint";

function generate(t: Parameters<typeof tempRepo>[0], settings = SETTINGS): { drift: string; jobs: string; caller: string } {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings });
  const read = (p: string): string => fs.readFileSync(path.join(repo, p), "utf8");
  return { drift: read(DRIFT_WORKFLOW_PATH), jobs: read(PROVISION_JOBS_WORKFLOW_PATH), caller: read(PROVISION_WORKFLOW_PATH) };
}

const DRIFT_EVENT = "(github.event_name == 'schedule' || github.event_name == 'workflow_dispatch')";

for (const [variant, settings] of Object.entries({ defaults: SETTINGS, custom: { ...SETTINGS, toolkit_token_secret: "PROTONKIT_TOOLKIT_TOKEN", main_branch: "release/v2" } })) {
  t.test(`${variant}: actionlint and the workflow parser report nothing on the drift workflow`, async (t) => {
    const { drift } = generate(t, settings);
    t.same(await actionlint(drift, DRIFT_WORKFLOW_PATH), []);
    t.same(await workflowParserErrors(drift, DRIFT_WORKFLOW_PATH), []);
  });
}

t.test("drift caller: schedule and manual runs only, calls the jobs workflow the roles trust, at the main branch", async (t) => {
  const wf = parseWorkflowYaml(generate(t, { ...SETTINGS, main_branch: "release/v2" }).drift);
  t.same(Object.keys(wf.on).sort(), ["schedule", "workflow_dispatch"]);
  t.same((wf.on as unknown as { schedule: Array<{ cron: string }> }).schedule, [{ cron: DRIFT_CRON }]);
  t.same(wf.permissions, {});
  const call = wf.jobs.provision as unknown as { uses: string; permissions: Record<string, string> };
  // The plan roles trust JOBS_WORKFLOW at the main branch (job_workflow_ref in the subject).
  t.equal(call.uses, `acme/provisioning/${JOBS_WORKFLOW}@release/v2`);
  t.same(call.permissions, { actions: "read", contents: "read", "id-token": "write", issues: "write", "pull-requests": "write" });
  t.equal(wf.concurrency?.["cancel-in-progress"], false);
});

t.test("drift jobs: plans with the plan role and -detailed-exitcode; issues from a job with issues: write only", async (t) => {
  const wf = parseWorkflowYaml(generate(t).jobs);
  const plan = wf.jobs["drift-plan"];
  const issue = wf.jobs.drift;
  t.ok(plan.if?.startsWith(DRIFT_EVENT), "drift plans run only on a schedule or by hand");
  t.equal(plan.environment, "${{ matrix.plan_environment }}", "the plan role's environment: the same trust as a pull request's plan");
  t.ok(plan.steps.some((s) => s.uses?.includes("configure-aws-credentials") && s.with?.["role-to-assume"] === "${{ steps.resolve.outputs.plan_role_arn }}"));
  t.notOk(JSON.stringify(plan).includes("apply_role_arn"));
  t.match(plan.steps.find((s) => s.run?.includes("provision plan"))?.run, /--no-comment --no-policy --detailed-exitcode --section-file "\$SECTION_FILE"$/);
  t.same(issue.permissions, { issues: "write" });
  t.same(issue.needs, ["detect", "drift-plan"]);
  t.match(issue.if, /^always\(\) && /);
  t.notOk(issue.steps.some((s) => s.uses?.includes("configure-aws-credentials")));
  t.match(issue.steps.find((s) => s.run?.includes("provision drift"))?.run, /provision drift --dir "\$RESOURCE_DIR" --section-file "\$SECTION_FILE"$/);
  const save = plan.steps.find((s) => s.uses?.includes("cache/save"));
  const restore = issue.steps.find((s) => s.uses?.includes("cache/restore"));
  t.equal(save?.if, "always()");
  t.equal(save?.with?.key, restore?.with?.key);
  // The pull-request and push jobs never run on a schedule.
  for (const id of ["plan", "comment", "apply"]) t.notOk(wf.jobs[id].if?.includes("schedule"), `${id} does not run for drift`);
  t.match(wf.jobs.detect.steps.find((s) => s.id === "detect")?.env?.BASE_SHA, /\|\| '0{40}' \}\}$/, "a drift run lists every resource");
});
