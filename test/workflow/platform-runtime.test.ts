/**
 * The platform workflow against the runtime: every CLI command and flag it calls exists, and the
 * records hand-over works when the generated scripts run under bash with real git (the apply's
 * fetch and outbox steps, the git reporter as `provision apply` builds it, the record job's
 * forwarding step through the real CLI).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main";
import { PROVISION_JOBS_WORKFLOW_PATH, syncWorkflow } from "../../generators/workflow/sync";
import { RECORDS_BRANCH, RecordsStore, readRecords } from "../../src/platform/records-store";
import { gitReporterFromEnv } from "../../src/provision/git-reporter";
import { event, git, remoteWithClones, tmp } from "../platform/ops-helpers";
import { SETTINGS, allSteps, parseWorkflowYaml, tempRepo, type Step, type Workflow } from "./helpers";

const CLI = path.join(__dirname, "..", "..", "bin", "protonkit.js");
const noSleep = async (): Promise<void> => undefined;

function generated(t: { teardown(fn: () => void): void }): Workflow {
  const repo = tempRepo(t, "platform");
  syncWorkflow({ repo, mode: "init", platform: true, settings: SETTINGS });
  const file = path.join(repo, ".protonkit/platform.yaml");
  fs.appendFileSync(file, 'entitlements:\n  platform_team: platform\n  teams:\n    platform: { directory_group: "CN=p", github_team: acme/platform, templates: ["*"], environments: ["*"] }\n');
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('  # membership_app_id: "234567"', '  membership_app_id: "234567"').replace("  # membership_app_private_key_secret:", "  membership_app_private_key_secret:"));
  syncWorkflow({ repo, mode: "update" });
  return parseWorkflowYaml(fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8"));
}

t.test("every command and flag the platform workflow calls exists in the CLI", async (t) => {
  const wf = generated(t);
  const calls = allSteps(wf).flatMap(({ step }) => {
    const m = step.run === undefined ? null : /exec node "\$PROTONKIT_CLI" ([a-z]+) ([a-z-]+)(.*)$/m.exec(step.run);
    return m ? [{ group: m[1], sub: m[2], flags: [...m[3].matchAll(/(--[a-z][a-z-]*)/g)].map((f) => f[1]) }] : [];
  });
  t.same([...new Set(calls.map((c) => `${c.group} ${c.sub}`))].sort(), [
    "entitlements check",
    "platform order",
    "platform records-forward",
    "platform render",
    "platform summary",
    "provision apply",
    "provision comment",
    "provision detect",
    "provision drift",
    "provision plan",
    "provision report-failure",
    "provision resolve",
    "workflow app-token",
    "workflow update",
  ]);
  const program = buildProgram();
  for (const call of calls) {
    const sub = program.commands.find((c: Command) => c.name() === call.group)?.commands.find((c: Command) => c.name() === call.sub);
    if (!sub) {
      t.fail(`protonkit ${call.group} ${call.sub} does not exist`);
      continue;
    }
    const known = new Set(sub.options.map((o) => o.long));
    for (const flag of call.flags) t.ok(known.has(flag), `protonkit ${call.group} ${call.sub} ${flag}`);
  }
});

function runStep(step: Step | undefined, cwd: string, env: Record<string, string>): string {
  if (!step?.run) throw new Error("no such step");
  return execFileSync("bash", ["-e", "-o", "pipefail", "-c", step.run], { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

t.test("records hand-over: apply records into the outbox, the record job forwards it", async (t) => {
  const wf = generated(t);
  const apply = wf.jobs["apply-instances-apply-test"];
  const record = wf.jobs["record-instances-apply-test"];
  const fetchStep = apply.steps.find((s) => s.name === "Fetch the records branch (recorded outputs and deployments)");
  const outboxStep = apply.steps.find((s) => s.name?.startsWith("Open the records outbox"));
  const forwardStep = record.steps.find((s) => s.name === "Forward the records to the records branch");

  const root = tmp(t);
  const { clones } = remoteWithClones(root, 3);
  const [other, applyWs, recordWs] = clones.map((c) => {
    const ws = path.join(path.dirname(c), `${path.basename(c)}-ws`);
    fs.mkdirSync(ws);
    fs.renameSync(c, path.join(ws, "provisioning"));
    return ws;
  });
  await new RecordsStore({ repo: path.join(other, "provisioning"), remote: "origin", sleep: noSleep }).append([event("test", "SUCCEEDED", { outputs: { vpc: "v1" } })]);

  // The apply job: fetch (read-only), open the outbox, record as `provision apply` does.
  const env = { RECORDS_BRANCH, OUTBOX: path.join(applyWs, "protonkit-outbox"), GITHUB_TOKEN: "read-only" };
  runStep(fetchStep, path.join(applyWs, "provisioning"), env);
  runStep(outboxStep, path.join(applyWs, "provisioning"), env);
  t.equal(fs.readFileSync(path.join(env.OUTBOX, "base"), "utf8").trim(), git(path.join(applyWs, "provisioning"), "rev-parse", `origin/${RECORDS_BRANCH}`));
  // The apply step's environment: the read-only token is there (for the reviewed plan), the mirror is off.
  const logs: string[] = [];
  const reporter = gitReporterFromEnv({
    repo: path.join(applyWs, "provisioning"),
    env: {
      PROTONKIT_RECORDS_REMOTE: apply.env?.PROTONKIT_RECORDS_REMOTE as string,
      PROTONKIT_STATUS_MIRROR: apply.env?.PROTONKIT_STATUS_MIRROR as string,
      GITHUB_TOKEN: "read-only",
      GITHUB_REPOSITORY: "acme/platform",
      GITHUB_API_URL: "http://127.0.0.1:9",
      GITHUB_SHA: "c".repeat(40),
    },
    log: (line) => void logs.push(line),
    required: true,
  });
  await reporter?.report({ arn: "arn:aws:proton:eu-west-1:123456789012:service/api/service-instance/a", deploymentId: "d1", dir: "test/api-a", kind: "service-instance" } as never, "SUCCEEDED", {
    outputs: [{ key: "url", valueString: "https://a" }],
  });
  t.equal(readRecords(path.join(applyWs, "provisioning"), `refs/remotes/origin/${RECORDS_BRANCH}`).resources.has("test/api-a"), false, "nothing reached the real branch from the apply job");
  t.same(logs.filter((l) => /mirror/.test(l)), [], "the apply job does not try to mirror with its read-only token");

  // The cache hands the outbox folder to the record job.
  fs.cpSync(env.OUTBOX, path.join(recordWs, "protonkit-outbox"), { recursive: true });
  const out = runStep(forwardStep, path.join(recordWs, "provisioning"), { OUTBOX: path.join(recordWs, "protonkit-outbox"), RESOURCE_DIR: "test/api-a", PROTONKIT_CLI: CLI, GITHUB_TOKEN: "" });
  t.match(out, /forwarded 1 event\(s\)/);
  git(path.join(other, "provisioning"), "fetch", "-q", "origin", `+refs/heads/${RECORDS_BRANCH}:refs/remotes/origin/${RECORDS_BRANCH}`);
  const state = readRecords(path.join(other, "provisioning"), `refs/remotes/origin/${RECORDS_BRANCH}`);
  t.same(state.resources.get("test/api-a")?.outputs, { url: "https://a" });
  t.same(state.resources.get("test")?.outputs, { vpc: "v1" }, "earlier records kept");

  // A record job whose apply handed nothing over warns and records nothing.
  const empty = runStep(forwardStep, path.join(recordWs, "provisioning"), { OUTBOX: path.join(recordWs, "none"), RESOURCE_DIR: "test/api-b", PROTONKIT_CLI: CLI, GITHUB_TOKEN: "" });
  t.match(empty, /::warning::no records outbox from the apply of test\/api-b/);
});

t.test("validate fails while the committed workflow is stale against platform.yaml (entitlements: added), naming the fix", async (t) => {
  const repo = tempRepo(t, "provisioning");
  syncWorkflow({ repo, mode: "init", platform: true, settings: SETTINGS });
  const wf = parseWorkflowYaml(fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8"));
  const step = wf.jobs.validate.steps.find((s) => s.name === "Check the committed workflow against .protonkit/platform.yaml");
  const env = { PROTONKIT_CLI: CLI };
  t.match(runStep(step, repo, env), /^unchanged +\.github\/workflows\/protonkit-provision-jobs\.yml$/m, "in sync: passes");

  fs.appendFileSync(path.join(repo, ".protonkit/platform.yaml"), 'entitlements:\n  platform_team: platform\n  teams:\n    platform: { directory_group: "CN=p", github_team: acme/platform, templates: ["*"], environments: ["*"] }\n');
  const before = fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8");
  const stale = (() => {
    try {
      runStep(step, repo, env);
      return undefined;
    } catch (err) {
      return err as { status: number; stdout: string; stderr: string };
    }
  })();
  t.equal(stale?.status, 1, "the job fails");
  t.match(stale?.stdout, /^would update +\.github\/workflows\/protonkit-provision-jobs\.yml$/m);
  t.match(stale?.stderr, /stale against \.protonkit\/platform\.yaml \(fix: run `protonkit workflow update --repo <this repository>` and commit/);
  t.equal(fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8"), before, "--check writes nothing");

  syncWorkflow({ repo, mode: "update" });
  t.match(fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8"), /^  entitlements:$/m, "update adds the entitlements job");
  runStep(step, repo, env);

  // A pull request that bumps the toolkit is checked by the new toolkit once merged.
  const config = path.join(repo, ".protonkit/platform.yaml");
  fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace(SETTINGS.toolkit_ref as string, "f".repeat(40)));
  t.match(runStep(step, repo, env), /^not checked: the configuration pins toolkit f{40}, this check runs 0123456789abcdef/m);
});
