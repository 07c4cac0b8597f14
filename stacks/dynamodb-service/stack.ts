import { Fn, Op, TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Input } from "../../src/authoring/inputs";
import { serviceTemplate } from "../../src/authoring/template";
import { AlarmTopic, alarmInputs, metricAlarm } from "../shared/alarms";
import { publishEndpoints } from "../shared/endpoints";
import { VpcEcsEnvironment } from "../vpc-ecs-environment/stack";

const KEY_NAME = "^[A-Za-z0-9_.-]{1,255}$";
const KEY_TYPES = ["S", "N", "B"] as const;

/** Operations whose SystemErrors the alarm adds up (an alarm takes at most 10 metrics). */
const OPERATIONS = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactWriteItems"] as const;

/**
 * A DynamoDB table per service instance: partition key and optional sort key, on-demand or
 * provisioned capacity, point-in-time recovery on unless turned off, encryption at rest with an
 * AWS owned key or KMS, optional TTL, deletion protection in production. Alarms on read and
 * write throttling and on system errors notify an encrypted SNS topic. A data template: no
 * pipeline.
 */
export class DynamodbService extends serviceTemplate({
  name: "dynamodb-service",
  major: 1,
  displayName: "DynamoDB table",
  description:
    "A DynamoDB table: partition key and optional sort key, on-demand or provisioned capacity, point-in-time recovery " +
    "(on by default), encryption at rest (AWS owned key or KMS), optional TTL, deletion protection in production. " +
    "Alarms on throttled reads and writes and on system errors notify an encrypted SNS topic (e-mail and HTTPS subscriptions). " +
    "Publishes table_name and table_arn.",
  compatibleEnvironments: [VpcEcsEnvironment],
  inputs: {
    partition_key: Input.string({ title: "Partition key", description: "Name of the partition (hash) key attribute.", default: "pk", pattern: KEY_NAME }),
    partition_key_type: Input.enum(KEY_TYPES, { title: "Partition key type", description: "S (string), N (number) or B (binary).", default: "S" }),
    sort_key: Input.string({ title: "Sort key", description: "Name of the sort (range) key attribute; leave out for a partition key only.", pattern: KEY_NAME }),
    sort_key_type: Input.enum(KEY_TYPES, { title: "Sort key type", description: "S (string), N (number) or B (binary); used with sort_key.", default: "S" }),
    billing_mode: Input.enum(["PAY_PER_REQUEST", "PROVISIONED"], {
      title: "Capacity mode",
      description: "PAY_PER_REQUEST (on demand) or PROVISIONED (read_capacity and write_capacity units).",
      default: "PAY_PER_REQUEST",
    }),
    read_capacity: Input.integer({ title: "Read capacity units", description: "Used with PROVISIONED.", default: 5, minimum: 1, maximum: 40000 }),
    write_capacity: Input.integer({ title: "Write capacity units", description: "Used with PROVISIONED.", default: 5, minimum: 1, maximum: 40000 }),
    point_in_time_recovery: Input.boolean({
      title: "Point-in-time recovery",
      description: "Continuous backups, restorable to any second of the last 35 days.",
      default: true,
    }),
    encryption: Input.enum(["AWS_OWNED", "KMS"], {
      title: "Encryption at rest",
      description: "AWS_OWNED (DynamoDB's key, no cost) or KMS (kms_key_arn, or the account's aws/dynamodb key).",
      default: "AWS_OWNED",
    }),
    kms_key_arn: Input.string({
      title: "KMS key ARN",
      description: "Customer managed key, with encryption KMS.",
      pattern: "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$",
    }),
    ttl_attribute: Input.string({ title: "TTL attribute", description: "Attribute holding an expiry time (epoch seconds); leave out for no TTL.", pattern: KEY_NAME }),
    deletion_protection: Input.boolean({
      title: "Deletion protection",
      description: "Refuse to delete the table. Always on in production environments; this can only turn it on elsewhere.",
      default: false,
    }),
    ...alarmInputs,
    alarm_throttle_events: Input.integer({
      title: "Throttle alarm (events per 5 minutes)",
      description: "Read or write throttle events in 5 minutes that raise an alarm (one alarm each).",
      default: 1,
      minimum: 1,
      maximum: 1000000,
    }),
    alarm_system_errors: Input.integer({
      title: "System error alarm (errors per 5 minutes)",
      description: "DynamoDB system errors (HTTP 500) in 5 minutes, over all item operations, that raise an alarm.",
      default: 1,
      minimum: 1,
      maximum: 1000000,
    }),
  },
  outputs: {
    table_name: "Name of the table.",
    table_arn: "ARN of the table.",
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, context } = this;
    const provisioned = Op.eq(inputs.billing_mode, "PROVISIONED");
    const hasSortKey = Op.neq(inputs.sort_key, Token.nullValue());
    const hasTtl = Op.neq(inputs.ttl_attribute, Token.nullValue());

    // Only key attributes are declared: DynamoDB is schemaless for the rest.
    const attributes = TerraformIterator.fromList(
      Fn.concat([
        [{ name: inputs.partition_key, type: inputs.partition_key_type }],
        Fn.conditional(hasSortKey, [{ name: inputs.sort_key, type: inputs.sort_key_type }], []),
      ]),
    );

    const table = new DynamodbTable(this.instance, "table", {
      name: Fn.join("-", [context.serviceName, context.instanceName]),
      hashKey: inputs.partition_key,
      rangeKey: inputs.sort_key,
      attribute: attributes.dynamic({ name: attributes.getString("name"), type: attributes.getString("type") }),
      billingMode: inputs.billing_mode,
      readCapacity: Token.asNumber(Fn.conditional(provisioned, inputs.read_capacity, Token.nullValue())),
      writeCapacity: Token.asNumber(Fn.conditional(provisioned, inputs.write_capacity, Token.nullValue())),
      pointInTimeRecovery: { enabled: inputs.point_in_time_recovery },
      serverSideEncryption: { enabled: Op.eq(inputs.encryption, "KMS"), kmsKeyArn: inputs.kms_key_arn },
      // A disabled ttl block with no attribute is what the provider reads back for "no TTL".
      ttl: { enabled: hasTtl, attributeName: inputs.ttl_attribute },
      // Production data is protected whatever the spec says; the input can only add protection.
      deletionProtectionEnabled: Op.or(Op.eq(context.environmentOutputs.tier, "production"), inputs.deletion_protection),
      lifecycle: {
        precondition: [
          {
            condition: Op.or(Op.eq(inputs.kms_key_arn, Token.nullValue()), Op.eq(inputs.encryption, "KMS")),
            errorMessage: "kms_key_arn is only used with encryption KMS: set encryption to KMS or remove kms_key_arn.",
          },
          {
            condition: Op.or(Op.not(hasSortKey), Op.neq(inputs.sort_key, inputs.partition_key)),
            errorMessage: "sort_key must differ from partition_key.",
          },
        ],
      },
    });

    // ------------------------------------------------------------------------- alarms
    const prefix = Fn.join("-", [context.serviceName, context.instanceName]);
    const alarms = new AlarmTopic(this.instance, "alarms", { name: `${prefix}-alarms`, emails: inputs.alarm_emails, httpsEndpoints: inputs.alarm_https_endpoints });
    for (const [id, metric] of [
      ["read_throttles", "ReadThrottleEvents"],
      ["write_throttles", "WriteThrottleEvents"],
    ] as const) {
      metricAlarm(alarms, id, alarms, {
        name: `${prefix}-${metric}`,
        description: `${metric} of table ${table.name}: raise capacity (PROVISIONED) or spread the keys (a hot partition).`,
        namespace: "AWS/DynamoDB",
        metricName: metric,
        dimensions: { TableName: table.name },
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: inputs.alarm_throttle_events,
      });
    }
    metricAlarm(alarms, "system_errors", alarms, {
      name: `${prefix}-SystemErrors`,
      description: `DynamoDB system errors on table ${table.name} (all item operations): check the AWS Health Dashboard; clients retry them.`,
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: inputs.alarm_system_errors,
      metricQuery: [
        { id: "errors", expression: OPERATIONS.map((_, i) => `FILL(m${i}, 0)`).join(" + "), label: "SystemErrors", returnData: true },
        ...OPERATIONS.map((operation, i) => ({
          id: `m${i}`,
          metric: { namespace: "AWS/DynamoDB", metricName: "SystemErrors", dimensions: { TableName: table.name, Operation: operation }, period: 300, stat: "Sum" },
        })),
      ],
    });

    const endpoints = { table_name: table.name, table_arn: table.arn };
    publishEndpoints(this.instance, context, endpoints);
    this.output("table_name", endpoints.table_name);
    this.output("table_arn", endpoints.table_arn);
  }
}
