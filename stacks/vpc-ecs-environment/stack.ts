import { Fn, Op, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Input } from "../../src/authoring/inputs";
import { literal, splat } from "../../src/authoring/refs";
import { environmentTemplate } from "../../src/authoring/template";
import { LOG_RETENTION_CHOICES } from "../shared/log-retention";
import { TeamAccess, teamAccessInput } from "../shared/team-access";
import { ClientVpn } from "./client-vpn";
import { Compute } from "./compute";
import { FlowLogs } from "./flow-logs";
import { Network } from "./network";

/**
 * The Pizza&Ananas environment: one per AWS account (test, staging, production), all from this
 * template. A VPC over 2 or 3 zones with public and private subnets and NAT, optional flow
 * logs, an ECS cluster with Container Insights, a private DNS namespace for service discovery
 * and the task execution role every service shares. The `tier` input picks safe defaults for
 * every input left on `auto`:
 *
 * | setting | test | staging | production |
 * |---------|------|---------|------------|
 * | `nat_mode: auto` | single | single | per_az |
 * | `flow_logs: auto` | disabled | enabled | enabled |
 * | `log_retention_days: auto` | 7 | 30 | 365 |
 *
 * `vpc_endpoints: auto` adds interface endpoints (ECR API, ECR Docker, CloudWatch Logs) exactly
 * when there is no NAT, so Fargate can still pull images and ship logs; the S3 gateway endpoint
 * (image layers, free) is always there.
 */
export class VpcEcsEnvironment extends environmentTemplate({
  name: "vpc-ecs-environment",
  major: 1,
  displayName: "VPC + ECS environment",
  description:
    "A VPC over 2 or 3 availability zones (public and private subnets, NAT), optional VPC flow logs, an ECS Fargate cluster " +
    "with Container Insights, a private DNS namespace for service discovery and the shared task execution role. " +
    "The tier input (test, staging, production) picks safe defaults for every input left on auto. Optional read-only " +
    "roles per team for the logs of its own services (by the proton:service tag) and the account's metrics; optional " +
    "AWS Client VPN endpoint into the private subnets.",
  inputs: {
    tier: Input.enum(["test", "staging", "production"], {
      title: "Tier",
      description: "What the environment is for. Inputs left on auto follow it: NAT per zone, flow logs and longer log retention outside test.",
      default: "test",
    }),
    vpc_cidr: Input.string({
      title: "VPC CIDR block",
      description: "IPv4 range of the VPC, /16 to /20; each subnet gets a sixteenth of it (public subnets first, private subnets from the ninth block).",
      default: "10.0.0.0/16",
      pattern: "^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[6-9]|20)$",
    }),
    az_count: Input.integer({
      title: "Availability zones",
      description: "Zones the VPC spans: one public and one private subnet in each.",
      default: 2,
      minimum: 2,
      maximum: 3,
    }),
    nat_mode: Input.enum(["auto", "none", "single", "per_az"], {
      title: "NAT gateways",
      description:
        "Outbound internet access of private subnets: none (no NAT: tasks need VPC endpoints to pull images), single (one NAT gateway, cheaper, " +
        "one zone's outage cuts egress), per_az (one per zone, highly available), auto (per_az in production, single otherwise).",
      default: "auto",
    }),
    flow_logs: Input.enum(["auto", "enabled", "disabled"], {
      title: "VPC flow logs",
      description: "Send VPC flow logs to CloudWatch Logs; auto enables them in staging and production.",
      default: "auto",
    }),
    log_retention_days: Input.enum(LOG_RETENTION_CHOICES, {
      title: "Log retention (days)",
      description: "Retention of the environment's log groups and the default of its services; auto is 7 in test, 30 in staging, 365 in production.",
      default: "auto",
    }),
    container_insights: Input.enum(["enabled", "enhanced"], {
      title: "Container Insights",
      description: "ECS Container Insights level of the cluster (enhanced adds task- and container-level metrics, at a higher cost).",
      default: "enabled",
    }),
    vpc_endpoints: Input.enum(["auto", "enabled", "disabled"], {
      title: "Interface VPC endpoints",
      description:
        "Private endpoints for ECR (api, dkr) and CloudWatch Logs in the private subnets, so tasks pull images and write logs without NAT; " +
        "auto enables them when nat_mode resolves to none. The S3 gateway endpoint is always created.",
      default: "auto",
    }),
    namespace_name: Input.string({
      title: "Service discovery namespace",
      description: "Private DNS domain services register in (`<name>.<namespace>`); empty means `<environment>.internal`.",
      default: "",
      pattern: "^$|^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
      maxLength: 253,
    }),
    team_access: teamAccessInput,
    client_vpn: Input.boolean({
      title: "Client VPN",
      description:
        "An AWS Client VPN endpoint into the VPC (mutual certificate authentication, split tunnel, the VPC CIDR authorized, connection logs), " +
        "associated with every private subnet. Needs the two certificate inputs.",
      default: false,
    }),
    client_vpn_server_certificate_arn: Input.string({
      title: "Client VPN server certificate",
      description: "ACM certificate of the Client VPN endpoint, with client_vpn.",
      default: "",
      pattern: "^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$",
    }),
    client_vpn_client_root_certificate_arn: Input.string({
      title: "Client VPN client root certificate",
      description: "ACM certificate of the root CA that signed the clients' certificates, with client_vpn.",
      default: "",
      pattern: "^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$",
    }),
    client_vpn_cidr: Input.string({
      title: "Client VPN client CIDR",
      description: "Addresses handed to VPN clients, /12 to /22; must not overlap the VPC.",
      default: "172.16.0.0/22",
      pattern: "^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[2-9]|2[0-2])$",
    }),
  },
  outputs: {
    tier: "Tier of the environment: test, staging or production.",
    vpc_id: "ID of the VPC.",
    vpc_cidr: "IPv4 CIDR block of the VPC.",
    availability_zones: "Availability zones used, JSON-encoded list.",
    public_subnet_ids: "Public subnet IDs (one per zone), JSON-encoded list.",
    private_subnet_ids: "Private subnet IDs (one per zone), JSON-encoded list.",
    nat_mode: "NAT mode in effect (none, single or per_az) after resolving auto.",
    cluster_name: "Name of the ECS cluster.",
    cluster_arn: "ARN of the ECS cluster.",
    namespace_id: "ID of the private DNS namespace for service discovery.",
    namespace_name: "Domain of the private DNS namespace; services are reachable as <name>.<namespace>.",
    task_execution_role_arn: "ARN of the shared ECS task execution role (pulls images, writes logs).",
    log_retention_days: "Log retention in days services use unless they set their own.",
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, environmentName: env } = this;
    const stack = this.infrastructure;

    // Every `auto` is resolved once, here, so resources and outputs agree on it.
    const tierIs = (tier: string) => Op.eq(inputs.tier, tier);
    const natMode = new TerraformLocal(
      stack,
      "nat_mode",
      Fn.conditional(Op.eq(inputs.nat_mode, "auto"), Fn.conditional(tierIs("production"), "per_az", "single"), inputs.nat_mode),
    );
    const natCount = new TerraformLocal(
      stack,
      "nat_gateway_count",
      Fn.conditional(Op.eq(natMode.asString, "none"), 0, Fn.conditional(Op.eq(natMode.asString, "single"), 1, inputs.az_count)),
    );
    const flowLogs = new TerraformLocal(
      stack,
      "flow_logs_enabled",
      Fn.conditional(Op.eq(inputs.flow_logs, "auto"), Op.not(tierIs("test")), Op.eq(inputs.flow_logs, "enabled")),
    );
    const retention = new TerraformLocal(
      stack,
      "log_retention_days",
      Fn.conditional(
        Op.eq(inputs.log_retention_days, "auto"),
        Fn.lookup({ test: 7, staging: 30, production: 365 }, inputs.tier),
        Fn.tonumber(inputs.log_retention_days),
      ),
    );
    // DNS labels allow no underscores; Proton names do.
    const namespaceName = new TerraformLocal(
      stack,
      "namespace_name",
      Fn.conditional(Op.eq(inputs.namespace_name, literal("")), Fn.format("%s.internal", [Fn.replace(Fn.lower(env), "_", "-")]), inputs.namespace_name),
    );

    const interfaceEndpoints = new TerraformLocal(
      stack,
      "interface_endpoints",
      Fn.conditional(
        Op.or(Op.eq(inputs.vpc_endpoints, "enabled"), Op.and(Op.eq(inputs.vpc_endpoints, "auto"), Op.eq(natMode.asString, "none"))),
        ["ecr.api", "ecr.dkr", "logs"],
        [],
      ),
    );

    const account = new DataAwsCallerIdentity(stack, "account");
    const region = new DataAwsRegion(stack, "region");
    const partition = new DataAwsPartition(stack, "partition");

    const network = new Network(stack, "network", {
      environmentName: env,
      cidr: inputs.vpc_cidr,
      zoneCount: inputs.az_count,
      natGatewayCount: natCount.asNumber,
      interfaceEndpoints: interfaceEndpoints.asList,
      region,
      partition,
    });
    new FlowLogs(stack, "flow_logs", {
      environmentName: env,
      enabled: flowLogs.asBoolean,
      vpcId: network.vpc.id,
      retentionDays: retention.asNumber,
      accountId: account.accountId,
    });
    const compute = new Compute(stack, "compute", {
      environmentName: env,
      containerInsights: inputs.container_insights,
      namespaceName: namespaceName.asString,
      vpcId: network.vpc.id,
      accountId: account.accountId,
      partition: partition.partition,
    });

    // Under network: the bundle stays within Proton's 10 template files.
    new ClientVpn(network, "client_vpn", {
      environmentName: env,
      enabled: inputs.client_vpn,
      serverCertificateArn: inputs.client_vpn_server_certificate_arn,
      clientRootCertificateArn: inputs.client_vpn_client_root_certificate_arn,
      clientCidr: inputs.client_vpn_cidr,
      network,
      zoneCount: inputs.az_count,
      retentionDays: retention.asNumber,
    });
    // Under compute: the bundle stays within Proton's 10 template files.
    new TeamAccess(compute, "team_access", {
      environmentName: env,
      teamsExpression: "var.environment.inputs.team_access",
      partition: partition.partition,
      region: region.name,
      accountId: account.accountId,
    });

    this.output("tier", inputs.tier);
    this.output("vpc_id", network.vpc.id);
    this.output("vpc_cidr", network.vpc.cidrBlock);
    this.output("availability_zones", splat(network.publicSubnets, "availability_zone"), { encode: "json" });
    this.output("public_subnet_ids", splat(network.publicSubnets, "id"), { encode: "json" });
    this.output("private_subnet_ids", splat(network.privateSubnets, "id"), { encode: "json" });
    this.output("nat_mode", natMode.asString);
    this.output("cluster_name", compute.cluster.name);
    this.output("cluster_arn", compute.cluster.arn);
    this.output("namespace_id", compute.namespace.id);
    this.output("namespace_name", compute.namespace.name);
    this.output("task_execution_role_arn", compute.executionRole.arn);
    this.output("log_retention_days", retention.asNumber);
  }
}
