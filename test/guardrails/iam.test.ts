import t from "tap";
import { Fn } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { RULES, checkGuardrails } from "../../src/guardrails";
import { guardrailFailure, newStack } from "./fixtures/stacks";

const fixOf = (id: string): string => RULES.find((r) => r.id === id)?.fix ?? "";
const assume = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } }],
});

t.test("scoped IAM policies pass", async (t) => {
  const { stack } = newStack();
  const doc = new DataAwsIamPolicyDocument(stack, "read", {
    statement: [
      { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/*"] },
      { effect: "Deny", actions: ["*"], resources: ["*"], condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] },
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: ["*"] },
    ],
  });
  const role = new IamRole(stack, "task", {
    assumeRolePolicy: assume,
    inlinePolicy: [{ name: "read", policy: doc.json }],
  });
  new IamRolePolicy(stack, "task-extra", {
    role: role.name,
    policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: "*" }] }),
  });
  new IamPolicy(stack, "ops", {
    policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" } }),
  });
  t.same(checkGuardrails(stack), []);
});

t.test("PK-IAM-001 fires on Allow * on * in every policy form", async (t) => {
  const { stack } = newStack();
  const doc = new DataAwsIamPolicyDocument(stack, "admin-doc", {
    statement: [{ actions: ["*"], resources: ["*"] }], // effect defaults to Allow
  });
  new IamPolicy(stack, "admin-from-doc", { policy: doc.json }); // reported once, on the document
  new IamPolicy(stack, "admin-json", {
    policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
  });
  const role = new IamRole(stack, "role", {
    assumeRolePolicy: assume,
    inlinePolicy: [
      { name: "ok", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) },
      { name: "admin", policy: Fn.jsonencode({ Statement: [{ Effect: "Allow", Action: ["*"], Resource: ["*"] }] }) },
    ],
  });
  new IamRolePolicy(stack, "role-admin", {
    role: role.name,
    policy: Fn.jsonencode({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:GetObject", Resource: `${role.arn}/*` },
        { Effect: "Allow", Action: "*", Resource: "*" },
      ],
    }),
  });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-IAM-001");
  t.match(err.message, "tpl/admin-json");
  t.match(err.message, 'aws_iam_policy.admin-json policy statement #0 allows Action "*" on Resource "*"');
  t.ok(err.message.includes(fixOf("PK-IAM-001")), "names the fix");
  const v = checkGuardrails(stack);
  t.same(
    v.map((x) => [x.ruleId, x.path]),
    [
      ["PK-IAM-001", "tpl/admin-doc"],
      ["PK-IAM-001", "tpl/admin-json"],
      ["PK-IAM-001", "tpl/role"],
      ["PK-IAM-001", "tpl/role-admin"],
    ],
  );
  t.match(v[2]?.message, "inline_policy[1]");
  t.match(v[3]?.message, "statement #1");
});
