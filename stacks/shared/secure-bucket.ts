import { Fn, IResolvable, Op, TerraformResourceLifecycle, Token } from "cdktf";
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";

/** One IAM policy statement, as written in JSON (`Effect`, `Principal`, `Action`, ...). */
export type PolicyStatement = Readonly<Record<string, unknown>>;

/** Settings of a {@link SecureBucket}. Give `bucket` or `bucketPrefix`. */
export interface SecureBucketProps {
  /**
   * Exact bucket name.
   * @default none: `bucketPrefix` names the bucket
   */
  readonly bucket?: string;
  /**
   * Prefix Terraform completes with a unique suffix (at most 37 characters).
   * @default none: `bucket` names the bucket
   */
  readonly bucketPrefix?: string;
  /**
   * Versioning on (`Enabled`) or off (`Suspended`); a boolean literal or expression.
   * @default true
   */
  readonly versioned?: boolean | IResolvable;
  /**
   * Server-side encryption: `AES256` (SSE-S3) or `aws:kms`; a literal or expression.
   * @default "AES256"
   */
  readonly sseAlgorithm?: string;
  /**
   * KMS key for `aws:kms`; null uses the account's `aws/s3` key.
   * @default the account's `aws/s3` key
   */
  readonly kmsKeyArn?: string;
  /**
   * Statements added to the bucket policy after the TLS-only deny.
   * @default none
   */
  readonly extraStatements?: readonly PolicyStatement[];
}

/**
 * An S3 bucket with every protection the guardrails ask for, in one place: all public access
 * blocked, server-side encryption, a bucket policy denying any request without TLS, ACLs
 * disabled (BucketOwnerEnforced) and versioning. Shared by the s3-service data template and the
 * account bootstrap's state bucket.
 */
export class SecureBucket extends Construct {
  /** The bucket. */
  readonly bucket: S3Bucket;
  /** Its versioning configuration (lifecycle rules should depend on it). */
  readonly versioning: S3BucketVersioningA;
  /** Its bucket policy. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucket, bucketPrefix: props.bucketPrefix, forceDestroy: false });
    const bucketId = this.bucket.id;

    new S3BucketPublicAccessBlock(this, "public_access", {
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const versioned = props.versioned ?? true;
    this.versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: bucketId,
      versioningConfiguration: { status: typeof versioned === "boolean" ? (versioned ? "Enabled" : "Suspended") : Fn.conditional(versioned, "Enabled", "Suspended") },
    });
    const algorithm = props.sseAlgorithm ?? "AES256";
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucketId,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm, kmsMasterKeyId: props.kmsKeyArn },
          // Bucket keys cut KMS requests (and cost); ignored for SSE-S3.
          bucketKeyEnabled: Token.isUnresolved(algorithm) ? Op.eq(algorithm, "aws:kms") : algorithm === "aws:kms",
        },
      ],
    });
    // jsonencode, not an aws_iam_policy_document: the policy is then plain data tests can decode.
    const policy = Fn.jsonencode({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        ...(props.extraStatements ?? []),
      ],
    });
    this.policy = new S3BucketPolicy(this, "policy", { bucket: bucketId, policy });
  }
}

/** One lifecycle rule of {@link bucketLifecycle}: a provider rule whose `filter` may be left out. */
export type BucketRule = Omit<S3BucketLifecycleConfigurationRule, "filter"> & Partial<Pick<S3BucketLifecycleConfigurationRule, "filter">>;

/**
 * Lifecycle rules of a {@link SecureBucket}, created once its versioning is (S3 rejects
 * noncurrent-version rules on a bucket that never had versioning). A rule without `filter`
 * covers the whole bucket. `lifecycle` (default none) holds preconditions on the inputs.
 */
export function bucketLifecycle(
  scope: Construct,
  id: string,
  target: SecureBucket,
  rules: readonly BucketRule[],
  lifecycle?: TerraformResourceLifecycle,
): S3BucketLifecycleConfiguration {
  return new S3BucketLifecycleConfiguration(scope, id, {
    bucket: target.bucket.id,
    dependsOn: [target.versioning],
    rule: rules.map((r) => ({ filter: [{ prefix: "" }], ...r })),
    lifecycle,
  });
}
