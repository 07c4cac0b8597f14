import t from "tap";
import { Fn } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { RULES, checkGuardrails } from "../../src/guardrails";
import { bucket, guardrailFailure, newStack } from "./fixtures/stacks";

const fixOf = (id: string): string => RULES.find((r) => r.id === id)?.fix ?? "";

t.test("safe buckets pass (policy document, jsonencode, JSON string)", async (t) => {
  const { stack } = newStack();
  bucket(stack, "doc");
  bucket(stack, "enc", { policy: "jsonencode" });
  bucket(stack, "str", { policy: "json" });
  t.same(checkGuardrails(stack), []);
});

t.test("a bucket referenced by its literal name is recognised", async (t) => {
  const { stack } = newStack();
  new S3Bucket(stack, "named", { bucket: "pizza-assets" });
  new S3BucketPublicAccessBlock(stack, "pab", {
    bucket: "pizza-assets",
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketServerSideEncryptionConfigurationA(stack, "sse", {
    bucket: "pizza-assets",
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new S3BucketPolicy(stack, "policy", {
    bucket: "pizza-assets",
    policy: Fn.jsonencode({
      Statement: [
        {
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "*",
          Resource: "arn:aws:s3:::pizza-assets/*",
          Condition: { BoolIfExists: { "aws:SecureTransport": false } },
        },
      ],
    }),
  });
  t.same(checkGuardrails(stack), []);
});

t.test("PK-S3-001 fires without a public access block", async (t) => {
  const { stack } = newStack();
  bucket(stack, "assets", { publicAccessBlock: false });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-S3-001");
  t.match(err.message, "tpl/assets");
  t.match(err.message, "aws_s3_bucket.assets has no aws_s3_bucket_public_access_block");
  t.ok(err.message.includes(fixOf("PK-S3-001")), "names the fix");
  t.same(
    checkGuardrails(stack).map((v) => [v.ruleId, v.path]),
    [["PK-S3-001", "tpl/assets"]],
  );
});

t.test("PK-S3-001 fires when a public access block flag is not true", async (t) => {
  const { stack } = newStack();
  bucket(stack, "assets", { publicAccessBlock: "partial" });
  const v = checkGuardrails(stack);
  t.equal(v.length, 1);
  t.equal(v[0]?.ruleId, "PK-S3-001");
  t.match(v[0]?.message, "restrict_public_buckets");
});

t.test("PK-S3-002 fires without server-side encryption configuration", async (t) => {
  const { stack } = newStack();
  bucket(stack, "assets", { encryption: false });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-S3-002");
  t.match(err.message, "tpl/assets");
  t.match(err.message, "aws_s3_bucket_server_side_encryption_configuration");
  t.ok(err.message.includes(fixOf("PK-S3-002")), "names the fix");
  t.equal(err.problems.length, 1);
});

t.test("PK-S3-003 fires without a bucket policy, with a non-TLS policy, and with an unreadable policy", async (t) => {
  const { stack } = newStack();
  bucket(stack, "none", { policy: "none" });
  bucket(stack, "allow", { policy: "allow-only" });
  bucket(stack, "opaque", { policy: "opaque" });
  const err = guardrailFailure(stack);
  t.ok(err.message.includes(fixOf("PK-S3-003")), "names the fix");
  const v = checkGuardrails(stack);
  t.same(
    v.map((x) => [x.ruleId, x.path]),
    [
      ["PK-S3-003", "tpl/allow"],
      ["PK-S3-003", "tpl/none"],
      ["PK-S3-003", "tpl/opaque"],
    ],
  );
  t.match(v[0]?.message, "has no statement denying requests with aws:SecureTransport = false");
  t.match(v[1]?.message, "has no aws_s3_bucket_policy");
  t.match(v[2]?.message, "cannot read");
});

t.test("all violations of a stack are reported together", async (t) => {
  const { stack } = newStack();
  new S3Bucket(stack, "bare", {});
  const err = guardrailFailure(stack);
  t.same(
    err.problems.map((p) => p.details.field),
    ["tpl/bare", "tpl/bare", "tpl/bare"],
  );
  t.match(err.message, /PK-S3-001[\s\S]*PK-S3-002[\s\S]*PK-S3-003/);
});

t.test("the check reads the synthesized JSON: escape-hatch overrides and counted references count", async (t) => {
  const { stack } = newStack();
  bucket(stack, "assets");
  const pab = stack.node.findChild("assets-pab") as S3BucketPublicAccessBlock;
  pab.addOverride("restrict_public_buckets", false);
  t.same(
    checkGuardrails(stack).map((v) => v.ruleId),
    ["PK-S3-001"],
    "an override weakening the block is seen",
  );
  pab.addOverride("restrict_public_buckets", true);
  pab.addOverride("bucket", "${aws_s3_bucket.assets[0].id}");
  t.same(checkGuardrails(stack), [], "an indexed reference still designates the bucket");
});
