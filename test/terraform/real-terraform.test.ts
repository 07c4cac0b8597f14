// End-to-end: the real renderer and the real Terraform CLI over test/fixtures/tftest, offline,
// with the AWS provider from the filesystem mirror (PROTONKIT_PLUGIN_DIR).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import t from "tap";
import * as renderer from "../../src/render";
import { terraformSettings } from "../../src/terraform/cli";
import { diskUsage } from "../../src/terraform/disk";
import { runTemplateTests, type TemplateTestOptions } from "../../src/terraform/template-tests";
import { formatFailures } from "../../src/terraform/test-report";
import { copyFixture, FIXTURE, PLUGIN_DIR } from "./helpers";

const hasTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const skip = !hasTerraform ? "terraform is not on PATH" : !PLUGIN_DIR ? "no provider mirror (set PROTONKIT_PLUGIN_DIR)" : false;
const BIN = path.resolve(__dirname, "..", "..", "bin", "protonkit.js");

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pk-real-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function opts(extra: Partial<TemplateTestOptions> & { bundlesDir: string; examplesDir: string }): TemplateTestOptions {
  return { settings: terraformSettings({ pluginDir: PLUGIN_DIR }, {}), concurrency: 2, ...extra };
}

t.test("the fixture template passes in parallel: own assertions, baseline, one shared provider", { skip }, async (t) => {
  const work = scratch(t);
  const fx = copyFixture(path.join(work, "fixture"));
  fs.copyFileSync(path.join(fx.examples, "tiny-env/specs/dev.yaml"), path.join(fx.examples, "tiny-env/specs/qa.yaml"));
  const run = await runTemplateTests(opts({ bundlesDir: fx.bundles, examplesDir: fx.examples, keep: true, workDir: path.join(work, "tmp") }), { renderer });
  t.ok(run.ok, formatFailures(run));
  t.same(run.results.map((r) => r.resource), ["dev", "qa"]);
  const r = run.results[0]!;
  t.match(r, { template: "tiny-env", version: "v1", spec: "tiny-env/specs/dev.yaml", resource: "dev", kind: "environment", status: "passed" });
  t.same(
    Object.values(r.steps).map((s) => s.status),
    ["passed", "passed", "passed", "passed", "passed"],
  );
  t.same(r.runs, { passed: 3, failed: 0 }, "names, mocked (own mock_provider kept) and the baseline");
  t.same(r.outputs, ["bucket_arn", "bucket_name", "queue_url"]);

  // The rendered directory: Proton's files, the generated test directory, no variables block needed.
  const dir = r.dir!;
  t.ok(fs.existsSync(path.join(dir, "proton.auto.tfvars.json")));
  t.ok(fs.existsSync(path.join(dir, "proton.environment.variables.tf")));
  t.notMatch(fs.readFileSync(path.join(dir, "protonkit-tests", "protonkit-baseline.tftest.hcl"), "utf8"), /variables\s*\{/);

  // One provider installation: in every directory a link into the mirror, a few KB.
  for (const res of run.results) {
    const arch = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
    const link = path.join(res.dir!, ".terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0", arch);
    t.ok(fs.lstatSync(link).isSymbolicLink(), `${res.resource}: the provider package is a symbolic link`);
    t.ok(fs.realpathSync(link).startsWith(fs.realpathSync(PLUGIN_DIR!)), `${res.resource}: into the plugin directory`);
    t.ok(res.providers?.shared);
    const bytes = diskUsage(path.join(res.dir!, ".terraform"));
    t.ok(bytes < 256 * 1024, `${res.resource}: .terraform takes ${bytes} bytes`);
    t.ok(res.diskBytes < 1024 * 1024, `${res.resource}: the whole test directory takes ${res.diskBytes} bytes`);
  }
  fs.rmSync(run.workRoot, { recursive: true, force: true });
});

t.test("without a plugin directory, a CLI-config mirror and one plugin cache are shared too", { skip }, async (t) => {
  const work = scratch(t);
  const cli = path.join(work, "cli.tfrc");
  fs.writeFileSync(
    cli,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(PLUGIN_DIR)}\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  const run = await runTemplateTests(
    {
      bundlesDir: path.join(FIXTURE, "proton-bundles"),
      examplesDir: path.join(FIXTURE, "stacks"),
      settings: terraformSettings({ cliConfig: cli }, {}),
      concurrency: 2,
      workDir: work,
      env: { ...process.env, TF_PLUGIN_CACHE_DIR: "" },
    },
    { renderer },
  );
  t.ok(run.ok, formatFailures(run));
  t.equal(run.providerSharing, "plugin-cache");
  const r = run.results[0]!;
  t.ok(r.providers?.shared);
  t.match(r.providers?.targets[0], /\.plugin-cache\/registry\.terraform\.io\/hashicorp\/aws\//);
});

t.test("a failing template assertion, a null output and an untagged provider fail the run with their messages", { skip }, async (t) => {
  const work = scratch(t);
  const fx = copyFixture(path.join(work, "fixture"));
  const names = path.join(fx.examples, "tiny-env/tests/names.tftest.hcl");
  fs.writeFileSync(names, fs.readFileSync(names, "utf8").replace("\"acme-${var.environment.name}-logs\"", '"acme-prod-logs"'));
  t.match(fs.readFileSync(names, "utf8"), /"acme-prod-logs"/, "the fixture assertion now expects another name");
  fs.appendFileSync(path.join(fx.bundles, "tiny-env/v1/infrastructure/outputs.tf"), '\noutput "nothing" {\n  value = null\n}\n');
  const main = path.join(fx.bundles, "tiny-env/v1/infrastructure/main.tf");
  fs.writeFileSync(main, fs.readFileSync(main, "utf8").replace("tags = var.proton_tags", "tags = merge(var.proton_tags, { team = \"x\" })"));
  const run = await runTemplateTests(opts({ bundlesDir: fx.bundles, examplesDir: fx.examples, workDir: path.join(work, "tmp") }), { renderer });
  t.notOk(run.ok);
  const r = run.results[0]!;
  t.equal(r.status, "failed");
  t.equal(r.steps.test.status, "failed");
  t.same(r.runs, { passed: 1, failed: 2 });
  t.match(r.steps.test.output, /Error: Test assertion failed/);
  t.match(r.steps.test.output, /log bucket must be named <prefix>-<environment>-logs/);
  t.match(r.steps.test.output, /output "nothing" is null after apply/);
  t.match(r.steps.test.output, /Failure! 1 passed, 2 failed\./);
  t.equal(r.steps.tags.status, "failed");
  t.match(r.steps.tags.output, /main\.tf:\d+: provider "aws" default_tags\.tags is merge\(var\.proton_tags, \{ team = "x" \}\): it must be var\.proton_tags/);

  // The same through the CLI: exit code 1, the message on stderr, the report on disk.
  const report = path.join(work, "report.json");
  const cliRun = spawnSync(process.execPath, [BIN, "test", "--bundles", fx.bundles, "--examples", fx.examples, "--plugin-dir", PLUGIN_DIR!, "--report", report], {
    encoding: "utf8",
    env: { ...process.env, TMPDIR: path.join(work, "tmp") },
  });
  t.equal(cliRun.status, 1);
  t.match(cliRun.stdout, /tiny-env\s+v1\s+tiny-env\/specs\/dev\.yaml\s+dev\s+ok\s+ok\s+FAIL\s+FAIL\s+1\/3/);
  t.match(cliRun.stderr, /--- tiny-env v1 tiny-env\/specs\/dev\.yaml dev: test failed ---/);
  t.match(cliRun.stderr, /log bucket must be named/);
  t.match(cliRun.stderr, /dev: tags failed ---\nmain\.tf:\d+: /);
  t.match(cliRun.stderr, /protonkit: 1 of 1 template test\(s\) failed/);
  const json = JSON.parse(fs.readFileSync(report, "utf8")) as { ok: boolean; results: { steps: { test: { output: string } } }[] };
  t.equal(json.ok, false);
  t.match(json.results[0]!.steps.test.output, /output "nothing" is null/);
});

t.test("the CLI names a missing Terraform and how to get one", async (t) => {
  const res = spawnSync(process.execPath, [BIN, "test", "--bundles", path.join(FIXTURE, "proton-bundles"), "--examples", path.join(FIXTURE, "stacks"), "--terraform", "/nonexistent/terraform"], {
    encoding: "utf8",
  });
  t.equal(res.status, 1);
  t.match(res.stderr, /protonkit: --terraform \/ PROTONKIT_TERRAFORM: cannot run Terraform at "\/nonexistent\/terraform"/);
  t.match(res.stderr, /install Terraform >= 1\.6 .*or pass --terraform \/path\/to\/terraform/);
  const env = spawnSync(process.execPath, [BIN, "test", "--bundles", path.join(FIXTURE, "proton-bundles"), "--examples", path.join(FIXTURE, "stacks")], {
    encoding: "utf8",
    env: { ...process.env, PROTONKIT_TERRAFORM: "/nonexistent/tf-from-env" },
  });
  t.equal(env.status, 1);
  t.match(env.stderr, /cannot run Terraform at "\/nonexistent\/tf-from-env"/);
});
