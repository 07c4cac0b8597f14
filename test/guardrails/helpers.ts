/** Small stacks for the guardrail tests. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Fn, TerraformStack, Token, ref } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ProtonkitError } from "../../src/errors";
import { assertGuardrails } from "../../src/guardrails";

/** A fresh app in a temporary outdir. */
export function newApp(opts: { skipValidation?: boolean } = {}): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-guardrails-"));
  return new App({ outdir, skipValidation: opts.skipValidation });
}

/** A stack with the aws provider tagged with var.proton_tags (unless `tagged` is false). */
export function newStack(name = "tpl", opts: { tagged?: boolean; app?: App } = {}): { app: App; stack: TerraformStack } {
  const app = opts.app ?? newApp();
  const stack = new TerraformStack(app, name);
  new AwsProvider(stack, "aws", {
    region: "eu-west-1",
    defaultTags: opts.tagged === false ? undefined : [{ tags: Token.asStringMap(ref("var.proton_tags")) }],
  });
  return { app, stack };
}

/** Which parts of a safe bucket to leave out or weaken. */
export interface BucketOptions {
  readonly publicAccessBlock?: boolean | "partial";
  readonly encryption?: boolean;
  readonly policy?: "document" | "jsonencode" | "json" | "none" | "allow-only" | "opaque";
}

/** A bucket with a full public access block, SSE and a TLS-only policy, unless told otherwise. */
export function bucket(scope: Construct, id: string, o: BucketOptions = {}): S3Bucket {
  const b = new S3Bucket(scope, id, { bucketPrefix: `${id}-` });
  const pab = o.publicAccessBlock ?? true;
  if (pab) {
    new S3BucketPublicAccessBlock(scope, `${id}-pab`, {
      bucket: b.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: pab === "partial" ? false : true,
    });
  }
  if (o.encryption ?? true) {
    new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-sse`, {
      bucket: b.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
    });
  }
  const kind = o.policy ?? "document";
  const tlsStatement = {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [b.arn, `${b.arn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
  if (kind === "document" || kind === "allow-only") {
    const doc = new DataAwsIamPolicyDocument(scope, `${id}-policy-doc`, {
      statement:
        kind === "document"
          ? [
              {
                sid: "DenyInsecureTransport",
                effect: "Deny",
                actions: ["s3:*"],
                resources: [b.arn, `${b.arn}/*`],
                principals: [{ type: "*", identifiers: ["*"] }],
                condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
              },
            ]
          : [
              {
                effect: "Allow",
                actions: ["s3:GetObject"],
                resources: [`${b.arn}/*`],
                principals: [{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }],
              },
            ],
    });
    new S3BucketPolicy(scope, `${id}-policy`, { bucket: b.id, policy: doc.json });
  } else if (kind === "jsonencode") {
    new S3BucketPolicy(scope, `${id}-policy`, {
      bucket: b.id,
      policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [tlsStatement] }),
    });
  } else if (kind === "json") {
    new S3BucketPolicy(scope, `${id}-policy`, {
      bucket: b.bucket,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ ...tlsStatement, Resource: "arn:aws:s3:::x/*" }] }),
    });
  } else if (kind === "opaque") {
    new S3BucketPolicy(scope, `${id}-policy`, { bucket: b.id, policy: Token.asString(ref("var.bucket_policy")) });
  }
  return b;
}

/** The ProtonkitError assertGuardrails throws for this stack (fails the test when none). */
export function guardrailFailure(stack: TerraformStack): ProtonkitError {
  try {
    assertGuardrails(stack);
  } catch (e) {
    if (e instanceof ProtonkitError) return e;
    throw e;
  }
  throw new Error(`expected guardrails to fail for ${stack.node.path}`);
}
