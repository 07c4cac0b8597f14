import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { runTerraform, type TerraformSettings } from "../../src/terraform/cli";
import {
  findTemplateTests,
  parseTestCounts,
  requireMockProviders,
  resolveConcurrency,
  resolveTimeout,
  runTemplateTests,
  tailOutput,
  type RenderCall,
  type TemplateTestOptions,
} from "../../src/terraform/template-tests";
import { formatFailures, formatTable, jsonReport } from "../../src/terraform/test-report";
import { importedSharedModules, sharedTestDirs, testFileName } from "../../src/terraform/shared-tests";
import { copyFixture, fakeRenderer, fakeTerraform } from "./helpers";

const SETTINGS: TerraformSettings = { binary: "terraform", pluginDir: "/mirror" };
const noCheck = (): string => "1.11.4-fake";

function tree(t: { teardown(fn: () => void): void }, specs = 1): { root: string; bundles: string; examples: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pk-runner-"));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const { bundles, examples } = copyFixture(path.join(root, "fixture"));
  for (let i = 2; i <= specs; i++) fs.copyFileSync(path.join(examples, "tiny-env/specs/dev.yaml"), path.join(examples, `tiny-env/specs/dev${i}.yaml`));
  return { root, bundles, examples };
}

function options(o: { root: string; bundles: string; examples: string }, extra: Partial<TemplateTestOptions> = {}): TemplateTestOptions {
  return { bundlesDir: o.bundles, examplesDir: o.examples, settings: SETTINGS, workDir: path.join(o.root, "work"), concurrency: 2, ...extra };
}

t.test("batched: one init and one terraform test for every spec of a template version and kind", async (t) => {
  const fx = tree(t, 7);
  const tf = fakeTerraform();
  const run = await runTemplateTests(options(fx, { keep: true }), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck });
  t.equal(run.strategy, "batched");
  t.equal(run.results.length, 7, "one result per spec");
  t.same(
    tf.calls.map((c) => c.args[0]),
    ["init", "test"],
    "two Terraform processes for seven specs",
  );
  t.equal(run.terraformProcesses, 2);
  t.equal(new Set(run.results.map((r) => r.dir)).size, 1, "one shared working directory");
  const files = fs.readdirSync(path.join(run.results[0]!.dir!, "protonkit-tests")).sort();
  t.equal(files.length, 7 * 3, "each spec has its own copy of every test file and its own baseline");
  t.ok(files.includes("dev2-dev2--names.tftest.hcl") && files.includes("dev2-dev2--protonkit-baseline.tftest.hcl"));
  t.notOk(fs.existsSync(path.join(run.results[0]!.dir!, "proton.auto.tfvars.json")), "no spec's tfvars in the shared directory");
  t.ok(run.ok);
});

t.test("the first spec runs each template test file whole; later specs run the runs that check the spec; the baseline plans", async (t) => {
  const fx = tree(t, 3);
  fs.writeFileSync(
    path.join(fx.examples, "tiny-env/tests/scenarios.tftest.hcl"),
    'run "spec_check" {\n  command = plan\n}\n\nrun "scenario" {\n  command = plan\n  variables {\n    environment = { name = "x", inputs = {} }\n  }\n}\n',
  );
  const run = await runTemplateTests(options(fx, { keep: true }), { renderer: fakeRenderer(), terraform: fakeTerraform().exec, checkTerraform: noCheck });
  const dir = path.join(run.results[0]!.dir!, "protonkit-tests");
  const first = fs.readFileSync(path.join(dir, "dev-dev--scenarios.tftest.hcl"), "utf8");
  const later = fs.readFileSync(path.join(dir, "dev2-dev2--scenarios.tftest.hcl"), "utf8");
  t.match(first, /run "scenario"/);
  t.notMatch(later, /run "scenario"/, "the scenario sets its own variables: it ran with the first spec");
  t.match(later, /run "spec_check"/);
  t.equal(later.split("\n").indexOf('run "spec_check" {'), first.split("\n").indexOf('run "spec_check" {'));
  t.same(
    run.results.map((r) => r.testFiles.find((f) => f.file.endsWith("--scenarios.tftest.hcl"))?.runsLeftOut),
    [undefined, ["scenario"], ["scenario"]],
  );
  const baseline = fs.readFileSync(path.join(dir, "dev3-dev3--protonkit-baseline.tftest.hcl"), "utf8");
  t.match(baseline, /mock_provider "aws" \{\n {2}override_during = plan\n/);
  t.match(baseline, /run "protonkit_baseline" \{\n {2}command = plan\n/);
});

t.test("groups run costliest first, so a long one does not start last", async (t) => {
  const fx = tree(t, 4);
  fs.cpSync(path.join(fx.bundles, "tiny-env"), path.join(fx.bundles, "a-small-env"), { recursive: true });
  fs.mkdirSync(path.join(fx.examples, "a-small-env/specs"), { recursive: true });
  fs.copyFileSync(path.join(fx.examples, "tiny-env/specs/dev.yaml"), path.join(fx.examples, "a-small-env/specs/dev.yaml"));
  const tf = fakeTerraform();
  await runTemplateTests(options(fx, { concurrency: 1 }), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck });
  t.same(
    tf.calls.filter((c) => c.args[0] === "test").map((c) => path.basename(c.cwd)),
    ["tiny-env-v1-environment", "a-small-env-v1-environment"],
    "four specs with two test files each before one spec without any",
  );
});

t.test("mocked providers: terraform test attaches to one shared process, unless a test file configures the provider for real", async (t) => {
  const fx = tree(t, 2);
  const initWithProvider = (args: readonly string[], cwd: string): Partial<{ code: number }> => {
    if (args[0] === "init") {
      const pkg = path.join(cwd, ".terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64");
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(path.join(pkg, "terraform-provider-aws_v5.0.0_x5"), "");
    }
    return {};
  };
  const started: string[] = [];
  let stopped = 0;
  const startProvider = async (binary: string): Promise<{ reattach: Record<string, unknown>; stop: () => Promise<void> }> => {
    started.push(binary);
    return { reattach: { "registry.terraform.io/hashicorp/aws": { Pid: 1, Test: true } }, stop: async () => void stopped++ };
  };
  const tf = fakeTerraform(initWithProvider);
  const run = await runTemplateTests(options(fx), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck, startProvider });
  t.equal(started.length, 1);
  t.equal(run.sharedProviders, 1);
  t.equal(stopped, 1, "stopped when the run ends");
  const test = tf.calls.find((c) => c.args[0] === "test")!;
  t.same(JSON.parse(test.env.TF_REATTACH_PROVIDERS ?? "{}"), { "registry.terraform.io/hashicorp/aws": { Pid: 1, Test: true } });
  t.equal(tf.calls.find((c) => c.args[0] === "init")!.env.TF_REATTACH_PROVIDERS, undefined, "init installs as before");
  t.match(formatTable(run), /2 Terraform processes, 1 shared provider process, batched/);

  // A test file with a real provider block would configure the shared process: not shared then.
  fs.writeFileSync(path.join(fx.examples, "tiny-env/tests/real.tftest.hcl"), 'provider "aws" {\n  region = "eu-west-1"\n}\n\nrun "x" {\n  command = plan\n}\n');
  const tf2 = fakeTerraform(initWithProvider);
  const own = await runTemplateTests(options(fx), { renderer: fakeRenderer(), terraform: tf2.exec, checkTerraform: noCheck, startProvider });
  t.equal(own.sharedProviders, 0);
  t.equal(tf2.calls.find((c) => c.args[0] === "test")!.env.TF_REATTACH_PROVIDERS, undefined);
  // Nor when the caller attached providers of their own.
  const tf3 = fakeTerraform(initWithProvider);
  fs.rmSync(path.join(fx.examples, "tiny-env/tests/real.tftest.hcl"));
  const theirs = await runTemplateTests(options(fx, { env: { ...process.env, TF_REATTACH_PROVIDERS: '{"x":{}}' } }), {
    renderer: fakeRenderer(),
    terraform: tf3.exec,
    checkTerraform: noCheck,
    startProvider,
  });
  t.equal(theirs.sharedProviders, 0);
  t.equal(tf3.calls.find((c) => c.args[0] === "test")!.env.TF_REATTACH_PROVIDERS, '{"x":{}}');
});

t.test("per-directory (the old strategy): never runs more directories at once than the concurrency bound", async (t) => {
  const fx = tree(t, 7);
  for (const limit of [1, 3]) {
    const tf = fakeTerraform(undefined, 15);
    const run = await runTemplateTests(options(fx, { concurrency: limit, strategy: "per-directory" }), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck });
    t.equal(run.concurrency, limit);
    t.equal(run.results.length, 7, "one result per spec");
    t.equal(tf.calls.length, 21, "init, validate and test per directory");
    t.equal(tf.maxInFlight(), limit, `at most ${limit} in flight, and the bound is used`);
    t.ok(run.ok);
  }
});

t.test("concurrency comes from the flag, then PROTONKIT_TEST_CONCURRENCY, then the CPU count", async (t) => {
  t.equal(resolveConcurrency("3", { PROTONKIT_TEST_CONCURRENCY: "5" }), 3);
  t.equal(resolveConcurrency(undefined, { PROTONKIT_TEST_CONCURRENCY: "5" }), 5);
  t.equal(resolveConcurrency(undefined, {}), os.availableParallelism());
  t.throws(() => resolveConcurrency("0", {}), /concurrency must be a positive whole number, got "0".*--concurrency/s);
  t.throws(() => resolveConcurrency(undefined, { PROTONKIT_TEST_CONCURRENCY: "many" }), /PROTONKIT_TEST_CONCURRENCY/);
});

t.test("runs init offline without backend, then test (which validates) in the generated test directory", async (t) => {
  const fx = tree(t);
  const tf = fakeTerraform();
  const run = await runTemplateTests(options(fx), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck });
  t.same(
    tf.calls.map((c) => c.args),
    [
      ["init", "-input=false", "-no-color", "-plugin-dir=/mirror", "-backend=false"],
      ["test", "-no-color", "-json", "-test-directory=protonkit-tests"],
    ],
  );
  const env = tf.calls[0]!.env;
  t.equal(env.AWS_EC2_METADATA_DISABLED, "true");
  t.equal(env.TF_IN_AUTOMATION, "1");
  t.equal(env.TF_PLUGIN_CACHE_DIR, undefined, "the plugin directory is the shared installation");
  t.equal(run.providerSharing, "plugin-dir");
  t.notOk(fs.existsSync(run.workRoot), "temporary directories are removed");
  const r = run.results[0]!;
  t.same(
    r.testFiles.map((f) => [f.file, f.source, f.mocksAdded]),
    [
      ["dev-dev--mocked.tftest.hcl", "tiny-env/tests/mocked.tftest.hcl", []],
      ["dev-dev--names.tftest.hcl", "tiny-env/tests/names.tftest.hcl", ["aws"]],
      ["dev-dev--protonkit-baseline.tftest.hcl", "generated", []],
    ],
  );
  t.same(r.outputs, ["bucket_arn", "bucket_name", "queue_url"]);
});

t.test("--keep keeps the rendered directories with their test files", async (t) => {
  const fx = tree(t);
  const run = await runTemplateTests(options(fx, { keep: true }), { renderer: fakeRenderer(), terraform: fakeTerraform().exec, checkTerraform: noCheck });
  t.ok(run.kept);
  const dir = run.results[0]!.dir!;
  t.ok(dir.startsWith(run.workRoot));
  t.same(fs.readdirSync(path.join(dir, "protonkit-tests")).sort(), ["dev-dev--mocked.tftest.hcl", "dev-dev--names.tftest.hcl", "dev-dev--protonkit-baseline.tftest.hcl"]);
  t.ok(fs.existsSync(path.join(dir, "tests", "names.tftest.hcl")), "the template's tests/ tree is there for ./tests/... references");
  t.match(jsonReport(run), /"workRoot": /);
});

t.test("without a plugin directory, inits share one plugin cache and run one at a time", async (t) => {
  const fx = tree(t, 4);
  const tf = fakeTerraform();
  const run = await runTemplateTests(options(fx, { settings: { binary: "terraform" }, concurrency: 4, strategy: "per-directory" }), {
    renderer: fakeRenderer(),
    terraform: tf.exec,
    checkTerraform: noCheck,
  });
  t.equal(run.providerSharing, "plugin-cache");
  const caches = new Set(tf.calls.map((c) => c.env.TF_PLUGIN_CACHE_DIR));
  t.equal(caches.size, 1);
  t.match([...caches][0], /\.plugin-cache$/);
  t.equal(tf.calls[0]!.env.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE, "true");
  t.equal(tf.maxInFlight("init"), 1, "inits are serialized");
  t.ok(tf.maxInFlight("test") > 1, "tests still run in parallel");
});

function jsonLines(results: Record<string, Record<string, "pass" | "fail">>, diagnostics: { file: string; run: string; summary: string; detail: string; line: number }[]): string {
  const lines: object[] = [{ type: "test_abstract", test_abstract: Object.fromEntries(Object.entries(results).map(([f, runs]) => [`protonkit-tests/${f}`, Object.keys(runs)])) }];
  let passed = 0;
  let failed = 0;
  for (const [f, runs] of Object.entries(results)) {
    const path = `protonkit-tests/${f}`;
    for (const [run, status] of Object.entries(runs)) {
      lines.push({ type: "test_run", "@testfile": path, "@testrun": run, test_run: { path, run, progress: "complete", status } });
      if (status === "pass") passed++;
      else failed++;
      for (const d of diagnostics.filter((x) => x.file === f && x.run === run)) {
        lines.push({
          type: "diagnostic",
          "@testfile": path,
          "@testrun": run,
          diagnostic: { severity: "error", summary: d.summary, detail: d.detail, range: { filename: path, start: { line: d.line } } },
        });
      }
    }
    lines.push({ type: "test_file", "@testfile": path, test_file: { path, progress: "complete", status: Object.values(runs).includes("fail") ? "fail" : "pass" } });
  }
  lines.push({ type: "test_summary", test_summary: { status: failed ? "fail" : "pass", passed, failed } });
  return `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
}

t.test("a failing assertion fails its spec only, and its message is in the failure output, table and report", async (t) => {
  const fx = tree(t, 2);
  const stdout = jsonLines(
    {
      "dev-dev--mocked.tftest.hcl": { outputs_come_from_resources: "pass" },
      "dev-dev--names.tftest.hcl": { names_follow_the_spec: "pass" },
      "dev-dev--protonkit-baseline.tftest.hcl": { protonkit_baseline: "pass" },
      "dev2-dev2--mocked.tftest.hcl": { outputs_come_from_resources: "pass" },
      "dev2-dev2--names.tftest.hcl": { names_follow_the_spec: "fail" },
      "dev2-dev2--protonkit-baseline.tftest.hcl": { protonkit_baseline: "pass" },
    },
    [{ file: "dev2-dev2--names.tftest.hcl", run: "names_follow_the_spec", summary: "Test assertion failed", detail: "log bucket must be named <prefix>-<environment>-logs", line: 7 }],
  );
  const tf = fakeTerraform((args) => (args[0] === "test" ? { code: 1, stdout } : {}));
  let now = 0;
  const run = await runTemplateTests(options(fx), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck, now: () => (now += 250) });
  t.notOk(run.ok);
  t.same(run.summary, { total: 2, passed: 1, failed: 1, skipped: 0 });
  const [ok, bad] = run.results;
  t.equal(ok!.status, "passed");
  t.same(ok!.runs, { passed: 3, failed: 0 });
  t.equal(bad!.status, "failed");
  t.equal(bad!.steps.test.status, "failed");
  t.same(bad!.runs, { passed: 2, failed: 1 });
  t.match(bad!.steps.test.output, /protonkit-tests\/dev2-dev2--names\.tftest\.hcl: run "names_follow_the_spec" fail/);
  t.match(bad!.steps.test.output, /Error: Test assertion failed\n {2}on protonkit-tests\/dev2-dev2--names\.tftest\.hcl line 7, in run "names_follow_the_spec"\n\nlog bucket must be named <prefix>-<environment>-logs/);

  const table = formatTable(run).split("\n");
  t.match(table[0], /^TEMPLATE\s+VERSION\s+SPEC\s+RESOURCE\s+INIT\s+TEST\s+TAGS\s+RUNS\s+TIME$/);
  t.match(table[1], /^tiny-env\s+v1\s+tiny-env\/specs\/dev\.yaml\s+dev\s+ok\s+ok\s+ok\s+3\/3\s+\d+\.\ds$/);
  t.match(table[2], /^tiny-env\s+v1\s+tiny-env\/specs\/dev2\.yaml\s+dev2\s+ok\s+FAIL\s+ok\s+2\/3\s+\d+\.\ds$/);
  t.match(table[4], /^FAIL: 1 passed, 1 failed, 0 without example spec, 2 total in .* \(Terraform 1\.11\.4-fake, 2 Terraform processes, batched, concurrency 2, providers via plugin-dir/);

  const failures = formatFailures(run);
  t.match(failures, /^--- tiny-env v1 tiny-env\/specs\/dev2\.yaml dev2: test failed ---\n/);
  t.notMatch(failures, /dev\.yaml dev:/, "the passing spec is not in the failures");
  t.match(failures, /Error: Test assertion failed/);

  const report = JSON.parse(jsonReport(run)) as {
    ok: boolean;
    summary: { failed: number };
    workRoot?: string;
    results: { spec: string; status: string; steps: { test: { status: string; output?: string } }; runs: { failed: number }; dir?: string }[];
  };
  t.equal(report.ok, false);
  t.equal(report.summary.failed, 1);
  t.equal(report.workRoot, undefined, "no paths to directories that are gone");
  t.same(report.results.map((r) => [r.spec, r.status]), [
    ["tiny-env/specs/dev.yaml", "passed"],
    ["tiny-env/specs/dev2.yaml", "failed"],
  ]);
  t.match(report.results[1]!.steps.test.output, /log bucket must be named/);
  t.equal(report.results[1]!.dir, undefined);
  t.equal((report as unknown as { terraformProcesses: number }).terraformProcesses, 2);
});

t.test("init and validate failures stop the later steps", async (t) => {
  const fx = tree(t, 2);
  const tf = fakeTerraform((args, cwd) =>
    args[0] === "init" && cwd.endsWith("dev")
      ? { code: 1, stderr: "Error: Failed to query available provider packages\n" }
      : args[0] === "validate"
        ? { code: 1, stderr: 'Error: Reference to undeclared input variable\n\n  on main.tf line 3:\n   3:   x = var.nope\n' }
        : {},
  );
  const run = await runTemplateTests(options(fx, { strategy: "per-directory" }), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck });
  const [dev, dev2] = run.results;
  t.same([dev!.steps.init.status, dev!.steps.validate.status, dev!.steps.test.status], ["failed", "skipped", "skipped"]);
  t.same([dev2!.steps.init.status, dev2!.steps.validate.status, dev2!.steps.test.status], ["passed", "failed", "skipped"]);
  t.match(formatFailures(run), /dev\.yaml dev: init failed ---\nError: Failed to query/);
  t.match(formatFailures(run), /dev2: validate failed ---\nError: Reference to undeclared input variable/);
  t.equal(tf.calls.filter((c) => c.args[0] === "test").length, 0);
});

t.test("a template without Proton tags on its provider fails the tags step", async (t) => {
  const fx = tree(t);
  const main = path.join(fx.bundles, "tiny-env/v1/infrastructure/main.tf");
  fs.writeFileSync(main, fs.readFileSync(main, "utf8").replace("tags = var.proton_tags", 'tags = { team = "x" }'));
  const run = await runTemplateTests(options(fx), { renderer: fakeRenderer(), terraform: fakeTerraform().exec, checkTerraform: noCheck });
  t.notOk(run.ok);
  t.equal(run.results[0]!.steps.tags.status, "failed");
  t.match(run.results[0]!.steps.tags.output, /^main\.tf:10: provider "aws" default_tags\.tags is \{ team = "x" \}: it must be var\.proton_tags/);
});

t.test("render failures, templates without specs and selectors", async (t) => {
  const fx = tree(t);
  fs.cpSync(path.join(fx.bundles, "tiny-env"), path.join(fx.bundles, "lonely-env"), { recursive: true });
  fs.cpSync(path.join(fx.bundles, "tiny-env/v1"), path.join(fx.bundles, "tiny-env/v2"), { recursive: true });
  fs.writeFileSync(path.join(fx.examples, "tiny-env/specs/broken.yml"), "proton: EnvironmentSpec\n");
  const tf = fakeTerraform();
  const run = await runTemplateTests(options(fx), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck });
  t.same(
    run.results.map((r) => [r.template, r.version, r.spec, r.status]),
    [
      ["lonely-env", "v1", "-", "skipped"],
      ["tiny-env", "v1", "tiny-env/specs/broken.yml", "failed"],
      ["tiny-env", "v1", "tiny-env/specs/dev.yaml", "passed"],
      ["tiny-env", "v2", "tiny-env/specs/broken.yml", "failed"],
      ["tiny-env", "v2", "tiny-env/specs/dev.yaml", "passed"],
    ],
  );
  t.match(run.results[1]!.steps.render.output, /broken\.yml: spec: expected a mapping/);
  t.match(formatTable(run), /lonely-env\s+v1\s+-\s+\(no example spec\)/);
  t.match(formatTable(run), /tiny-env\s+v1\s+tiny-env\/specs\/broken\.yml\s+\(render failed\)/);

  const only = await runTemplateTests(options(fx, { templates: ["tiny-env/v2"] }), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck });
  t.same([...new Set(only.results.map((r) => `${r.template}/${r.version}`))], ["tiny-env/v2"]);
  await t.rejects(
    runTemplateTests(options(fx, { templates: ["nope", "tiny-env/v9"] }), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck }),
    { name: "ProtonkitError", message: /2 unknown template selector\(s\)\n {2}- template: no template version "nope".*pick one of: lonely-env, tiny-env/s },
  );
  await t.rejects(
    runTemplateTests(options(fx, { bundlesDir: path.join(fx.root, "missing") }), { renderer: fakeRenderer(), terraform: tf.exec, checkTerraform: noCheck }),
    /bundles directory .*missing does not exist/,
  );
});

t.test("a missing Terraform is a clear error before anything is rendered", async (t) => {
  const fx = tree(t);
  const calls: unknown[] = [];
  const err = await runTemplateTests(options(fx, { settings: { binary: path.join(fx.root, "no-such-terraform") } }), {
    renderer: fakeRenderer(calls as never[]),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ProtonkitError);
  t.match((err as Error).message, /cannot run Terraform at ".*no-such-terraform"/);
  t.match((err as Error).message, /install Terraform >= 1\.6 \(https:\/\/developer\.hashicorp\.com\/terraform\/install\).*--terraform/);
  t.equal(calls.length, 0);
  t.notOk(fs.existsSync(path.join(fx.root, "work")) && fs.readdirSync(path.join(fx.root, "work")).length > 0, "no temporary directory left");
});

t.test("service templates split their tests by deployment kind and major version", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pk-split-"));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const tests = path.join(root, "svc", "tests");
  for (const f of ["a.tftest.hcl", "instance/b.tftest.hcl", "pipeline/c.tftest.hcl", "v2/instance/d.tftest.hcl", "v1/e.tftest.hcl", "instance/notes.md"]) {
    fs.mkdirSync(path.dirname(path.join(tests, f)), { recursive: true });
    fs.writeFileSync(path.join(tests, f), "");
  }
  const rel = (files: string[]): string[] => files.map((f) => path.relative(tests, f));
  const v2 = { template: "svc", major: "2", bundleDir: "" };
  t.same(rel(findTemplateTests(root, v2, "service_instance")), ["a.tftest.hcl", "instance/b.tftest.hcl", "v2/instance/d.tftest.hcl"]);
  t.same(rel(findTemplateTests(root, v2, "pipeline")), ["pipeline/c.tftest.hcl"]);
  t.same(rel(findTemplateTests(root, { ...v2, major: "1" }, "environment")), ["a.tftest.hcl", "v1/e.tftest.hcl"]);
});

t.test("a template runs the tests of the shared modules it imports (directly, not as types), under shared- names", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pk-shared-"));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const write = (f: string, text = ""): void => {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  };
  write("svc/stack.ts", 'import { Fn } from "cdktf";\nimport {\n  addPipeline,\n  other,\n} from "../shared/pipeline";\nimport type { Props } from "../shared/typed";\n');
  write("svc/helper.ts", 'import { alarms } from "../shared/alarms.ts";\n');
  write("svc/stack.test.ts", 'import { x } from "../shared/tested";\n');
  write("svc/tests/pipeline/own.tftest.hcl");
  for (const m of ["pipeline", "typed", "alarms", "tested", "unused"]) write(`shared/tests/${m}/pipeline/${m}.tftest.hcl`);
  write("shared/tests/alarms/instance/a.tftest.hcl");
  write("shared/tests/pipeline/notes.md");
  t.same(importedSharedModules(root, "svc"), ["alarms", "pipeline"], "value imports of ../shared/<module>; import type and test files do not count");
  const tv = { template: "svc", major: "1", bundleDir: "" };
  const found = findTemplateTests(root, tv, "pipeline");
  t.same(
    found.map((f) => path.relative(root, f)),
    ["svc/tests/pipeline/own.tftest.hcl", "shared/tests/alarms/pipeline/alarms.tftest.hcl", "shared/tests/pipeline/pipeline/pipeline.tftest.hcl"],
  );
  t.same(
    found.map((f) => testFileName(root, "svc", f)),
    ["pipeline-own.tftest.hcl", "shared-alarms-pipeline-alarms.tftest.hcl", "shared-pipeline-pipeline-pipeline.tftest.hcl"],
  );
  t.same(
    findTemplateTests(root, tv, "service_instance").map((f) => path.relative(root, f)),
    ["shared/tests/alarms/instance/a.tftest.hcl"],
  );
  t.same(sharedTestDirs(root, "no-such-template"), []);
});

t.test("output helpers", async (t) => {
  t.same(parseTestCounts("x\nSuccess! 3 passed, 0 failed.\n"), { passed: 3, failed: 0 });
  t.same(parseTestCounts("no summary"), { passed: 0, failed: 0 });
  const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
  const tail = tailOutput({ stdout: "", stderr: long }, 10);
  t.equal(tail.split("\n").length, 11);
  t.match(tail, /^\.\.\. \(90 lines before\)\nline 90\n/);
  t.match(tail, /line 99$/);
});

t.test("a Terraform command that hangs is terminated and fails its step", async (t) => {
  const fx = tree(t);
  const fake = path.join(fx.root, "slow-terraform");
  fs.writeFileSync(fake, '#!/bin/sh\ncase "$1" in\n  test) echo "running"; exec sleep 30 ;;\n  *) exit 0 ;;\nesac\n', { mode: 0o755 });
  const settings: TerraformSettings = { binary: fake };
  const started = Date.now();
  const run = await runTemplateTests(options(fx, { settings, timeoutMs: 500 }), {
    renderer: fakeRenderer(),
    terraform: (args, o) => runTerraform(settings, args, o),
    checkTerraform: noCheck,
  });
  t.ok(Date.now() - started < 15_000, "did not wait for the sleep");
  const r = run.results[0]!;
  t.same([r.steps.init.status, r.steps.validate.status, r.steps.test.status], ["passed", "skipped", "failed"]);
  t.match(r.steps.test.output, /running\n[^]*terraform test timed out after 1s and was terminated/);
  t.equal(resolveTimeout(undefined, {}), 600_000);
  t.equal(resolveTimeout("2.5", {}), 2500);
  t.equal(resolveTimeout(undefined, { PROTONKIT_TEST_TIMEOUT: "30" }), 30_000);
  t.throws(() => resolveTimeout("soon", {}), /--timeout/);
});

t.test("specs with the same file name in specs/ and specs/v<major>/ render into separate directories", async (t) => {
  const fx = tree(t);
  fs.mkdirSync(path.join(fx.examples, "tiny-env/specs/v1"));
  fs.copyFileSync(path.join(fx.examples, "tiny-env/specs/dev.yaml"), path.join(fx.examples, "tiny-env/specs/v1/dev.yaml"));
  const calls: RenderCall<unknown>[] = [];
  const run = await runTemplateTests(options(fx), { renderer: fakeRenderer(calls), terraform: fakeTerraform().exec, checkTerraform: noCheck });
  t.same(run.results.map((r) => r.spec), ["tiny-env/specs/dev.yaml", "tiny-env/specs/v1/dev.yaml"]);
  t.equal(new Set(calls.map((c) => c.outDir)).size, 2);
  t.ok(run.ok);
});

t.test("Terraform older than 1.11 (no override_during) is refused with the fix", async (t) => {
  const fx = tree(t);
  for (const old of ["1.6.6", "1.10.5"]) {
    await t.rejects(
      runTemplateTests(options(fx), { renderer: fakeRenderer(), terraform: fakeTerraform().exec, checkTerraform: () => old }),
      new RegExp(`Terraform ${old.replace(/\./g, "\\.")} at "terraform" cannot run template tests: their mocked plans \\(override_during\\) need Terraform >= 1\\.11.*install Terraform >= 1\\.11`, "s"),
    );
  }
  t.doesNotThrow(() => requireMockProviders("1.11.0", { binary: "terraform" }));
  t.doesNotThrow(() => requireMockProviders("1.11.4", { binary: "terraform" }));
  t.doesNotThrow(() => requireMockProviders("2.0.0", { binary: "terraform" }));
  t.doesNotThrow(() => requireMockProviders("dev-build", { binary: "terraform" }));
});
