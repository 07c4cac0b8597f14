import t from "tap";
import { decodeJsonencode, parseHclExpression } from "../../src/guardrails/hcl-expr";
import { readPolicy } from "../../src/guardrails/policy";

t.test("decodes what cdktf writes for Fn.jsonencode", async (t) => {
  const v = decodeJsonencode(
    '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Deny", "Action" = "s3:*", ' +
      '"Resource" = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"], ' +
      '"Condition" = {"Bool" = {"aws:SecureTransport" = "false"}}, "N" = 3, "T" = true, "Z" = null}]})}',
  );
  t.same(v, {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Deny",
        Action: "s3:*",
        Resource: ["${aws_s3_bucket.b.arn}", "${aws_s3_bucket.b.arn}/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
        N: 3,
        T: true,
        Z: null,
      },
    ],
  });
});

t.test("keeps other expressions opaque and tolerates HCL syntax variants", async (t) => {
  t.same(parseHclExpression('{a = var.x ? "y" : "z", b: merge(var.m, {k = 1}), (var.k) = [1, 2,]}'), {
    a: '${var.x ? "y" : "z"}',
    b: "${merge(var.m, {k = 1})}",
    "${(var.k)}": [1, 2],
  });
  t.same(parseHclExpression('"esc \\"q\\" \\n $${literal}"'), 'esc "q" \n $${literal}');
  t.equal(decodeJsonencode("${jsonencode({unterminated = [)}"), undefined);
  t.equal(decodeJsonencode("${var.policy}"), undefined);
});

t.test("readPolicy: unknown sources stay unknown", async (t) => {
  t.same(readPolicy("${var.policy}", {}), { kind: "unknown" });
  t.same(readPolicy("not json", {}), { kind: "unknown" });
  t.same(readPolicy("${data.aws_iam_policy_document.missing.json}", {}), {
    kind: "data",
    name: "missing",
    statements: undefined,
  });
});
