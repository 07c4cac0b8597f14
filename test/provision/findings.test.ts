// Regression tests for the review of the provisioning workflow (one test per finding, named
// after it). Each failed on the code before its fix.
import t from "tap";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { applyResource, failureMessage, type ApplyContext } from "../../src/provision/apply";
import { PLAN_COMMENT_MARKER, mergeComment, parseSections, renderSection } from "../../src/provision/comment";
import { parseProvisioningConfig } from "../../src/provision/config";
import { GitHubClient } from "../../src/provision/github";
import { logName, neutralizeCommands } from "../../src/provision/log";
import { planResources, publishPlan, readSectionFile, writeSectionFile, type PlanContext } from "../../src/provision/plan";
import { decideSummary, parseNeeds } from "../../src/provision/summary";
import { summarizePlan } from "../../src/provision/plan-summary";
import { ProtonReporter, type NotifyClient } from "../../src/provision/reporter";
import { FINAL_REPORT_RETRY } from "../../src/provision/retry";
import { startFakeGitHub } from "./github-fake";
import { detectChanges, loadConfigAt } from "../../src/provision/detect";
import { resolveResource } from "../../src/provision/resource";
import { supersededBy } from "../../src/provision/stale";
import { allowedProviders } from "../../src/provision/terraform";
import { CONFIG, FakeTerraform, cli, commit, envArn, git, instanceArn, makeRepo, tmp, write, writeResource } from "./helpers";

const SHA = "c".repeat(40);

function planContext(repo: string, tf: FakeTerraform, logs: string[], config = CONFIG): PlanContext {
  return {
    repo,
    loadConfig: () => parseProvisioningConfig(config, ".protonkit/provisioning.yaml"),
    runner: tf,
    settings: { binary: "terraform" },
    dryRun: false,
    headSha: SHA,
    log: (l) => logs.push(l),
  };
}

t.test("finding 1: plans never take the state lock", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const tf = new FakeTerraform({ show: { stdout: "{}" } });
  await planResources(["prod/api-web"], planContext(repo, tf, []));
  const plan = tf.calls.find((c) => c.args[0] === "plan");
  t.ok(plan?.args.includes("-lock=false"), "plan -lock=false");
  t.notOk(plan?.args.some((a) => a.startsWith("-lock-timeout")), "no lock wait");
});

t.test("finding 5: a forged marker comment is neither read nor edited; headings escape backticks", async (t) => {
  const gh = await startFakeGitHub();
  t.teardown(() => gh.close());
  const client = new GitHubClient({ token: "ghs_test", repository: "acme/provisioning", apiUrl: gh.url, retry: { sleep: async () => undefined } });
  // Mallory posts a comment that looks like ours, with a section claiming a clean plan.
  const forged = mergeComment(undefined, [{ dir: "prod", sha: SHA, title: "environment prod", action: "apply", summary: summarizePlan({}) }], SHA);
  const forgedId = gh.addComment(7, forged, "mallory");
  const section = { dir: "prod/api-web", sha: SHA, title: "service-instance api/web (prod)", action: "apply" as const, summary: { ...summarizePlan({}), add: 1 } };
  await publishPlan([section], { github: { client, pr: 7 }, sha: SHA, log: () => undefined, sleep: async () => undefined });
  t.equal(gh.comments.get(forgedId)?.body, forged, "the forged comment is untouched");
  const ours = [...gh.comments.values()].filter((c) => c.login === "github-actions[bot]");
  t.equal(ours.length, 1, "our own comment was created");
  t.same([...parseSections(ours[0].body).keys()], ["prod/api-web"], "the forged section was not merged into ours");
  t.ok(ours[0].body.startsWith(PLAN_COMMENT_MARKER));

  const heading = renderSection({ ...section, dir: "prod/we`ird`` name\n### injected", title: "x` **bold** <b>" }).split("\n")[0];
  t.equal(heading, "### 📝 ``` prod/we`ird`` name\\n### injected ``` — x\\` \\*\\*bold\\*\\* \\<b\\>");
});

t.test("finding 9: output limits are checked at plan time", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const outputs: Record<string, { sensitive: boolean; value?: unknown }> = {};
  for (let i = 0; i < 53; i++) outputs[`o${i}`] = { sensitive: false, value: `v${i}` };
  const many = new FakeTerraform({ show: { stdout: JSON.stringify({ planned_values: { outputs } }) } });
  const a = await planResources(["prod/api-web"], planContext(repo, many, []));
  t.equal(a.ok, false);
  t.match(a.sections[0].error, /53 outputs to report; Proton accepts at most 50/);
  const long = new FakeTerraform({ show: { stdout: JSON.stringify({ planned_values: { outputs: { doc: { sensitive: false, value: "x".repeat(2000) }, later: { sensitive: false } } } }) } });
  const b = await planResources(["prod/api-web"], planContext(repo, long, []));
  t.match(b.sections[0].error, /output "doc": value is 2000 characters long once encoded; Proton accepts at most 1024/);
  const fine = new FakeTerraform({ show: { stdout: JSON.stringify({ planned_values: { outputs: { id: { sensitive: false } } } }) } });
  t.equal((await planResources(["prod/api-web"], planContext(repo, fine, []))).ok, true, "an unknown value passes");
});

t.test("finding 10: the final status is retried for minutes with jitter; a crash keeps its panic line", async (t) => {
  const throttled = (): NotifyClient => ({
    send: async () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    },
  });
  const waits: number[] = [];
  let calls = 0;
  const reporter = new ProtonReporter({
    clientFor: () => ({ send: (c) => (calls++, throttled().send(c)) }),
    retry: { sleep: async (ms) => void waits.push(ms), random: () => 0.5 },
  });
  const target = { arn: instanceArn("api", "web") };
  await t.rejects(reporter.report(target, "IN_PROGRESS"));
  const inProgress = waits.reduce((a, b) => a + b, 0);
  t.ok(inProgress < 30000, `IN_PROGRESS keeps the short policy (${inProgress} ms)`);
  waits.length = 0;
  calls = 0;
  await t.rejects(reporter.report(target, "FAILED", { statusMessage: "x" }));
  const total = waits.reduce((a, b) => a + b, 0);
  t.ok(total >= 10 * 60 * 1000 && total <= FINAL_REPORT_RETRY.horizonMs, `final status retried for ${Math.round(total / 1000)} s (${calls} calls)`);
  t.ok(Math.max(...waits) <= FINAL_REPORT_RETRY.maxDelayMs);
  const jittered: number[] = [];
  await t.rejects(
    new ProtonReporter({ clientFor: throttled, retry: { sleep: async (ms) => void jittered.push(ms), random: Math.random } }).report(target, "SUCCEEDED"),
  );
  t.ok(new Set(jittered.slice(-5)).size > 1, "delays are jittered");

  const crash = [
    "Error: Plugin did not respond",
    "Stack trace from the terraform-provider-aws_v6.0.0 plugin:",
    "",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a5b6c]",
    "",
    ...Array.from({ length: 80 }, (_, i) => [`goroutine ${i + 1} [running]:`, "github.com/hashicorp/terraform-provider-aws/internal/service/ec2.resourceVPCRead(0x1, 0x2)", "\t/go/src/vpc.go:123 +0x1f4", ""]).flat(),
    ...["rax    0x0", "rbx    0xc000123456", "rcx    0x7f", "rip    0x4a5b6c", "rflags 0x10246", "cs     0x33", "fs     0x0", "gs     0x0"],
  ].join("\n");
  t.ok(crash.length > 4000);
  const msg = failureMessage(crash);
  t.match(msg, /panic: runtime error: invalid memory address or nil pointer dereference/);
  t.match(msg, /\[signal SIGSEGV/);
  t.notMatch(msg, /rax +0x0|rflags/, "no register dump");
  t.match(msg, /stack trace and registers omitted: \d+ lines/);
  t.equal(failureMessage("Error: plain failure"), "Error: plain failure");
});

t.test("finding 10: apply reports FAILED with the panic line of a crashed provider", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const stack = Array.from({ length: 300 }, (_, i) => `goroutine ${i} [chan receive]:\nmain.f(0x${i})\n\t/x.go:1 +0x1\n`).join("\n");
  const tf = new FakeTerraform({ apply: { code: 1, stderr: `panic: interface conversion: nil\n\n${stack}\nrax    0x0\nrip    0x1` } });
  const sent: string[] = [];
  const ctx: ApplyContext = {
    repo,
    loadConfig: () => parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml"),
    reporterFor: () => ({ name: "test", report: async (_r, status, d) => void sent.push(`${status} ${d?.statusMessage ?? ""}`) }),
    runner: tf,
    settings: { binary: "terraform" },
    dryRun: false,
    stateDir: fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-findings-")),
    log: () => undefined,
  };
  t.teardown(() => fs.rmSync(ctx.stateDir, { recursive: true, force: true }));
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.status, "FAILED");
  t.match(r.statusMessage, /panic: interface conversion: nil/);
  t.notMatch(r.statusMessage, /rip +0x1/);
});

t.test("finding 11: a newline in a directory name cannot inject a workflow command", async (t) => {
  t.equal(logName("prod/x\n::error::pwned"), "prod/x\\n::error::pwned");
  t.equal(neutralizeCommands("ok\n  ::add-mask::x\n##[group]y"), "ok\n»   ::add-mask::x\n» ##[group]y");
  const repo = makeRepo(tmp(t));
  const base = commit(repo, "base");
  writeResource(repo, "prod/x\n::error title=pwned::injected", { arn: instanceArn("api", "x"), environmentArn: envArn("prod") });
  const head = commit(repo, "hostile name");
  const r = await cli(["provision", "detect", "--repo", repo, "--base", base, "--head", head]);
  t.equal(r.code, 0, r.stderr);
  for (const line of r.stderr.split("\n")) t.notMatch(line, /^\s*::/, `no workflow command: ${JSON.stringify(line)}`);
  t.match(r.stderr, /prod\/x\\n::error title=pwned::injected/, "the name is shown escaped");
});

function detectError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return "(no error)";
}

t.test("finding 7: routing comes from the directory; one ARN per directory; configuration changes are validated", async (t) => {
  const config = parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml");
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const base = commit(repo, "prod");
  // A rogue ARN: a test directory claiming production's environment.
  writeResource(repo, "test/x", { arn: instanceArn("api", "x"), environmentArn: envArn("prod") });
  const rogue = commit(repo, "rogue");
  t.match(
    detectError(() => detectChanges({ repo, base, head: rogue, config })),
    /test\/x lies under environment "test" but its metadata names environment "prod".*fix: move the directory under prod\//s,
  );
  t.throws(() => resolveResource(repo, "test/x", config), { message: /lies under environment "test"/ }, "plan and apply refuse it too");
  git(repo, "rm", "-r", "-q", "test");
  // Two directories, one ARN.
  writeResource(repo, "prod/api-web-copy", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const copy = commit(repo, "copy");
  t.match(detectError(() => detectChanges({ repo, base, head: copy, config })), /prod\/api-web and prod\/api-web-copy hold the same resource .*service-instance\/web.*fix: remove the copy/s);
  git(repo, "rm", "-r", "-q", "prod/api-web-copy");
  const clean = commit(repo, "clean");

  // A change to .protonkit/** alone: validated against every resource, state moves refused.
  write(repo, ".protonkit/provisioning.yaml", CONFIG.replace("acme-tfstate-prod", "acme-tfstate-elsewhere"));
  const moved = commit(repo, "move the bucket");
  const cfg = loadConfigAt(repo, moved);
  t.match(
    detectError(() => detectChanges({ repo, base: clean, head: moved, config: cfg })),
    /prod\/api-web: the configuration moves its state from s3:\/\/acme-tfstate-prod\/proton\/prod\/api-web\/terraform\.tfstate \(eu-west-1\) to s3:\/\/acme-tfstate-elsewhere\/.*fix: revert the change; to move state on purpose, copy each state object/s,
  );
  write(repo, "README.md", "ack\n");
  const acked = commit(repo, "state copied\n\nProtonkit-State-Moved: prod/api-web");
  t.same(detectChanges({ repo, base: clean, head: acked, config: loadConfigAt(repo, acked) }).include, [], "a moved state, acknowledged, passes");
  write(repo, ".protonkit/provisioning.yaml", CONFIG.replace(/ {2}prod:\n[\s\S]*?(?= {2}"\*")/, "").replace(/ {2}"\*":[\s\S]*?reporting/, "reporting"));
  const dropped = commit(repo, "drop every environment");
  t.match(detectError(() => loadConfigAt(repo, dropped)) + detectError(() => detectChanges({ repo, base: acked, head: dropped, config: loadConfigAt(repo, dropped) })), /environments/);
});

t.test("finding 8: deletions are loud", async (t) => {
  const config = parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml");
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "prod/api-db", { arn: instanceArn("api", "db"), environmentArn: envArn("prod") });
  const base = commit(repo, "two");
  git(repo, "rm", "-r", "-q", "prod/api-web");
  const removedDir = commit(repo, "remove a directory");
  t.match(
    detectError(() => detectChanges({ repo, base, head: removedDir, config })),
    /prod\/api-web: the resource directory was removed, but service-instance arn:aws:proton:.*service-instance\/web still exists.*fix: restore it; delete a resource in two steps/s,
  );
  git(repo, "reset", "-q", "--hard", base);
  git(repo, "rm", "-q", "prod/api-db/.proton/deployment-metadata.json");
  const removedMeta = commit(repo, "remove metadata");
  t.match(detectError(() => detectChanges({ repo, base, head: removedMeta, config })), /prod\/api-db: the resource directory's metadata was removed/);
  write(repo, "prod/api-db/main.tf", 'resource "terraform_data" "y" {}\n');
  const edited = commit(repo, "edit an orphan");
  t.match(detectError(() => detectChanges({ repo, base: removedMeta, head: edited, config })), /prod\/api-db\/main\.tf changed but belongs to no resource directory/);
  write(repo, "modules/vpc/main.tf", "# shared module\n");
  const mod = commit(repo, "a shared module");
  t.same(detectChanges({ repo, base: edited, head: mod, config }).include, [], "a shared module is not an orphan");
});

t.test("finding 2: an apply that is no longer the newest change of its directory is skipped and recorded", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "prod/api-db", { arn: instanceArn("api", "db"), environmentArn: envArn("prod") });
  const first = commit(repo, "first");
  write(repo, "prod/api-web/main.tf", 'resource "terraform_data" "x" { input = 2 }\n');
  const second = commit(repo, "second");
  t.equal(supersededBy(repo, second, "main", "prod/api-web"), undefined, "the newest change applies");
  t.same(supersededBy(repo, first, "main", "prod/api-web"), { newer: second, head: first }, "an older run (or a re-run of one) is superseded");
  t.equal(supersededBy(repo, first, "main", "prod/api-db"), undefined, "a directory not changed since still applies");

  // Through the CLI, as the workflow runs it: the old commit checked out, main fetched.
  git(repo, "checkout", "-q", "--detach", first);
  const summary = path.join(tmp(t), "summary.md");
  const outputs = path.join(tmp(t), "outputs");
  const r = await cli(["provision", "apply", "--repo", repo, "--dir", "prod/api-web", "--newest-of", "main"], { GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, new RegExp(`apply of prod/api-web at ${first.slice(0, 12)} skipped: ${second.slice(0, 12)} on main changed it again`));
  t.match(fs.readFileSync(summary, "utf8"), /skipped/);
  t.match(fs.readFileSync(outputs, "utf8"), new RegExp(`skipped=true\nsuperseded_by=${second}`));
});

t.test("finding 3: Terraform gets no GitHub or OIDC token; providers off the allow-list are refused before plan", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const saved = { ...process.env };
  t.teardown(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  Object.assign(process.env, {
    GITHUB_TOKEN: "ghs_secret",
    ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example",
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc-secret",
    ACTIONS_RUNTIME_TOKEN: "runtime-secret",
    AWS_SESSION_TOKEN: "session",
  });
  const tf = new FakeTerraform({ show: { stdout: "{}" } });
  await planResources(["prod/api-web"], planContext(repo, tf, []));
  for (const call of [...tf.calls, ...tf.versionCalls]) {
    for (const k of ["GITHUB_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_RUNTIME_TOKEN"]) t.equal(call.env[k], undefined, `${call.args[0]}: no ${k}`);
    t.equal(call.env.AWS_SESSION_TOKEN, "session", "its own AWS session stays");
  }

  const external = new FakeTerraform({
    version: { stdout: JSON.stringify({ provider_selections: { "registry.terraform.io/hashicorp/aws": "6.0.0", "registry.terraform.io/hashicorp/external": "2.3.0" } }) },
    show: { stdout: "{}" },
  });
  const out = await planResources(["prod/api-web"], planContext(repo, external, []));
  t.match(out.sections[0].error, /uses provider not on the allow-list: registry\.terraform\.io\/hashicorp\/external.*fix: use only/s);
  t.same(external.commands(), ["init"], "refused before any provider ran (no plan)");
  t.ok(allowedProviders({ PROTONKIT_ALLOWED_PROVIDERS: "acme/internal" }).has("registry.terraform.io/acme/internal"));
});

t.test("finding 1: a crashed apply pushes the state Terraform could not save", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const tf = new FakeTerraform({
    apply: () => {
      fs.writeFileSync(path.join(repo, "prod/api-web", "errored.tfstate"), '{"version":4,"resources":[{"type":"terraform_data"}]}');
      return { code: 1, stderr: "Error: Failed to save state\npanic: boom" };
    },
  });
  const ctx: ApplyContext = {
    repo,
    loadConfig: () => parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml"),
    reporterFor: () => ({ name: "test", report: async () => undefined }),
    runner: tf,
    settings: { binary: "terraform" },
    dryRun: false,
    stateDir: tmp(t),
    log: () => undefined,
  };
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.status, "FAILED");
  t.same(tf.commands(), ["init", "apply", "state"]);
  t.same(tf.calls[2].args, ["state", "push", "errored.tfstate"]);
  t.notOk(fs.existsSync(path.join(repo, "prod/api-web", "errored.tfstate")), "pushed, then removed");
});

t.test("finding 2: a push diffs from the last successful run, so a run GitHub cancelled while pending is not lost", async (t) => {
  const gh = await startFakeGitHub();
  t.teardown(() => gh.close());
  const repo = makeRepo(tmp(t));
  const applied = commit(repo, "applied");
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const cancelledWhilePending = commit(repo, "its run was cancelled while pending");
  writeResource(repo, "prod/api-db", { arn: instanceArn("api", "db"), environmentArn: envArn("prod") });
  const head = commit(repo, "newest");
  gh.successfulRuns.set("protonkit-provision.yml", [applied]);
  const env = { GITHUB_TOKEN: "ghs_test", GITHUB_REPOSITORY: "acme/provisioning", GITHUB_API_URL: gh.url, GITHUB_EVENT_NAME: "push", GITHUB_REF_NAME: "main" };
  const r = await cli(["provision", "detect", "--repo", repo, "--base", cancelledWhilePending, "--head", head, "--since-last-success", "protonkit-provision.yml"], env);
  t.equal(r.code, 0, r.stderr);
  t.same((JSON.parse(r.stdout) as { include: { dir: string }[] }).include.map((e) => e.dir), ["prod/api-db", "prod/api-web"], "both pushes' directories");
  t.match(r.stderr, new RegExp(`diffing from ${applied.slice(0, 12)}, the last successful run on main`));
  const pr = await cli(["provision", "detect", "--repo", repo, "--base", cancelledWhilePending, "--head", head, "--since-last-success", "protonkit-provision.yml"], { ...env, GITHUB_EVENT_NAME: "pull_request" });
  t.same((JSON.parse(pr.stdout) as { include: { dir: string }[] }).include.map((e) => e.dir), ["prod/api-db"], "pull requests keep their own base");
});

t.test("finding 4: one summary decides the required check; a skipped plan fails it", async (t) => {
  const changed = { detect: { result: "success", outputs: { count: "2" } } };
  t.same(decideSummary({ ...changed, plan: { result: "success" }, comment: { result: "success" }, apply: { result: "skipped" } }, "pull_request").ok, true);
  const fork = decideSummary({ ...changed, plan: { result: "skipped" }, comment: { result: "skipped" }, apply: { result: "skipped" } }, "pull_request");
  t.equal(fork.ok, false);
  t.match(fork.lines[0], /plan skipped for 2 changed resource\(s\): pull requests from forks get no credentials/);
  t.equal(decideSummary({ ...changed, plan: { result: "failure" }, comment: { result: "success" } }, "pull_request").ok, false, "a failed plan (policy, limits, providers)");
  t.equal(decideSummary({ ...changed, plan: { result: "cancelled" } }, "pull_request").ok, false);
  t.equal(decideSummary({ ...changed }, "pull_request").ok, false, "a missing plan");
  t.equal(decideSummary({ detect: { result: "failure" } }, "pull_request").ok, false, "a configuration error");
  t.equal(decideSummary({ detect: { result: "success", outputs: { count: "0" } }, plan: { result: "skipped" } }, "pull_request").ok, true, "nothing changed");
  t.equal(decideSummary({ ...changed, apply: { result: "failure" } }, "push").ok, false);
  t.equal(decideSummary({ ...changed, apply: { result: "success" } }, "push").ok, true);
  t.same(parseNeeds('{"detect":{"result":"success","outputs":{"count":"0"}}}'), { detect: { result: "success", outputs: { count: "0" } } });

  // The comment job (no AWS credentials) publishes what the plan job handed over, or says there was none.
  const dir = tmp(t);
  writeSectionFile(path.join(dir, "s", "section.json"), { sha: SHA, sections: [{ dir: "prod", sha: SHA, title: "environment prod", action: "apply", summary: summarizePlan({}) }] });
  t.equal(readSectionFile(path.join(dir, "s", "section.json"), "prod", SHA).sections[0].summary?.add, 0);
  t.match(readSectionFile(path.join(dir, "missing.json"), "prod/api-web", SHA).sections[0].error, /the plan job produced no summary/);
});
