import { Fn, TerraformCount, TerraformIterator } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Input } from "../../src/authoring/inputs";

/**
 * The catalog's alarm convention: every application and data template creates CloudWatch
 * alarms with thresholds from its spec (each with a default), and every alarm notifies one SNS
 * topic per instance ({@link AlarmTopic}), encrypted with its own KMS key, with the email and
 * HTTPS subscriptions the spec lists ({@link alarmInputs}).
 */

/** An e-mail address, loosely: SNS sends a confirmation message anyway. */
const EMAIL = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$";

/** Inputs every template with alarms declares, identical everywhere. */
export const alarmInputs = {
  alarm_emails: Input.array(
    { type: "string", pattern: EMAIL, maxLength: 254 },
    {
      title: "Alarm e-mail addresses",
      description: "Addresses subscribed to the instance's alarm topic; each must confirm the subscription from the e-mail SNS sends.",
      default: [],
      maxItems: 10,
    },
  ),
  alarm_https_endpoints: Input.array(
    { type: "string", pattern: "^https://[^\\s]+$", maxLength: 1024 },
    {
      title: "Alarm HTTPS endpoints",
      description: "HTTPS URLs subscribed to the instance's alarm topic (chat or paging webhooks); each must confirm the subscription SNS posts.",
      default: [],
      maxItems: 10,
    },
  ),
} as const;

/** What an {@link AlarmTopic} is named after and who it notifies. */
export interface AlarmTopicProps {
  /** Topic name (also names the key's alias-free description), e.g. `<service>-<instance>-alarms`. */
  readonly name: string;
  /** E-mail addresses to subscribe (an input reference). */
  readonly emails: string[];
  /** HTTPS URLs to subscribe (an input reference). */
  readonly httpsEndpoints: string[];
}

/**
 * An SNS topic for alarms, encrypted with a customer managed KMS key whose policy lets
 * CloudWatch use it: alarms cannot publish to a topic encrypted with the AWS managed
 * `aws/sns` key, whose policy cannot grant CloudWatch.
 */
export class AlarmTopic extends Construct {
  /** The topic every alarm notifies. */
  readonly topic: SnsTopic;
  /** The key the topic is encrypted with. */
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    this.key = new KmsKey(this, "key", {
      description: `Encrypts the alarm topic ${props.name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountAdministers",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition.partition}:iam::${account.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
          },
        ],
      }),
    });
    this.topic = new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: this.key.arn });
    const emails = TerraformIterator.fromList(props.emails);
    new SnsTopicSubscription(this, "email", { forEach: emails, topicArn: this.topic.arn, protocol: "email", endpoint: emails.value });
    const https = TerraformIterator.fromList(props.httpsEndpoints);
    new SnsTopicSubscription(this, "https", { forEach: https, topicArn: this.topic.arn, protocol: "https", endpoint: https.value });
  }
}

/** One alarm on one metric, or on metric math (`metricQuery`). */
export interface AlarmProps {
  /** Alarm name; prefix it with `<service>-<instance>` so names stay unique in the account. */
  readonly name: string;
  /** What it means and what to look at first. */
  readonly description: string;
  /** `GreaterThanOrEqualToThreshold`, `LessThanThreshold`, ... */
  readonly comparison: string;
  /** Threshold (an input reference or a computed number). */
  readonly threshold: number;
  /**
   * Metric namespace, e.g. `AWS/Lambda` (with `metricName`).
   * @default none: `metricQuery` is used
   */
  readonly namespace?: string;
  /**
   * Metric name (with `namespace`).
   * @default none: `metricQuery` is used
   */
  readonly metricName?: string;
  /**
   * Metric dimensions.
   * @default none
   */
  readonly dimensions?: Record<string, string>;
  /**
   * `Sum`, `Average`, `Maximum`, `Minimum` or `SampleCount`.
   * @default "Sum", unless `extendedStatistic` is given
   */
  readonly statistic?: string;
  /**
   * A percentile such as `p95`, in place of `statistic`.
   * @default none
   */
  readonly extendedStatistic?: string;
  /**
   * Metric math in place of a single metric; one query has `returnData: true`.
   * @default none
   */
  readonly metricQuery?: CloudwatchMetricAlarmMetricQuery[];
  /**
   * Seconds per evaluation period.
   * @default 300
   */
  readonly period?: number;
  /**
   * Periods evaluated, all of which must breach.
   * @default 1
   */
  readonly periods?: number;
  /**
   * How a period without data counts.
   * @default "notBreaching"
   */
  readonly treatMissingData?: string;
  /**
   * Terraform `count`, for an alarm that exists only when a feature is on.
   * @default one alarm, always
   */
  readonly count?: TerraformCount;
}

/** A CloudWatch alarm that notifies `topic` when it fires and when it recovers. */
export function metricAlarm(scope: Construct, id: string, topic: AlarmTopic, props: AlarmProps): CloudwatchMetricAlarm {
  const single = props.metricQuery === undefined;
  const periods = props.periods ?? 1;
  return new CloudwatchMetricAlarm(scope, id, {
    ...(props.count === undefined ? {} : { count: props.count }),
    alarmName: props.name,
    alarmDescription: props.description,
    comparisonOperator: props.comparison,
    threshold: props.threshold,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    treatMissingData: props.treatMissingData ?? "notBreaching",
    alarmActions: [topic.topic.arn],
    okActions: [topic.topic.arn],
    ...(single
      ? {
          namespace: props.namespace,
          metricName: props.metricName,
          dimensions: props.dimensions,
          period: props.period ?? 300,
          ...(props.extendedStatistic === undefined ? { statistic: props.statistic ?? "Sum" } : { extendedStatistic: props.extendedStatistic }),
        }
      : { metricQuery: props.metricQuery }),
  });
}
