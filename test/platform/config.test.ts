import t from "tap";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProtonkitError } from "../../src/errors";
import { loadRepositoryConfig, PLATFORM_CONFIG_PATH } from "../../src/provision/config";
import { migrateConfig } from "../../src/platform/config";
import { syncWorkflow } from "../../generators/workflow/sync";
import { execFileSync } from "node:child_process";
import { CONFIG } from "../provision/helpers";

function repo(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-platform-config-")));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const WORKFLOW = `version: 1
repository: acme/provisioning
toolkit_repository: acme/protonkit
toolkit_ref: ${"a".repeat(40)}
main_branch: trunk
`;

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtonkitError) return e.problems.map((p) => p.toString());
    throw e;
  }
  return [];
}

t.test("migrate-config merges both files, keeps comments, removes them; the runtime reads the result", async (t) => {
  const dir = repo(t, { ".protonkit/provisioning.yaml": `# our accounts\n${CONFIG}`, ".protonkit/workflow.yaml": WORKFLOW });
  const text = migrateConfig(dir, { catalogRepository: "../catalog", accountId: "123456789012", region: "eu-west-1" });
  t.match(text, /^# our accounts/);
  t.match(text, /main_branch: trunk/);
  t.match(text, /workflow:\n {2}repository: acme\/provisioning\n {2}toolkit_repository: acme\/protonkit/);
  t.notOk(fs.existsSync(path.join(dir, ".protonkit/provisioning.yaml")));
  t.notOk(fs.existsSync(path.join(dir, ".protonkit/workflow.yaml")));
  const config = loadRepositoryConfig(dir);
  t.equal(config.source, PLATFORM_CONFIG_PATH);
  t.equal(config.main_branch, "trunk");
  t.same(config.catalog, { repository: "../catalog", ref: "main", bundles: "proton-bundles", deprecated: [] });
  t.equal(config.environments.prod.state_bucket, "acme-tfstate-prod");
  t.equal(config.workflow?.toolkit_ref, "a".repeat(40));
});

t.test("two configuration files that can disagree are refused", async (t) => {
  const dir = repo(t, { [PLATFORM_CONFIG_PATH]: CONFIG, ".protonkit/provisioning.yaml": CONFIG });
  t.same(problems(() => loadRepositoryConfig(dir)), [
    ".protonkit/provisioning.yaml: .protonkit/platform.yaml holds this configuration now; two files that can disagree are refused (fix: run `protonkit platform migrate-config` once, or delete .protonkit/provisioning.yaml after moving its keys into .protonkit/platform.yaml)",
  ]);
});

t.test("unknown keys stay errors in the platform file; migrate writes nothing on a problem", async (t) => {
  const dir = repo(t, { [PLATFORM_CONFIG_PATH]: `${CONFIG}catalog:\n  repository: x\n  reff: main\n` });
  t.same(problems(() => loadRepositoryConfig(dir)), [".protonkit/platform.yaml:19: catalog.reff: unknown key (fix: use one of repository, ref, bundles, deprecated)"]);
  const bad = repo(t, { ".protonkit/provisioning.yaml": CONFIG, ".protonkit/workflow.yaml": WORKFLOW.replace("acme/protonkit", "not a repo") });
  t.equal(problems(() => migrateConfig(bad)).length, 1);
  t.ok(fs.existsSync(path.join(bad, ".protonkit/provisioning.yaml")), "older files kept");
  t.notOk(fs.existsSync(path.join(bad, PLATFORM_CONFIG_PATH)), "nothing written");
});

t.test("after migrate-config, workflow update takes its settings from the platform file", async (t) => {
  const dir = repo(t, { ".protonkit/provisioning.yaml": CONFIG, ".protonkit/workflow.yaml": WORKFLOW });
  execFileSync("git", ["init", "-q", dir]);
  migrateConfig(dir, { catalogRepository: "../catalog", accountId: "123456789012", region: "eu-west-1" });
  const result = syncWorkflow({ repo: dir, mode: "update" });
  t.equal(result.settings.main_branch, "trunk");
  t.equal(result.settings.toolkit_repository, "acme/protonkit");
  t.same(result.files.find((f) => f.path === ".protonkit/platform.yaml")?.status, "kept");
  t.notOk(fs.existsSync(path.join(dir, ".protonkit/workflow.yaml")), "no second settings file written");
});

t.test("migrate-config through the CLI prints the next step: workflow update", async (t) => {
  const dir = repo(t, { ".protonkit/provisioning.yaml": CONFIG, ".protonkit/workflow.yaml": WORKFLOW });
  const out = execFileSync(process.execPath, [path.join(__dirname, "..", "..", "bin", "protonkit.js"), "platform", "migrate-config", "--repo", dir, "--catalog-repository", "../catalog", "--account-id", "123456789012", "--region", "eu-west-1"], { encoding: "utf8" });
  t.match(out, /^wrote \.protonkit\/platform\.yaml; removed the older files\nnext: run `protonkit workflow update --repo .+` and commit \.protonkit\/ and \.github\/workflows\/ \(the workflow gains the platform's jobs: validate, order, propagate\)\n$/);
});
