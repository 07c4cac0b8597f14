import t from "tap";
import { Fn, TerraformElement, TerraformStack, Token, ref } from "cdktf";
import { Node } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { RULES, checkGuardrails } from "../../src/guardrails";
import { runChecks } from "../../src/guardrails/checks";
import { guardrailFailure, newApp, newStack } from "./fixtures/stacks";

const fixOf = (id: string): string => RULES.find((r) => r.id === id)?.fix ?? "";

t.test("log groups with retention pass (literal or input expression)", async (t) => {
  const { stack } = newStack();
  new CloudwatchLogGroup(stack, "app", { retentionInDays: 30 });
  new CloudwatchLogGroup(stack, "byInput", {
    retentionInDays: Token.asNumber(ref("var.service_instance.inputs.log_retention_days")),
  });
  t.same(checkGuardrails(stack), []);
});

t.test("PK-LOG-001 fires on a log group without retention (absent or 0)", async (t) => {
  const { stack } = newStack();
  new CloudwatchLogGroup(stack, "forever", {});
  new CloudwatchLogGroup(stack, "zero", { retentionInDays: 0 });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-LOG-001");
  t.match(err.message, "tpl/forever");
  t.match(err.message, "aws_cloudwatch_log_group.forever: retention_in_days is absent");
  t.ok(err.message.includes(fixOf("PK-LOG-001")), "names the fix");
  t.same(
    checkGuardrails(stack).map((v) => [v.ruleId, v.path]),
    [
      ["PK-LOG-001", "tpl/forever"],
      ["PK-LOG-001", "tpl/zero"],
    ],
  );
});

t.test("providers with var.proton_tags default tags pass (plain, merged, aliased)", async (t) => {
  const { stack } = newStack();
  new AwsProvider(stack, "us", {
    alias: "us",
    region: "us-east-1",
    defaultTags: [
      {
        tags: Token.asStringMap(Fn.merge([ref("var.proton_tags"), { "pizza:team": "platform" }])),
      },
    ],
  });
  new CloudwatchLogGroup(stack, "app", { retentionInDays: 7 });
  t.same(checkGuardrails(stack), []);
});

t.test("PK-TAG-001 fires on a provider without Proton default tags", async (t) => {
  const { stack } = newStack("tpl", { tagged: false });
  new AwsProvider(stack, "edge", {
    alias: "edge",
    region: "us-east-1",
    defaultTags: [{ tags: { team: "platform" } }],
  });
  new CloudwatchLogGroup(stack, "app", { retentionInDays: 7 });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-TAG-001");
  t.match(err.message, "tpl/aws");
  t.match(err.message, "aws provider: default_tags is missing");
  t.ok(err.message.includes(fixOf("PK-TAG-001")), "names the fix");
  const v = checkGuardrails(stack);
  t.same(
    v.map((x) => [x.ruleId, x.path]),
    [
      ["PK-TAG-001", "tpl/aws"],
      ["PK-TAG-001", "tpl/edge"],
    ],
  );
  t.match(v[1]?.message, 'aws provider "edge": default_tags tags = {"team":"platform"} does not reference var.proton_tags');
});

t.test("PK-TAG-001 fires when AWS resources have no aws provider at all", async (t) => {
  const stack = new TerraformStack(newApp(), "bare");
  new CloudwatchLogGroup(stack, "app", { retentionInDays: 7 });
  t.same(
    checkGuardrails(stack).map((v) => [v.ruleId, v.path]),
    [["PK-TAG-001", "bare"]],
  );
});

t.test("construct paths survive custom logical ids", async (t) => {
  class ReadableStack extends TerraformStack {
    protected allocateLogicalId(element: TerraformElement | Node): string {
      const node = element instanceof Node ? element : element.node;
      return `x_${node.id.replace(/-/g, "_")}`;
    }
  }
  const stack = new ReadableStack(newApp(), "tpl");
  new AwsProvider(stack, "aws", { defaultTags: [{ tags: Token.asStringMap(ref("var.proton_tags")) }] });
  new CloudwatchLogGroup(stack, "app-logs", {});
  t.same(
    checkGuardrails(stack).map((v) => [v.path, v.message]),
    [["tpl/app-logs", "aws_cloudwatch_log_group.x_app_logs: retention_in_days is absent; logs would be kept forever"]],
  );
});

t.test("without element metadata, paths come from the construct tree", async (t) => {
  const config = { resource: { aws_cloudwatch_log_group: { x_app_logs: {} } }, provider: { aws: [{ default_tags: [{ tags: "${var.proton_tags}" }] }] } };
  const ctx = { stackPath: "tpl", providerPaths: new Map(), elementPaths: new Map([["aws_cloudwatch_log_group.x_app_logs", "tpl/app-logs"]]) };
  t.same(runChecks(config, ctx).map((f) => f.path), ["tpl/app-logs"]);
  t.same(runChecks(config, { ...ctx, elementPaths: undefined }).map((f) => f.path), ["tpl/x_app_logs"]);
});
