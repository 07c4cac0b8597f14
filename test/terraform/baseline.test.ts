import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import t from "tap";
import {
  baselineCommand,
  baselineTestFile,
  checkProtonTags,
  declaredTestProviders,
  isProtonTagsExpression,
  mockTargets,
  summarizeConfig,
  withMocks,
} from "../../src/terraform/baseline";

function configDir(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pk-baseline-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const GOOD = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  default_tags {
    tags = var.proton_tags
  }
}
provider "aws" {
  alias = "east"
  default_tags {
    tags = merge({ team = "platform" }, var.proton_tags)
  }
}
resource "aws_s3_bucket" "b" {
  tags = { Name = "b" }
}
data "aws_region" "here" {}
output "z" { value = aws_s3_bucket.b.arn }
output "a" { value = data.aws_region.here.name }
`;

t.test("summarizes outputs, providers, resources and variables", async (t) => {
  const dir = configDir(t, { "main.tf": GOOD, "proton.environment.variables.tf": 'variable "environment" {}\nvariable "proton_tags" {}\n', "notes.md": 'output "no" {}' });
  const s = summarizeConfig(dir);
  t.same(s.outputs, ["a", "z"]);
  t.same(s.variables, ["environment", "proton_tags"]);
  t.same(s.requiredProviders, ["aws"]);
  t.same(s.providers.map((p) => [p.name, p.alias, p.defaultTags]), [
    ["aws", undefined, "var.proton_tags"],
    ["aws", "east", 'merge({ team = "platform" }, var.proton_tags)'],
  ]);
  t.same(s.resources.map((r) => r.address), ["aws_s3_bucket.b", "data.aws_region.here"]);
  t.same(checkProtonTags(s), []);
  t.same(mockTargets(s, ["aws"]), [{ name: "aws" }, { name: "aws", alias: "east" }]);
});

t.test("accepts var.proton_tags, its interpolation, or a merge ending in it", async (t) => {
  t.ok(isProtonTagsExpression("var.proton_tags"));
  t.ok(isProtonTagsExpression('"${var.proton_tags}"'));
  t.ok(isProtonTagsExpression("merge(local.extra, var.proton_tags)"));
  t.notOk(isProtonTagsExpression("merge(var.proton_tags, local.extra)"), "later maps would override proton keys");
  t.notOk(isProtonTagsExpression("local.tags"));
  t.notOk(isProtonTagsExpression('{ "proton:template" = "x" }'));
});

t.test("reports untagged providers, a missing default provider and overridden proton keys", async (t) => {
  const dir = configDir(t, {
    "main.tf": `provider "aws" {
  alias = "east"
}
provider "aws" {
  alias = "west"
  default_tags {
    tags = { team = "x" }
  }
}
resource "aws_s3_bucket" "b" {
  provider = aws.east
  tags = {
    "proton:template" = "mine"
  }
}
`,
  });
  const problems = checkProtonTags(summarizeConfig(dir));
  t.equal(problems.length, 4);
  t.match(problems[0]!.message, /no default provider "aws" block/);
  t.match(problems[1], { file: "main.tf", line: 1, message: /alias east\) has no default_tags/ });
  t.match(problems[2], { line: 4, message: /alias west\) default_tags.tags is \{ team = "x" \}: it must be var.proton_tags/ });
  t.match(problems[3], { line: 10, message: /aws_s3_bucket.b sets a proton: tag key itself/ });
});

t.test("a configuration without AWS needs no tags and no mock", async (t) => {
  const s = summarizeConfig(configDir(t, { "main.tf": 'resource "terraform_data" "x" {}\noutput "id" { value = terraform_data.x.id }\n' }));
  t.same(checkProtonTags(s), []);
  t.same(mockTargets(s, ["aws"]), []);
  const file = baselineTestFile(s, "environment", []);
  t.notMatch(file, /mock_provider/);
  t.match(file, /output\.id != null/);
  t.notMatch(file, /proton_tags/, "no tag assertion when the variable is not declared");
});

t.test("mocks are added to a template test file only where it lacks them", async (t) => {
  const targets = [{ name: "aws" }, { name: "aws", alias: "east" }];
  const none = withMocks('run "x" {}\n', targets);
  t.same(none.added, ["aws", "aws.east"]);
  t.match(none.text, /^run "x" \{\}\n\n# Added by protonkit test.*\nmock_provider "aws" \{\}\nmock_provider "aws" \{\n  alias = "east"\n\}\n$/);
  const own = 'mock_provider "aws" {\n  mock_resource "aws_s3_bucket" {\n    defaults = { arn = "x" }\n  }\n}\nrun "x" {}\n';
  const partial = withMocks(own, targets);
  t.same(partial.added, ["aws.east"]);
  t.ok(partial.text.startsWith(own), "the file's own text (and line numbers) are kept");
  const full = withMocks(`${own}mock_provider "aws" {\n  alias = "east"\n}\n`, targets);
  t.same(full.added, []);
  t.same([...declaredTestProviders('provider "aws" {\n  region = "x"\n}\n')], ["aws"], "a real provider block is respected too");
});

t.test("the baseline file asserts every output and the kind's Proton tag keys, and sets no variables", async (t) => {
  const dir = configDir(t, { "main.tf": GOOD, "vars.tf": 'variable "proton_tags" {}\n' });
  const s = summarizeConfig(dir);
  const file = baselineTestFile(s, "service_instance", mockTargets(s, ["aws"]));
  t.match(file, /mock_provider "aws" \{\}\nmock_provider "aws" \{\n  alias = "east"\n\}/);
  t.match(file, /run "protonkit_baseline" \{\n  command = apply/);
  t.match(file, /condition {5}= output\.a != null/);
  t.match(file, /condition {5}= output\.z != null/);
  t.match(file, /"proton:account","proton:template","proton:service-instance"/);
  t.notMatch(file, /^\s*variables\s*\{/m);
});

t.test("the baseline plans when the plan can know every value, and applies otherwise", async (t) => {
  const aws = summarizeConfig(configDir(t, { "main.tf": 'resource "aws_s3_bucket" "b" {}\ndata "aws_region" "r" {}\noutput "arn" { value = aws_s3_bucket.b.arn }\n' }));
  t.equal(baselineCommand(aws, ["aws"]), "plan");
  t.equal(baselineCommand(aws, []), "apply", "an unmocked provider leaves computed values unknown in the plan");
  const builtin = summarizeConfig(configDir(t, { "main.tf": 'resource "aws_s3_bucket" "b" {}\nresource "terraform_data" "x" {}\n' }));
  t.equal(baselineCommand(builtin, ["aws"]), "apply", "terraform_data's id is known after apply only");
  const clock = summarizeConfig(configDir(t, { "main.tf": 'resource "aws_s3_bucket" "b" {\n  tags = { at = timestamp() }\n}\n' }));
  t.same(clock.applyTimeFunctions, ["timestamp"]);
  t.equal(baselineCommand(clock, ["aws"]), "apply");
  const file = baselineTestFile(aws, "environment", [{ name: "aws", resources: { aws_s3_bucket: {} } }], {}, "plan");
  t.match(file, /mock_provider "aws" \{\n  override_during = plan\n  mock_resource "aws_s3_bucket" \{\n    defaults = \{\}\n  \}\n\}/);
  t.match(file, /run "protonkit_baseline" \{\n  command = plan\n/);
  t.match(file, /output \\"arn\\" is null in the plan \(every provider value mocked, as after apply\)/);
});
