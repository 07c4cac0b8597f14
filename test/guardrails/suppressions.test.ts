import t from "tap";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ProtonkitError } from "../../src/errors";
import { assertGuardrails, checkGuardrails, listSuppressions, suppressGuardrail } from "../../src/guardrails";
import { bucket, guardrailFailure, newStack } from "./fixtures/stacks";

t.test("a suppressed violation does not fail and is listed with its reason", async (t) => {
  const { stack } = newStack();
  const logs = new CloudwatchLogGroup(stack, "audit", {});
  suppressGuardrail(logs, "PK-LOG-001", "audit logs are kept forever by policy");
  t.same(checkGuardrails(stack), []);
  t.doesNotThrow(() => assertGuardrails(stack));
  t.same(listSuppressions(stack), [
    { ruleId: "PK-LOG-001", path: "tpl/audit", reason: "audit logs are kept forever by policy" },
  ]);
});

t.test("a suppression covers the construct's children, and only the named rule", async (t) => {
  const { stack } = newStack();
  const site = new Construct(stack, "site");
  bucket(site, "assets", { policy: "none", encryption: false });
  suppressGuardrail(site, "PK-S3-003", "served through CloudFront with an origin access control policy");
  const v = checkGuardrails(stack);
  t.same(
    v.map((x) => [x.ruleId, x.path]),
    [["PK-S3-002", "tpl/site/assets"]],
    "PK-S3-003 suppressed by the parent, PK-S3-002 still fires",
  );
  suppressGuardrail(stack, "PK-S3-002", "encryption handled by the account's default bucket encryption");
  t.same(checkGuardrails(stack), []);
  t.same(listSuppressions(stack), [
    { ruleId: "PK-S3-002", path: "tpl", reason: "encryption handled by the account's default bucket encryption" },
    { ruleId: "PK-S3-003", path: "tpl/site", reason: "served through CloudFront with an origin access control policy" },
  ]);
  t.same(listSuppressions(site).map((s) => s.path), ["tpl/site"], "listing is scoped");
});

t.test("a suppression needs a reason and a known rule id", async (t) => {
  const { stack } = newStack();
  const logs = new CloudwatchLogGroup(stack, "app", {});
  t.throws(() => suppressGuardrail(logs, "PK-LOG-001", ""), ProtonkitError);
  t.throws(() => suppressGuardrail(logs, "PK-LOG-001", "   "), /needs a reason/);
  t.throws(() => suppressGuardrail(logs, "PK-NOPE-999", "because"), /unknown guardrail rule "PK-NOPE-999"/);
  try {
    suppressGuardrail(logs, "PK-NOPE-999", "");
    t.fail("should throw");
  } catch (e) {
    t.ok(e instanceof ProtonkitError);
    t.equal((e as ProtonkitError).problems.length, 2, "both problems reported together");
    t.match((e as ProtonkitError).problems[0]?.details.fix, "PK-S3-001");
  }
  suppressGuardrail(logs, "PK-LOG-001", "short-lived test logs");
  t.throws(() => suppressGuardrail(logs, "PK-LOG-001", "again"), /already suppressed/);
  t.same(listSuppressions(stack).length, 1, "failed suppressions are not recorded");
  t.same(checkGuardrails(stack), []);
});

t.test("a violation elsewhere still fails a stack with suppressions", async (t) => {
  const { stack } = newStack();
  suppressGuardrail(new CloudwatchLogGroup(stack, "a", {}), "PK-LOG-001", "reviewed");
  new CloudwatchLogGroup(stack, "b", {});
  const err = guardrailFailure(stack);
  t.same(err.problems.map((p) => p.details.field), ["tpl/b"]);
});
