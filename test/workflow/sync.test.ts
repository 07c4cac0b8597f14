import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { PROVISIONING_CONFIG_SCHEMA } from "../../src/provision/config";
import { CONFIG_SCHEMA_PATH, DRIFT_WORKFLOW_PATH, PROVISION_JOBS_WORKFLOW_PATH, PROVISION_WORKFLOW_PATH, syncWorkflow, type FileResult } from "../../generators/workflow/sync";
import { WORKFLOW_SETTINGS_PATH } from "../../generators/workflow/settings";
import { SETTINGS, TOOLKIT_REF, snapshot, tempRepo } from "./helpers";

const CONFIG = ".protonkit/provisioning.yaml";

function statuses(files: readonly FileResult[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f.path, f.status]));
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtonkitError) return err.problems.map((p) => p.toString());
    throw err;
  }
  return [];
}

t.test("init writes the workflow, the schema and both starter files", async (t) => {
  const repo = tempRepo(t);
  const result = syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  t.same(statuses(result.files), {
    [PROVISION_WORKFLOW_PATH]: "created",
    [PROVISION_JOBS_WORKFLOW_PATH]: "created",
    [DRIFT_WORKFLOW_PATH]: "created",
    [CONFIG_SCHEMA_PATH]: "created",
    [CONFIG]: "created",
    [WORKFLOW_SETTINGS_PATH]: "created",
  });
  t.same(result.files.map((f) => f.path), [...result.files.map((f) => f.path)].sort(), "results sorted by path");
  const files = snapshot(repo);
  t.same(Object.keys(files).sort(), [PROVISION_WORKFLOW_PATH, PROVISION_JOBS_WORKFLOW_PATH, DRIFT_WORKFLOW_PATH, CONFIG, CONFIG_SCHEMA_PATH, WORKFLOW_SETTINGS_PATH].sort(), "no temporary files left");
  t.match(files[PROVISION_JOBS_WORKFLOW_PATH], /^# protonkit-owned: .*\(sha256:[0-9a-f]{64}\)\n/);
  t.match(files[WORKFLOW_SETTINGS_PATH], new RegExp(`toolkit_ref: "${TOOLKIT_REF}"`));
  t.notMatch(files[CONFIG], /protonkit-owned/, "the configuration is the user's");
});

t.test("the schema file is the runtime's schema plus the ownership comment, and compiles", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const schema = JSON.parse(fs.readFileSync(path.join(repo, CONFIG_SCHEMA_PATH), "utf8")) as Record<string, unknown>;
  t.match(schema.$comment, /^protonkit-owned: /);
  const { $comment: _comment, ...rest } = schema;
  t.same(rest, PROVISIONING_CONFIG_SCHEMA);
  const validate = new Ajv({ strict: true }).compile(schema);
  const starter = (await import("yaml")).parse(fs.readFileSync(path.join(repo, CONFIG), "utf8")) as unknown;
  t.ok(validate(starter), "the starter configuration satisfies the schema it ships with");
});

t.test("init then update is idempotent: byte-identical, everything unchanged", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const before = snapshot(repo);
  const update = syncWorkflow({ repo, mode: "update" });
  t.same(statuses(update.files), {
    [PROVISION_WORKFLOW_PATH]: "unchanged",
    [PROVISION_JOBS_WORKFLOW_PATH]: "unchanged",
    [DRIFT_WORKFLOW_PATH]: "unchanged",
    [CONFIG_SCHEMA_PATH]: "unchanged",
    [CONFIG]: "kept",
    [WORKFLOW_SETTINGS_PATH]: "kept",
  });
  t.ok(update.inSync);
  t.same(snapshot(repo), before);
  const again = syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  t.same(again.files.filter((f) => f.status !== "unchanged" && f.status !== "kept"), [], "a second init changes nothing");
  t.same(snapshot(repo), before);
});

t.test("output is deterministic across folders", async (t) => {
  const a = tempRepo(t, "one");
  const b = tempRepo(t, "two");
  syncWorkflow({ repo: a, mode: "init", settings: SETTINGS, starter: { account: "210987654321", region: "us-east-2" } });
  syncWorkflow({ repo: b, mode: "init", settings: SETTINGS, starter: { account: "210987654321", region: "us-east-2" } });
  t.same(snapshot(a), snapshot(b));
  for (const text of Object.values(snapshot(a))) t.notMatch(text, new RegExp(a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "no absolute path");
});

t.test("a user-modified owned file is not clobbered without --force", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const file = path.join(repo, PROVISION_JOBS_WORKFLOW_PATH);
  const edited = fs.readFileSync(file, "utf8").replace("timeout-minutes: 15", "timeout-minutes: 25");
  fs.writeFileSync(file, edited);

  const check = syncWorkflow({ repo, mode: "update", check: true });
  t.notOk(check.inSync, "--check reports the drift");
  const update = syncWorkflow({ repo, mode: "update" });
  const result = update.files.find((f) => f.path === PROVISION_JOBS_WORKFLOW_PATH);
  t.equal(result?.status, "skipped");
  t.match(result?.reason, /user-modified.*--force/);
  t.equal(fs.readFileSync(file, "utf8"), edited, "the edit survives");

  const forced = syncWorkflow({ repo, mode: "update", force: true });
  t.equal(forced.files.find((f) => f.path === PROVISION_JOBS_WORKFLOW_PATH)?.status, "updated");
  t.notMatch(fs.readFileSync(file, "utf8"), /timeout-minutes: 25/);
  t.ok(syncWorkflow({ repo, mode: "update", check: true }).inSync);
});

t.test("a file at an owned path that protonkit did not write is skipped too", async (t) => {
  const repo = tempRepo(t);
  const file = path.join(repo, PROVISION_JOBS_WORKFLOW_PATH);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "name: mine\n");
  const init = syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const result = init.files.find((f) => f.path === PROVISION_JOBS_WORKFLOW_PATH);
  t.equal(result?.status, "skipped");
  t.match(result?.reason, /not written by protonkit/);
  t.equal(fs.readFileSync(file, "utf8"), "name: mine\n");
});

t.test("update re-renders a pristine owned file after a settings change, and only that", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const settingsFile = path.join(repo, WORKFLOW_SETTINGS_PATH);
  const newRef = "fedcba9876543210fedcba9876543210fedcba98";
  fs.writeFileSync(settingsFile, fs.readFileSync(settingsFile, "utf8").replace(TOOLKIT_REF, newRef));
  const configFile = path.join(repo, CONFIG);
  fs.writeFileSync(configFile, fs.readFileSync(configFile, "utf8").replace("terraform_version: 1.11.4", "terraform_version: 1.12.2"));
  const update = syncWorkflow({ repo, mode: "update" });
  t.same(statuses(update.files), {
    [PROVISION_WORKFLOW_PATH]: "unchanged",
    [PROVISION_JOBS_WORKFLOW_PATH]: "updated",
    [DRIFT_WORKFLOW_PATH]: "unchanged",
    [CONFIG_SCHEMA_PATH]: "unchanged",
    [CONFIG]: "kept",
    [WORKFLOW_SETTINGS_PATH]: "kept",
  });
  const workflow = fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8");
  t.match(workflow, new RegExp(`ref: "${newRef}"`));
  t.notMatch(workflow, new RegExp(TOOLKIT_REF));
  t.match(workflow, /terraform_version: "1\.12\.2"/);
});

t.test("init never overwrites an existing configuration", async (t) => {
  const repo = tempRepo(t);
  const config = [
    "version: 1",
    "terraform_version: 1.10.5",
    "environments:",
    "  prod:",
    "    plan_role_arn: arn:aws:iam::111111111111:role/plan",
    "    apply_role_arn: arn:aws:iam::111111111111:role/apply",
    "    region: eu-central-1",
    "    state_bucket: acme-state-111111111111",
    "",
  ].join("\n");
  fs.mkdirSync(path.join(repo, ".protonkit"));
  fs.writeFileSync(path.join(repo, CONFIG), config);
  const init = syncWorkflow({ repo, mode: "init", settings: SETTINGS, starter: { region: "us-west-2" } });
  t.equal(init.files.find((f) => f.path === CONFIG)?.status, "kept");
  t.equal(fs.readFileSync(path.join(repo, CONFIG), "utf8"), config);
  t.match(fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8"), /terraform_version: "1\.10\.5"/);
});

t.test("a malformed configuration is an error naming the file and the key", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const configFile = path.join(repo, CONFIG);
  const good = fs.readFileSync(configFile, "utf8");
  const before = snapshot(repo);

  fs.writeFileSync(configFile, good.replace("region: eu-west-1", "region: Europe"));
  const problems = problemsOf(() => syncWorkflow({ repo, mode: "update" }));
  t.equal(problems.length, 1);
  t.match(problems[0], /provisioning\.yaml:\d+: environments\.\*\.region: /);

  fs.writeFileSync(configFile, good.replace("state_bucket:", "state_bukket:"));
  const typo = problemsOf(() => syncWorkflow({ repo, mode: "update" })).join("\n");
  t.match(typo, /provisioning\.yaml/);
  t.match(typo, /state_bukket/);

  fs.writeFileSync(configFile, "version: 1\nenvironments: [\n");
  t.match(problemsOf(() => syncWorkflow({ repo, mode: "update" }))[0], /provisioning\.yaml:\d+: not valid YAML/);

  fs.writeFileSync(configFile, good);
  t.same(snapshot(repo), before, "nothing was written by the failed runs");
});

t.test("malformed workflow settings are an error naming the file, line and key", async (t) => {
  const repo = tempRepo(t);
  fs.mkdirSync(path.join(repo, ".protonkit"));
  fs.writeFileSync(
    path.join(repo, WORKFLOW_SETTINGS_PATH),
    "version: 1\ntoolkit_repository: acme/protonkit\ntoolkit_ref: main\ntimeout_minutes: 0\ncolour: red\nrepository: acme/provisioning\n",
  );
  const problems = problemsOf(() => syncWorkflow({ repo, mode: "update" }));
  t.equal(problems.length, 3);
  t.match(problems.join("\n"), /workflow\.yaml:3: toolkit_ref: must be a full 40-character/);
  t.match(problems.join("\n"), /workflow\.yaml:4: timeout_minutes: /);
  t.match(problems.join("\n"), /workflow\.yaml:5: colour: unknown key/);
  t.same(Object.keys(snapshot(repo)), [WORKFLOW_SETTINGS_PATH], "nothing written");
});

t.test("bad inputs: repository folder, flags, order of commands", async (t) => {
  const repo = tempRepo(t);
  t.match(problemsOf(() => syncWorkflow({ repo: path.join(repo, "missing"), mode: "init", settings: SETTINGS }))[0], /--repo: the provisioning repository does not exist/);
  fs.writeFileSync(path.join(repo, "file"), "");
  t.match(problemsOf(() => syncWorkflow({ repo: path.join(repo, "file"), mode: "init", settings: SETTINGS }))[0], /--repo: .*not a directory/);
  fs.mkdirSync(path.join(repo, "sub"));
  t.match(problemsOf(() => syncWorkflow({ repo: path.join(repo, "sub"), mode: "init", settings: SETTINGS }))[0], /--repo: not the top level of a git repository/);

  t.same(
    problemsOf(() => syncWorkflow({ repo, mode: "init", settings: { repository: "acme/provisioning", toolkit_repository: "acme/protonkit", toolkit_ref: "v1.2.3" } })).map((p) => p.replace(/ \(fix.*/, "")),
    ['command line: --toolkit-ref: must be a full 40-character lowercase commit SHA, found "v1.2.3"'],
  );
  t.match(problemsOf(() => syncWorkflow({ repo, mode: "init", settings: {} })).join("\n"), /--toolkit-repository: is required[\s\S]*--toolkit-ref: is required/);
  t.match(problemsOf(() => syncWorkflow({ repo, mode: "init", settings: SETTINGS, starter: { account: "12", region: "x" } })).join("\n"), /--account: [\s\S]*--region: /);
  t.match(problemsOf(() => syncWorkflow({ repo, mode: "update" }))[0], /workflow\.yaml: the workflow settings file does not exist \(fix: run `protonkit workflow init/);
  t.same(Object.keys(snapshot(repo)), ["file"], "nothing written by the failed runs");

  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  t.match(
    problemsOf(() => syncWorkflow({ repo, mode: "init", settings: { ...SETTINGS, main_branch: "trunk" } }))[0],
    /workflow\.yaml: main_branch: differs from the command line \(--main-branch\)/,
  );
  t.same(syncWorkflow({ repo, mode: "init", settings: SETTINGS }).inSync, true, "repeating the same flags is fine");
});

t.test("update without a configuration still renders, and says the configuration is missing", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  fs.rmSync(path.join(repo, CONFIG));
  const update = syncWorkflow({ repo, mode: "update" });
  t.same(update.files.find((f) => f.path === CONFIG), { path: CONFIG, status: "missing", reason: "run `protonkit workflow init` to write a starter" });
  t.equal(update.files.find((f) => f.path === PROVISION_JOBS_WORKFLOW_PATH)?.status, "unchanged", "default Terraform version = starter's");
});
