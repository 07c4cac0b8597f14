// End-to-end: the real renderer and the real Terraform CLI over test/fixtures/tftest, offline,
// with the AWS provider from the filesystem mirror (PROTONKIT_PLUGIN_DIR).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import t from "tap";
import { main as protonkit } from "../../src/cli/main";
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

// A resource whose ARN feeds an argument the AWS provider validates as an ARN: with random mock
// strings, apply fails ("invalid ARN: arn: invalid prefix") unless protonkit's ARN defaults apply.
const ROLE_WITH_POLICY = `
resource "aws_iam_policy" "read" {
  name   = "\${var.environment.name}-read"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}

resource "aws_iam_role" "reader" {
  name               = "\${var.environment.name}-reader"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_iam_role_policy_attachment" "reader_read" {
  role       = aws_iam_role.reader.name
  policy_arn = aws_iam_policy.read.arn
}

# An SNS topic's id is its ARN, and the subscription validates topic_arn as one.
resource "aws_sns_topic" "alerts" {
  name = "\${var.environment.name}-alerts"
}

resource "aws_sns_topic_subscription" "alerts_mail" {
  topic_arn = aws_sns_topic.alerts.id
  protocol  = "email"
  endpoint  = "ops@example.com"
}
`;

// A shared module's test, run for the template because its source imports the module.
const SHARED_TEST = `run "shared_construct_promise" {
  command = plan

  assert {
    condition     = aws_sqs_queue.events.name == "\${var.environment.name}-events"
    error_message = "the shared construct names its queue after the environment"
  }
}
`;

t.test("the fixture template passes, every spec in one terraform test, with no .tfmock.hcl file; one shared provider", { skip }, async (t) => {
  const work = scratch(t);
  const fx = copyFixture(path.join(work, "fixture"));
  fs.copyFileSync(path.join(fx.examples, "tiny-env/specs/dev.yaml"), path.join(fx.examples, "tiny-env/specs/qa.yaml"));
  fs.appendFileSync(path.join(fx.bundles, "tiny-env/v1/infrastructure/main.tf"), ROLE_WITH_POLICY);
  fs.writeFileSync(path.join(fx.examples, "tiny-env/stack.ts"), 'import { EventQueue } from "../shared/event-queue";\n');
  fs.mkdirSync(path.join(fx.examples, "shared/tests/event-queue"), { recursive: true });
  fs.writeFileSync(path.join(fx.examples, "shared/tests/event-queue/queue.tftest.hcl"), SHARED_TEST);
  t.notOk(fs.existsSync(path.join(fx.examples, "tiny-env/tests/mocks")), "the template has no mock files");
  const run = await runTemplateTests(opts({ bundlesDir: fx.bundles, examplesDir: fx.examples, keep: true, workDir: path.join(work, "tmp") }), { renderer });
  t.ok(run.ok, formatFailures(run));
  t.equal(run.terraformProcesses, 2, "one init and one terraform test for both specs");
  t.equal(run.sharedProviders, 1, "one AWS provider process served every walk of the test");
  t.same(run.results.map((r) => r.resource), ["dev", "qa"]);
  const r = run.results[0]!;
  t.match(r, { template: "tiny-env", version: "v1", spec: "tiny-env/specs/dev.yaml", resource: "dev", kind: "environment", status: "passed" });
  t.same(
    Object.values(r.steps).map((s) => s.status),
    ["passed", "passed", "skipped", "passed", "passed"],
    "render, init, (no separate validate), test, tags",
  );
  t.same(r.runs, { passed: 4, failed: 0 }, "names, mocked (own mock_provider kept, completed with ARN defaults), the shared module's test and the baseline");
  t.same(run.results[1]!.runs, { passed: 4, failed: 0 });
  t.ok(
    r.testFiles.some((f) => f.file === "dev-dev--shared-event-queue-queue.tftest.hcl" && f.source === "shared/tests/event-queue/queue.tftest.hcl"),
    "the shared test runs under a shared- name",
  );
  t.same(r.outputs, ["bucket_arn", "bucket_name", "queue_url"]);

  // The shared directory: the configuration, no spec's tfvars; each spec's files carry its variables.
  const dir = r.dir!;
  t.equal(run.results[1]!.dir, dir);
  t.notOk(fs.existsSync(path.join(dir, "proton.auto.tfvars.json")));
  t.ok(fs.existsSync(path.join(dir, "proton.environment.variables.tf")));
  const baseline = fs.readFileSync(path.join(dir, "protonkit-tests", "qa-qa--protonkit-baseline.tftest.hcl"), "utf8");
  t.match(baseline, /variables \{\n {4}environment = \{\n {6}name = "qa"/);
  t.match(baseline, /mock_resource "aws_iam_policy" \{\n {4}defaults = \{\n {6}arn = "arn:aws:iam::111111111111:policy\/mock"/);
  t.match(baseline, /mock_resource "aws_sns_topic" \{\n {4}defaults = \{\n {6}arn = "(arn:aws:sns:[^"]+)"\n {6}id = "\1"/, "a topic's id is its ARN");
  t.match(baseline, /mock_provider "aws" \{\n {2}override_during = plan\n/, "the baseline plans, with the mocks known from the plan on");
  t.match(baseline, /mock_resource "aws_iam_role_policy_attachment" \{\n {4}defaults = \{\}\n {2}\}/, "every type used has a mock block, so none is left unknown");
  t.match(baseline, /run "protonkit_baseline" \{\n {2}command = plan\n/);

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
  // Through the CLI (in process): exit code 1, the messages on stderr, the report on disk.
  const report = path.join(work, "report.json");
  let stdout = "";
  let stderr = "";
  const [write, writeErr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = await protonkit(["node", "protonkit", "test", "--bundles", fx.bundles, "--examples", fx.examples, "--plugin-dir", PLUGIN_DIR!, "--report", report, "--work-dir", path.join(work, "tmp")]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  t.equal(code, 1);
  t.match(stdout, /tiny-env\s+v1\s+tiny-env\/specs\/dev\.yaml\s+dev\s+ok\s+FAIL\s+FAIL\s+1\/3/);
  t.match(stderr, /--- tiny-env v1 tiny-env\/specs\/dev\.yaml dev: test failed ---/);
  t.match(stderr, /Error: Test assertion failed/);
  t.match(stderr, /log bucket must be named <prefix>-<environment>-logs/);
  t.match(stderr, /output "nothing" is null in the plan \(every provider value mocked, as after apply\)/);
  t.match(stderr, /dev: tags failed ---\nmain\.tf:\d+: provider "aws" default_tags\.tags is merge\(var\.proton_tags, \{ team = "x" \}\): it must be var\.proton_tags/);
  t.match(stderr, /protonkit: 1 of 1 template test\(s\) failed/);
  t.match(stderr, /read the Terraform output above/);
  const json = JSON.parse(fs.readFileSync(report, "utf8")) as {
    ok: boolean;
    results: { status: string; runs: { passed: number; failed: number }; steps: { test: { status: string; output: string }; tags: { status: string } } }[];
  };
  t.equal(json.ok, false);
  const r = json.results[0]!;
  t.equal(r.status, "failed");
  t.equal(r.steps.test.status, "failed");
  t.same(r.runs, { passed: 1, failed: 2 });
  t.match(r.steps.test.output, /output "nothing" is null/);
  t.equal(r.steps.tags.status, "failed");
});

t.test("the baseline plan still meets the provider's validation of mocked values (what apply used to catch)", { skip }, async (t) => {
  const work = scratch(t);
  const fx = copyFixture(path.join(work, "fixture"));
  fs.appendFileSync(path.join(fx.bundles, "tiny-env/v1/infrastructure/main.tf"), ROLE_WITH_POLICY);
  // A template mock that gives the policy a value the provider rejects as an ARN.
  const mocks = path.join(fx.examples, "tiny-env/tests/mocks/aws");
  fs.mkdirSync(mocks, { recursive: true });
  fs.writeFileSync(path.join(mocks, "policy.tfmock.hcl"), 'mock_resource "aws_iam_policy" {\n  defaults = {\n    arn = "not-an-arn"\n  }\n}\n');
  for (const f of ["names.tftest.hcl", "mocked.tftest.hcl"]) fs.rmSync(path.join(fx.examples, "tiny-env/tests", f));
  const run = await runTemplateTests(opts({ bundlesDir: fx.bundles, examplesDir: fx.examples, workDir: path.join(work, "tmp") }), { renderer });
  t.notOk(run.ok);
  t.same(run.results[0]!.testFiles.map((f) => f.file), ["dev-dev--protonkit-baseline.tftest.hcl"], "the baseline alone");
  t.match(run.results[0]!.steps.test.output, /"policy_arn" \(not-an-arn\) is an invalid ARN/);
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
