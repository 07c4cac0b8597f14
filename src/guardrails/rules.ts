/**
 * The guardrail rules: what each one checks and how to fix a violation. The ids are stable:
 * suppressions and bundle READMEs refer to them.
 */

/** Every guardrail rule id. */
export type RuleId =
  | "PK-S3-001"
  | "PK-S3-002"
  | "PK-S3-003"
  | "PK-DB-001"
  | "PK-DB-002"
  | "PK-DB-003"
  | "PK-NET-001"
  | "PK-IAM-001"
  | "PK-LOG-001"
  | "PK-TAG-001";

/** One guardrail rule. */
export interface Rule {
  /** Stable id, e.g. `PK-S3-001`. */
  readonly id: RuleId;
  /** Short title. */
  readonly title: string;
  /** What the rule checks, precisely enough to predict its verdict. */
  readonly description: string;
  /** How to fix a violation. */
  readonly fix: string;
}

/** All rules, grouped by family (S3, databases, network, IAM, logs, tags). */
export const RULES: readonly Rule[] = Object.freeze([
  {
    id: "PK-S3-001",
    title: "S3 bucket without a full public access block",
    description:
      "Every aws_s3_bucket needs an aws_s3_bucket_public_access_block whose `bucket` references it " +
      "(`${aws_s3_bucket.<name>.id}` or `.bucket`, or the bucket's literal name) with block_public_acls, " +
      "block_public_policy, ignore_public_acls and restrict_public_buckets all literally true.",
    fix:
      "Add an S3BucketPublicAccessBlock with bucket = <bucket>.id and blockPublicAcls, blockPublicPolicy, " +
      "ignorePublicAcls, restrictPublicBuckets all set to true.",
  },
  {
    id: "PK-S3-002",
    title: "S3 bucket without server-side encryption configuration",
    description:
      "Every aws_s3_bucket needs an aws_s3_bucket_server_side_encryption_configuration whose `bucket` references it.",
    fix:
      "Add an S3BucketServerSideEncryptionConfigurationA with bucket = <bucket>.id and a rule " +
      "applyServerSideEncryptionByDefault { sseAlgorithm: \"aws:kms\" } (or \"AES256\").",
  },
  {
    id: "PK-S3-003",
    title: "S3 bucket without a TLS-only bucket policy",
    description:
      "Every aws_s3_bucket needs an aws_s3_bucket_policy whose `bucket` references it and whose policy has a " +
      "statement with Effect Deny, Principal \"*\" (or AWS \"*\"), an action covering s3:* (\"s3:*\" or \"*\") " +
      "and a Bool or BoolIfExists condition aws:SecureTransport = false. The policy is read from a JSON string, " +
      "a Fn.jsonencode(...) expression, or an aws_iam_policy_document data source referenced by `.json`; " +
      "any other expression cannot be read and counts as missing.",
    fix:
      "Add an S3BucketPolicy with bucket = <bucket>.id whose policy (DataAwsIamPolicyDocument .json or " +
      "Fn.jsonencode) contains { Effect: \"Deny\", Principal: \"*\", Action: \"s3:*\", Resource: [<bucket>.arn, " +
      "`${<bucket>.arn}/*`], Condition: { Bool: { \"aws:SecureTransport\": \"false\" } } }.",
  },
  {
    id: "PK-DB-001",
    title: "Publicly accessible database",
    description:
      "aws_db_instance and aws_rds_cluster_instance: publicly_accessible must be absent or literally false; " +
      "literal true and any Terraform expression are violations.",
    fix: "Remove publiclyAccessible or set it to false; reach the database from inside the VPC.",
  },
  {
    id: "PK-DB-002",
    title: "Unencrypted database storage",
    description:
      "aws_db_instance and aws_rds_cluster: storage_encrypted must be literally true (absent, false or an " +
      "expression is a violation).",
    fix: "Set storageEncrypted: true (and kmsKeyId for a customer-managed key).",
  },
  {
    id: "PK-DB-003",
    title: "Database without deletion protection",
    description:
      "aws_db_instance and aws_rds_cluster: deletion_protection must be literally true or a Terraform " +
      "expression (e.g. `var.environment.inputs.tier == \"production\"`, which protects production " +
      "instances); absent or literal false is a violation.",
    fix:
      "Set deletionProtection: true, or derive it from the template's production input, e.g. " +
      "Token.asAny(Fn.conditional(Op.eq(ref(\"var.environment.inputs.tier\"), \"production\"), true, false)).",
  },
  {
    id: "PK-NET-001",
    title: "Security group ingress open to the internet",
    description:
      "Ingress from 0.0.0.0/0 or ::/0 in aws_security_group inline ingress, aws_security_group_rule " +
      "(type ingress) and aws_vpc_security_group_ingress_rule (cidr_ipv4/cidr_ipv6) is a violation, except " +
      "TCP port 80 or 443 alone (from_port = to_port = 80 or 443) on a security group listed in the " +
      "security_groups of an aws_lb/aws_alb whose internal is absent or literally false.",
    fix:
      "Restrict the CIDR to known ranges or reference a source security group; open only 80/443 and only on " +
      "the security group of a public load balancer.",
  },
  {
    id: "PK-IAM-001",
    title: "IAM statement allowing all actions on all resources",
    description:
      "A statement with Effect Allow, Action \"*\" (alone or in a list) and Resource \"*\" in aws_iam_policy, " +
      "aws_iam_role_policy, aws_iam_user_policy, aws_iam_group_policy, aws_iam_role inline_policy (JSON string or " +
      "Fn.jsonencode) or an aws_iam_policy_document data source (effect defaults to Allow).",
    fix: "Grant the specific actions the workload needs on the specific resource ARNs it uses.",
  },
  {
    id: "PK-LOG-001",
    title: "CloudWatch log group without retention",
    description:
      "aws_cloudwatch_log_group must set retention_in_days to a positive number or an expression; " +
      "absent, null or 0 (never expire) is a violation.",
    fix: "Set retentionInDays (e.g. 30), or derive it from a template input.",
  },
  {
    id: "PK-TAG-001",
    title: "AWS provider without Proton default tags",
    description:
      "Every aws provider block must have default_tags { tags = var.proton_tags } (the tags expression must " +
      "reference var.proton_tags, e.g. `${var.proton_tags}` or `${merge(var.proton_tags, {...})}`), so every " +
      "taggable resource carries the Proton tags. AWS resources without any aws provider block are a violation too.",
    fix:
      "new AwsProvider(this, \"aws\", { defaultTags: [{ tags: Token.asStringMap(ref(\"var.proton_tags\")) }] }).",
  },
] satisfies Rule[]);

/** The rule with this id, or undefined. */
export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/** The rule with this id; throws on an unknown id (a programming error in this module). */
export function rule(id: RuleId): Rule {
  const found = findRule(id);
  if (!found) throw new Error(`unknown guardrail rule ${id}`);
  return found;
}
