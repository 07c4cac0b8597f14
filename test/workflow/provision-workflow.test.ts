import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { PINNED_ACTIONS } from "../../generators/actions";
import { PROVISION_WORKFLOW_PATH, syncWorkflow } from "../../generators/workflow/sync";
import type { WorkflowSettingsInput } from "../../generators/workflow/settings";
import { SETTINGS, allSteps, type TestContext, parseWorkflowYaml, scriptInjectionFindings, tempRepo, type Job, type Step, type Workflow } from "./helpers";
import { actionlint, workflowParserErrors } from "./lint";

const VARIANTS: Record<string, WorkflowSettingsInput> = {
  defaults: SETTINGS,
  custom: {
    ...SETTINGS,
    toolkit_token_secret: "PROTONKIT_TOOLKIT_TOKEN",
    main_branch: "release/v2",
    runs_on: "self-hosted",
    timeout_minutes: 120,
  },
};

function generate(t: TestContext, settings: WorkflowSettingsInput, terraformVersion?: string): string {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings, starter: terraformVersion ? { terraformVersion } : {} });
  return fs.readFileSync(path.join(repo, PROVISION_WORKFLOW_PATH), "utf8");
}

function stepsUsing(job: Job, action: keyof typeof PINNED_ACTIONS): Step[] {
  return job.steps.filter((s) => s.uses?.startsWith(`${PINNED_ACTIONS[action].repository}@`));
}

const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";

for (const [variant, settings] of Object.entries(VARIANTS)) {
  t.test(`${variant}: actionlint reports nothing`, async (t) => {
    const text = generate(t, settings);
    t.same(await actionlint(text, PROVISION_WORKFLOW_PATH), []);
  });

  t.test(`${variant}: @actions/workflow-parser parses it without errors`, async (t) => {
    const text = generate(t, settings);
    t.same(await workflowParserErrors(text, PROVISION_WORKFLOW_PATH), []);
  });

  t.test(`${variant}: no expression and no untrusted context inside a run script`, async (t) => {
    const wf = parseWorkflowYaml(generate(t, settings));
    t.same(scriptInjectionFindings(wf), []);
    t.ok(allSteps(wf).filter(({ step }) => step.run !== undefined).length >= 5, "the check saw the scripts");
  });
}

t.test("triggers: pull requests and pushes to the main branch, limited to rendered resources", async (t) => {
  const wf = parseWorkflowYaml(generate(t, VARIANTS.custom));
  t.same(Object.keys(wf.on).sort(), ["pull_request", "push"]);
  t.same(wf.on.push?.branches, ["release/v2"]);
  for (const event of ["pull_request", "push"]) {
    const paths = wf.on[event]?.paths ?? [];
    for (const p of ["**/.proton/deployment-metadata.json", "**/*.tf", "**/*.tfvars.json", "**/.terraform.lock.hcl"]) {
      t.ok(paths.includes(p), `${event} paths include ${p}`);
    }
  }
});

t.test("permissions: none by default, the least each job needs", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS));
  t.same(wf.permissions, {}, "workflow-level permissions are empty");
  t.same(wf.jobs.detect.permissions, { contents: "read" });
  t.same(wf.jobs.plan.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
  t.same(wf.jobs.apply.permissions, { contents: "read", "id-token": "write" });
  for (const [id, job] of Object.entries(wf.jobs)) {
    t.type(job.permissions, "object", `${id} states its permissions`);
    const perms = job.permissions as Record<string, string>;
    const usesOidc = stepsUsing(job, "configure-aws-credentials").length > 0;
    t.equal(perms["id-token"] === "write", usesOidc, `${id}: id-token: write exactly when it assumes a role`);
    const comments = job.steps.some((s) => s.run?.includes("provision plan") && s.env?.GITHUB_TOKEN !== undefined);
    t.equal(perms["pull-requests"] === "write", comments, `${id}: pull-requests: write only for the plan comment`);
    t.not(perms.contents, "write", `${id} cannot push`);
    for (const [scope, level] of Object.entries(perms)) {
      if (level === "write") t.ok(["id-token", "pull-requests"].includes(scope), `${id}: ${scope}: write is expected`);
    }
  }
});

t.test("credentials: plan role on pull requests from this repository only, apply role only on push to main", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS));
  const plan = wf.jobs.plan;
  const apply = wf.jobs.apply;
  t.match(plan.if, /github\.event_name == 'pull_request'/);
  t.ok(plan.if?.includes(SAME_REPO), "fork guard on the plan job");
  t.match(apply.if, /github\.event_name == 'push'/);
  t.ok(apply.if?.includes("github.ref == 'refs/heads/main'"), "apply only on the main branch");

  const [planCreds] = stepsUsing(plan, "configure-aws-credentials");
  const [applyCreds] = stepsUsing(apply, "configure-aws-credentials");
  t.equal(planCreds.with?.["role-to-assume"], "${{ steps.resolve.outputs.plan_role_arn }}");
  t.equal(applyCreds.with?.["role-to-assume"], "${{ steps.resolve.outputs.apply_role_arn }}");
  t.equal(planCreds.with?.["aws-region"], "${{ steps.resolve.outputs.region }}");
  t.notOk(JSON.stringify(plan).includes("apply_role_arn"), "the plan job never names the apply role");

  // Every job that can obtain credentials is unreachable from a fork's pull request.
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (stepsUsing(job, "configure-aws-credentials").length === 0) continue;
    const guarded = job.if !== undefined && (job.if.includes(SAME_REPO) || /^github\.event_name == 'push'/.test(job.if));
    t.ok(guarded, `${id} is guarded against forks`);
  }
  // The role comes from the runtime's resolve step, which runs before the credentials step.
  for (const job of [plan, apply]) {
    const ids = job.steps.map((s) => s.id ?? s.uses ?? s.name);
    t.ok(ids.indexOf("resolve") < job.steps.findIndex((s) => s.uses?.includes("configure-aws-credentials")));
    t.match(job.steps.find((s) => s.id === "resolve")?.run, /provision resolve --dir "\$RESOURCE_DIR" --github-output/);
  }
});

t.test("concurrency: one group per resource directory; applies queue and are never cancelled", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS));
  t.equal(wf.concurrency, undefined, "no workflow-level group that could cancel an apply");
  const apply = wf.jobs.apply;
  t.match(apply.concurrency?.group, /\$\{\{ matrix\.dir \}\}/);
  t.equal(apply.concurrency?.["cancel-in-progress"], false);
  t.notMatch(apply.concurrency?.group, /plan/, "plans never share (and so never cancel) an apply group");
  t.match(wf.jobs.plan.concurrency?.group, /^protonkit-plan-/);
  for (const job of [wf.jobs.plan, apply]) {
    t.equal(job.strategy?.["fail-fast"], false, "one failing resource does not stop the others");
    t.equal(job.strategy?.matrix, "${{ fromJSON(needs.detect.outputs.matrix) }}");
    t.match(job.if, /needs\.detect\.outputs\.count != '0'/, "an empty change set runs no matrix job");
    t.equal(job.env?.RESOURCE_DIR, "${{ matrix.dir }}", "the directory reaches scripts through env only");
  }
  t.equal(wf.jobs.detect.outputs?.matrix, "${{ steps.detect.outputs.matrix }}");
  t.match(wf.jobs.detect.steps.find((s) => s.id === "detect")?.run, /provision detect --base "\$BASE_SHA" --head "\$HEAD_SHA"/);
});

t.test("actions: every uses is pinned to a full SHA from the one table, tag in a trailing comment", async (t) => {
  for (const settings of Object.values(VARIANTS)) {
    const text = generate(t, settings);
    const usesLines = text.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
    t.ok(usesLines.length >= 10);
    for (const line of usesLines) {
      const m = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[\w.-]+)$/.exec(line);
      if (!m) {
        t.fail(`not pinned: ${line.trim()}`);
        continue;
      }
      const known = Object.values(PINNED_ACTIONS).find((a) => a.repository === m[1]);
      t.same(known && { repository: known.repository, commit: known.commit, tag: known.tag }, { repository: m[1], commit: m[2], tag: m[3] }, line.trim());
    }
  }
});

t.test("terraform: pinned by setup-terraform without wrapper, plugin cache keyed on the lock file", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS, "1.12.2"));
  for (const id of ["plan", "apply"]) {
    const job = wf.jobs[id];
    const [setup] = stepsUsing(job, "setup-terraform");
    t.equal(setup.with?.terraform_version, "1.12.2", `${id}: the configuration's version`);
    t.equal(setup.with?.terraform_wrapper, false, `${id}: no wrapper`);
    t.equal(job.env?.TF_PLUGIN_CACHE_DIR, "${{ github.workspace }}/terraform-plugins");
    t.equal(job.env?.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE, "true", `${id}: the cache also serves directories without a lock file`);
    const pluginCache = stepsUsing(job, "cache").find((s) => String(s.with?.path).includes("TF_PLUGIN_CACHE_DIR"));
    t.ok(pluginCache, `${id}: caches the plugin directory`);
    t.match(String(pluginCache?.with?.key), /hashFiles\(format\('provisioning\/\{0\}\/\.terraform\.lock\.hcl', matrix\.dir\)\)/);
    const npmCache = stepsUsing(job, "cache").find((s) => s.with?.path === "~/.npm");
    t.match(String(npmCache?.with?.key), /hashFiles\('toolkit\/package-lock\.json'\)/, `${id}: npm cache keyed on the toolkit lock file`);
  }
});

t.test("toolkit: checked out at the pinned commit, installed with npm ci, run from its checkout", async (t) => {
  const wf = parseWorkflowYaml(generate(t, VARIANTS.custom));
  for (const [id, job] of Object.entries(wf.jobs)) {
    const checkouts = stepsUsing(job, "checkout");
    for (const c of checkouts) t.equal(c.with?.["persist-credentials"], false, `${id}: no token left in .git/config`);
    const toolkit = checkouts.find((c) => c.with?.path === "toolkit");
    t.same(toolkit?.with, {
      repository: "acme/protonkit",
      ref: SETTINGS.toolkit_ref,
      path: "toolkit",
      "persist-credentials": false,
      token: "${{ secrets.PROTONKIT_TOOLKIT_TOKEN }}",
    });
    t.ok(job.steps.some((s) => s.run?.startsWith("npm ci") && s["working-directory"] === "toolkit"), `${id}: npm ci`);
    for (const s of job.steps.filter((s) => s.run?.includes("provision "))) {
      t.match(s.run, /^node "\$PROTONKIT_CLI" provision /, `${id}: runs the pinned checkout's CLI, never a registry package`);
    }
  }
  t.equal(wf.env?.PROTONKIT_CLI, "${{ github.workspace }}/toolkit/bin/protonkit.js");

  const plain = parseWorkflowYaml(generate(t, SETTINGS));
  for (const job of Object.values(plain.jobs)) {
    const toolkit = stepsUsing(job, "checkout").find((c) => c.with?.path === "toolkit");
    t.same(toolkit?.with, { repository: "acme/protonkit", ref: SETTINGS.toolkit_ref, path: "toolkit", "persist-credentials": false }, "no secret without toolkit_token_secret");
  }
});

t.test("reporting: a failed or cancelled apply is reported through the runtime", async (t) => {
  const wf: Workflow = parseWorkflowYaml(generate(t, SETTINGS));
  const steps = wf.jobs.apply.steps;
  const last = steps[steps.length - 1];
  t.equal(last.if, "failure() || cancelled()");
  t.equal(last.run, 'node "$PROTONKIT_CLI" provision report-failure --dir "$RESOURCE_DIR" --message "$MESSAGE"');
  t.match(String(last.env?.MESSAGE), /job\.status/);
  t.match(steps[steps.length - 2].run, /provision apply --dir "\$RESOURCE_DIR"$/);
  const plan = wf.jobs.plan.steps.find((s) => s.run?.includes("provision plan"));
  t.equal(plan?.env?.PR_NUMBER, "${{ github.event.pull_request.number }}");
  t.equal(plan?.env?.GITHUB_TOKEN, "${{ github.token }}");
});

t.test("the injection check is not vacuous: an untrusted expression in a script is caught by it and by actionlint", async (t) => {
  const text = generate(t, SETTINGS).replace(
    'run: node "$PROTONKIT_CLI" provision plan --dir "$RESOURCE_DIR" --pr "$PR_NUMBER"',
    'run: echo "${{ github.event.pull_request.title }}"',
  );
  t.not(text, generate(t, SETTINGS));
  t.same(scriptInjectionFindings(parseWorkflowYaml(text)).length, 2);
  const findings = await actionlint(text, PROVISION_WORKFLOW_PATH);
  t.ok(findings.some((f) => f.message.includes("potentially untrusted")), "actionlint flags it");
});

t.test("output is deterministic: same settings, same bytes, whatever the folder", async (t) => {
  const a = generate(t, VARIANTS.custom);
  const b = generate(t, VARIANTS.custom);
  t.equal(a, b);
  t.notMatch(a, /\/tmp\/|protonkit-workflow-|\d{4}-\d{2}-\d{2}T/, "no temp paths or timestamps");
});
