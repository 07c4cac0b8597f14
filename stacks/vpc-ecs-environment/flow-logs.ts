import { Fn, IResolvable, TerraformCount } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { splat } from "../../src/authoring/refs";
import { serviceTrustPolicy } from "../shared/trust-policy";

/** What {@link FlowLogs} is built from; every value may be a Terraform expression. */
export interface FlowLogsProps {
  /** The environment's name: in the log group, role name and tag. */
  readonly environmentName: string;
  /** Whether to create anything (a boolean expression: every resource has `count` 0 or 1). */
  readonly enabled: boolean | IResolvable;
  /** The VPC whose traffic is logged. */
  readonly vpcId: string;
  /** Retention of the log group, in days. */
  readonly retentionDays: number;
  /** The environment's account: the only one VPC Flow Logs may deliver for. */
  readonly accountId: string;
}

/**
 * VPC flow logs (all traffic, one-minute aggregation) into a CloudWatch log group, with the
 * role VPC Flow Logs assumes to write there and nothing else.
 */
export class FlowLogs extends Construct {
  constructor(scope: Construct, id: string, props: FlowLogsProps) {
    super(scope, id);
    const env = props.environmentName;
    const flowCount = (): TerraformCount => TerraformCount.of(Fn.conditional(props.enabled, 1, 0));
    const flowGroup = new CloudwatchLogGroup(this, "log_group", {
      count: flowCount(),
      name: `/protonkit/${env}/vpc-flow-logs`,
      retentionInDays: props.retentionDays,
    });
    const flowRole = new IamRole(this, "role", {
      count: flowCount(),
      name: Fn.substr(`${env}-vpc-flow-logs`, 0, 64),
      description: "Lets VPC Flow Logs deliver to the environment's flow log group.",
      assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "delivery", {
      count: flowCount(),
      name: "deliver-flow-logs",
      role: Fn.element(splat(flowRole, "id"), 0),
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
            Resource: [Fn.element(splat(flowGroup, "arn"), 0), `${Fn.element(splat(flowGroup, "arn"), 0)}:*`],
          },
        ],
      }),
    });
    new FlowLog(this, "vpc", {
      count: flowCount(),
      vpcId: props.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: Fn.element(splat(flowGroup, "arn"), 0),
      iamRoleArn: Fn.element(splat(flowRole, "arn"), 0),
      maxAggregationInterval: 60,
      tags: { Name: env },
    });
  }
}
