import { Fn, TerraformIterator, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Input } from "../../src/authoring/inputs";
import { expr } from "../../src/authoring/refs";

/** `<team>;<principal ARN>;<service>[,<service>...]`. */
export const TEAM_ACCESS_PATTERN =
  "^[a-z][a-z0-9-]{0,30};arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/[A-Za-z0-9+=,.@_/-]+);[0-9A-Za-z][0-9A-Za-z_-]*(,[0-9A-Za-z][0-9A-Za-z_-]*)*$";

/** The `team_access` input of an environment template. */
export const teamAccessInput = Input.array(
  { type: "string", pattern: TEAM_ACCESS_PATTERN, maxLength: 1000 },
  {
    title: "Team access",
    description:
      "Read-only access per team to the logs of its own services, as <team>;<principal ARN>;<service>,<service>: the principal (a role, or an " +
      "account's root) may assume the role <environment>-<team>-observer, which reads the log groups tagged proton:service with one of those " +
      "services. CloudWatch metrics have no resource-level permissions: the role reads every metric and alarm of the account.",
    default: [],
    maxItems: 50,
  },
);

/** Actions on log groups, allowed only on groups tagged with one of the team's services. */
export const SCOPED_LOG_ACTIONS = ["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:GetLogGroupFields", "logs:StartLiveTail", "logs:StartQuery"] as const;

/** Actions without resource-level permissions that the console needs: names of groups, results of the team's own queries. */
export const UNSCOPED_LOG_ACTIONS = ["logs:DescribeLogGroups", "logs:DescribeQueries", "logs:GetQueryResults", "logs:StopQuery"] as const;

/** CloudWatch reads: GetMetricData and friends have no resource-level permissions, so they are account-wide. */
export const METRIC_ACTIONS = ["cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:GetMetricWidgetImage", "cloudwatch:ListMetrics"] as const;

/** Where the team roles live. */
export interface TeamAccessProps {
  /** The environment's name (role names start with it). */
  readonly environmentName: string;
  /** The Terraform expression of the `team_access` input, e.g. `var.environment.inputs.team_access`. */
  readonly teamsExpression: string;
  /** `data.aws_partition`'s partition. */
  readonly partition: string;
  /** `data.aws_region`'s name. */
  readonly region: string;
  /** `data.aws_caller_identity`'s account id. */
  readonly accountId: string;
}

/**
 * One IAM role per team, `<environment>-<team>-observer`, assumable by the team's principal,
 * that reads the logs of the team's services and nothing else: log actions are conditioned on
 * the `proton:service` tag every resource of a service instance carries (Proton's default
 * tags), matched as `arn:*:proton:*:*:service/<service>` because the tag holds the service's
 * ARN in the management account. Metrics are readable account-wide (no resource-level
 * permissions exist for them).
 */
export class TeamAccess extends Construct {
  /** The roles, one per team (`for_each` over the team names). */
  readonly roles: IamRole;

  constructor(scope: Construct, id: string, props: TeamAccessProps) {
    super(scope, id);
    const teams = new TerraformLocal(
      this,
      "teams",
      expr(`{ for entry in ${props.teamsExpression} : split(";", entry)[0] => { principal = split(";", entry)[1], services = split(",", split(";", entry)[2]) } }`),
    );
    const each = TerraformIterator.fromMap(teams.asAnyMap);
    const name = Fn.substr(`${props.environmentName}-${each.key}-observer`, 0, 64);
    this.roles = new IamRole(this, "role", {
      forEach: each,
      name,
      description: `Read-only: logs of team ${each.key}'s services in ${props.environmentName}, and the account's metrics`,
      assumeRolePolicy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: each.getString("principal") }, Action: "sts:AssumeRole" }],
      }),
    });
    new IamRolePolicy(this, "read", {
      forEach: each,
      name: "read-own-logs-and-metrics",
      role: name,
      dependsOn: [this.roles],
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReadOwnServicesLogs",
            Effect: "Allow",
            Action: SCOPED_LOG_ACTIONS,
            Resource: `arn:${props.partition}:logs:${props.region}:${props.accountId}:log-group:*`,
            Condition: { StringLike: { "aws:ResourceTag/proton:service": Fn.formatlist("arn:*:proton:*:*:service/%s", [each.getList("services")]) } },
          },
          { Sid: "ListLogGroupsAndOwnQueries", Effect: "Allow", Action: UNSCOPED_LOG_ACTIONS, Resource: "*" },
          { Sid: "ReadMetricsAccountWide", Effect: "Allow", Action: METRIC_ACTIONS, Resource: "*" },
        ],
      }),
    });
  }
}
