import { Fn, Op, TerraformCount, Token } from "cdktf";
import { S3BucketMetric } from "@cdktf/provider-aws/lib/s3-bucket-metric";
import { Construct } from "constructs";
import { Input } from "../../src/authoring/inputs";
import { serviceTemplate } from "../../src/authoring/template";
import { AlarmTopic, alarmInputs, metricAlarm } from "../shared/alarms";
import { publishEndpoints } from "../shared/endpoints";
import { bucketLifecycle, SecureBucket } from "../shared/secure-bucket";
import { VpcEcsEnvironment } from "../vpc-ecs-environment/stack";

/**
 * A private S3 bucket per service instance: encrypted, all public access blocked, TLS only,
 * ACLs disabled, versioned, with lifecycle rules for old versions and infrequent access. With
 * request metrics on, alarms on 4xx and 5xx errors notify an encrypted SNS topic. A data
 * template: no pipeline.
 */
export class S3Service extends serviceTemplate({
  name: "s3-service",
  major: 1,
  displayName: "S3 bucket",
  description:
    "A private S3 bucket: server-side encryption, all public access blocked, TLS-only bucket policy, " +
    "BucketOwnerEnforced ownership, versioning and lifecycle rules; optional request metrics with alarms on 4xx and 5xx " +
    "errors, notifying an encrypted SNS topic (e-mail and HTTPS subscriptions). Publishes bucket_name and bucket_arn.",
  compatibleEnvironments: [VpcEcsEnvironment],
  inputs: {
    versioning: Input.boolean({ title: "Versioning", description: "Keep every version of every object (Suspended when off).", default: true }),
    noncurrent_expiration_days: Input.integer({
      title: "Expire old versions after (days)",
      description: "Delete noncurrent object versions this many days after they were replaced; 0 keeps them forever.",
      default: 90,
      minimum: 0,
      maximum: 3650,
    }),
    transition_to_ia_days: Input.integer({
      title: "Move to Standard-IA after (days)",
      description: "Move current objects to STANDARD_IA this many days after creation; 0 never does. S3 needs at least 30.",
      default: 0,
      minimum: 0,
      maximum: 3650,
    }),
    encryption: Input.enum(["AES256", "aws:kms"], {
      title: "Encryption",
      description: "SSE-S3 (AES256) or SSE-KMS (aws:kms, with kms_key_arn or the account's aws/s3 key).",
      default: "AES256",
    }),
    kms_key_arn: Input.string({
      title: "KMS key ARN",
      description: "Customer managed key for aws:kms encryption.",
      pattern: "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$",
    }),
    request_metrics: Input.boolean({
      title: "Request metrics",
      description: "CloudWatch request metrics for the whole bucket (billed as custom metrics), and alarms on 4xx and 5xx errors.",
      default: false,
    }),
    ...alarmInputs,
    alarm_4xx_errors: Input.integer({
      title: "4xx alarm (errors per 5 minutes)",
      description: "Client errors (403, 404, ...) in 5 minutes that raise an alarm, with request_metrics on.",
      default: 100,
      minimum: 1,
      maximum: 100000000,
    }),
    alarm_5xx_errors: Input.integer({
      title: "5xx alarm (errors per 5 minutes)",
      description: "Server errors (500, 503 SlowDown) in 5 minutes that raise an alarm, with request_metrics on.",
      default: 5,
      minimum: 1,
      maximum: 100000000,
    }),
  },
  outputs: {
    bucket_name: "Name of the bucket.",
    bucket_arn: "ARN of the bucket.",
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, context } = this;

    const storage = new SecureBucket(this.instance, "storage", {
      // bucket_prefix is at most 37 characters; Terraform appends a unique suffix.
      bucketPrefix: Fn.substr(Fn.lower(Fn.replace(Fn.join("-", [context.serviceName, context.instanceName]), "/[^0-9A-Za-z-]+/", "-")), 0, 36),
      versioned: inputs.versioning,
      sseAlgorithm: inputs.encryption,
      kmsKeyArn: inputs.kms_key_arn,
    });
    // Literals go on the left of Op.*: cdktf 0.21 renders a falsy right operand (0, "", false) as `undefined`.
    const noncurrentDays = inputs.noncurrent_expiration_days;
    const iaDays = inputs.transition_to_ia_days;
    bucketLifecycle(
      this.instance,
      "lifecycle",
      storage,
      [
        { id: "abort-incomplete-multipart-uploads", status: "Enabled", abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
        {
          // Disabled, not absent, when off: rules keep their place and the input toggles them.
          id: "expire-noncurrent-versions",
          status: Fn.conditional(Op.lt(0, noncurrentDays), "Enabled", "Disabled"),
          noncurrentVersionExpiration: [{ noncurrentDays: Fn.max([noncurrentDays, 1]) }],
        },
        {
          id: "transition-to-standard-ia",
          status: Fn.conditional(Op.lt(0, iaDays), "Enabled", "Disabled"),
          transition: [{ days: Fn.max([iaDays, 30]), storageClass: "STANDARD_IA" }],
        },
      ],
      {
        precondition: [
          {
            condition: Op.or(Op.eq(0, iaDays), Op.lte(30, iaDays)),
            errorMessage: "transition_to_ia_days must be 0 (never) or at least 30: S3 moves objects to STANDARD_IA no sooner.",
          },
          {
            condition: Op.or(Op.eq(inputs.kms_key_arn, Token.nullValue()), Op.eq(inputs.encryption, "aws:kms")),
            errorMessage: "kms_key_arn is only used with encryption aws:kms: set encryption to aws:kms or remove kms_key_arn.",
          },
        ],
      },
    );

    // ------------------------------------------------------------------------- alarms
    const prefix = Fn.join("-", [context.serviceName, context.instanceName]);
    const alarms = new AlarmTopic(this.instance, "alarms", { name: `${prefix}-alarms`, emails: inputs.alarm_emails, httpsEndpoints: inputs.alarm_https_endpoints });
    const metricsOn = TerraformCount.of(Fn.conditional(inputs.request_metrics, 1, 0));
    // The metrics configuration's name is the alarms' FilterId dimension.
    new S3BucketMetric(alarms, "request_metrics", { count: metricsOn, bucket: storage.bucket.id, name: "EntireBucket" });
    for (const [id, metric, threshold, advice] of [
      ["client_errors", "4xxErrors", inputs.alarm_4xx_errors, "denied or missing objects: check the callers' keys and permissions"],
      ["server_errors", "5xxErrors", inputs.alarm_5xx_errors, "S3 failing or throttling (503 SlowDown): spread the key prefixes, retry with backoff"],
    ] as const) {
      metricAlarm(alarms, id, alarms, {
        count: metricsOn,
        name: `${prefix}-${metric}`,
        description: `${metric} of bucket ${storage.bucket.bucket}: ${advice}.`,
        namespace: "AWS/S3",
        metricName: metric,
        dimensions: { BucketName: storage.bucket.bucket, FilterId: "EntireBucket" },
        comparison: "GreaterThanOrEqualToThreshold",
        threshold,
      });
    }

    const endpoints = { bucket_name: storage.bucket.bucket, bucket_arn: storage.bucket.arn };
    publishEndpoints(this.instance, context, endpoints);
    this.output("bucket_name", endpoints.bucket_name);
    this.output("bucket_arn", endpoints.bucket_arn);
  }
}
