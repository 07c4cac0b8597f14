import { Fn, Op, TerraformCount, TerraformIterator, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Input } from "../../src/authoring/inputs";
import { literal, splat } from "../../src/authoring/refs";
import { environmentTemplate } from "../../src/authoring/template";

/** CloudWatch Logs accepts only these retention periods (days). */
const RETENTION_DAYS = ["1", "3", "5", "7", "14", "30", "60", "90", "180", "365", "731", "1827", "3653"] as const;

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
    "The tier input (test, staging, production) picks safe defaults for every input left on auto.",
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
    log_retention_days: Input.enum(["auto", ...RETENTION_DAYS], {
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

    // ----------------------------------------------------------------------------- network
    const network = new Construct(stack, "network");
    const zones = new DataAwsAvailabilityZones(network, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    // A region always has zones; an empty list only comes from a mocked provider, which the guard lets through.
    const zoneNames = new TerraformLocal(stack, "availability_zones", Fn.slice(zones.names, 0, Fn.min([inputs.az_count, Fn.lengthOf(zones.names)])));
    const vpc = new Vpc(network, "vpc", {
      cidrBlock: inputs.vpc_cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true, // private DNS namespaces need both
      tags: { Name: env },
      lifecycle: {
        precondition: [
          {
            condition: Op.or(Op.eq(Fn.lengthOf(zones.names), literal(0)), Op.gte(Fn.lengthOf(zones.names), inputs.az_count)),
            errorMessage: "The region has fewer available availability zones than az_count: lower az_count.",
          },
        ],
      },
    });
    // No rules: anything placed in the default group by mistake is isolated (CIS AWS 5.4).
    new DefaultSecurityGroup(network, "default_security_group", { vpcId: vpc.id, tags: { Name: `${env}-default-deny` } });

    const igw = new InternetGateway(network, "internet_gateway", { vpcId: vpc.id, tags: { Name: env } });
    const publicZone = TerraformCount.of(inputs.az_count);
    const publicSubnets = new Subnet(network, "public", {
      count: publicZone,
      vpcId: vpc.id,
      cidrBlock: Fn.cidrsubnet(inputs.vpc_cidr, 4, publicZone.index),
      availabilityZone: Fn.try([Fn.element(zoneNames.asList, publicZone.index), literal(null)]),
      mapPublicIpOnLaunch: false, // only load balancers and NAT gateways live here, with their own addresses
      tags: { Name: `${env}-public-${Token.asString(publicZone.index)}`, Tier: "public" },
    });
    const publicRoutes = new RouteTable(network, "public_routes", { vpcId: vpc.id, tags: { Name: `${env}-public` } });
    new Route(network, "public_default_route", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
    const publicAssoc = TerraformCount.of(inputs.az_count);
    new RouteTableAssociation(network, "public_routes_association", {
      count: publicAssoc,
      subnetId: Fn.element(splat(publicSubnets, "id"), publicAssoc.index),
      routeTableId: publicRoutes.id,
    });

    const privateZone = TerraformCount.of(inputs.az_count);
    const privateSubnets = new Subnet(network, "private", {
      count: privateZone,
      vpcId: vpc.id,
      cidrBlock: Fn.cidrsubnet(inputs.vpc_cidr, 4, Op.add(privateZone.index, 8)),
      availabilityZone: Fn.try([Fn.element(zoneNames.asList, privateZone.index), literal(null)]),
      tags: { Name: `${env}-private-${Token.asString(privateZone.index)}`, Tier: "private" },
    });

    const nat = TerraformCount.of(natCount.asNumber);
    const natIps = new Eip(network, "nat_ip", { count: nat, domain: "vpc", tags: { Name: `${env}-nat-${Token.asString(nat.index)}` } });
    const natGateways = new NatGateway(network, "nat", {
      count: TerraformCount.of(natCount.asNumber),
      allocationId: Fn.element(splat(natIps, "id"), nat.index),
      subnetId: Fn.element(splat(publicSubnets, "id"), nat.index),
      tags: { Name: `${env}-nat-${Token.asString(nat.index)}` },
      dependsOn: [igw],
    });
    // One route table per zone, so per_az NAT keeps each zone's egress inside the zone.
    const privateRt = TerraformCount.of(inputs.az_count);
    const privateRoutes = new RouteTable(network, "private_routes", {
      count: privateRt,
      vpcId: vpc.id,
      tags: { Name: `${env}-private-${Token.asString(privateRt.index)}` },
    });
    const privateRoute = TerraformCount.of(Fn.conditional(Op.gt(natCount.asNumber, literal(0)), inputs.az_count, 0));
    new Route(network, "private_default_route", {
      count: privateRoute,
      routeTableId: Fn.element(splat(privateRoutes, "id"), privateRoute.index),
      destinationCidrBlock: "0.0.0.0/0",
      // element() wraps around: with a single NAT every zone uses it, with per_az each zone its own.
      natGatewayId: Fn.element(splat(natGateways, "id"), privateRoute.index),
    });
    const privateAssoc = TerraformCount.of(inputs.az_count);
    new RouteTableAssociation(network, "private_routes_association", {
      count: privateAssoc,
      subnetId: Fn.element(splat(privateSubnets, "id"), privateAssoc.index),
      routeTableId: Fn.element(splat(privateRoutes, "id"), privateAssoc.index),
    });

    // Image layers come from S3: the gateway endpoint is free and keeps that traffic off NAT.
    new VpcEndpoint(network, "s3_endpoint", {
      vpcId: vpc.id,
      serviceName: Fn.format("%s.%s.s3", [partition.reverseDnsPrefix, region.name]),
      vpcEndpointType: "Gateway",
      routeTableIds: splat(privateRoutes, "id"),
      tags: { Name: `${env}-s3` },
    });
    const endpointSg = new SecurityGroup(network, "endpoint_security_group", {
      count: TerraformCount.of(Fn.conditional(Op.eq(Fn.lengthOf(interfaceEndpoints.asList), literal(0)), 0, 1)),
      namePrefix: `${env}-endpoints-`,
      description: "HTTPS to the interface VPC endpoints from inside the VPC",
      vpcId: vpc.id,
      ingress: [{ description: "HTTPS from the VPC", fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: [vpc.cidrBlock] }],
    });
    const endpointService = TerraformIterator.fromList(Fn.toset(interfaceEndpoints.asList));
    new VpcEndpoint(network, "interface_endpoint", {
      forEach: endpointService,
      vpcId: vpc.id,
      serviceName: Fn.format("%s.%s.%s", [partition.reverseDnsPrefix, region.name, endpointService.value]),
      vpcEndpointType: "Interface",
      privateDnsEnabled: true,
      subnetIds: splat(privateSubnets, "id"),
      securityGroupIds: [Fn.element(splat(endpointSg, "id"), 0)],
      tags: { Name: Fn.format("%s-%s", [env, endpointService.value]) },
    });

    // --------------------------------------------------------------------------- flow logs
    const flow = new Construct(stack, "flow_logs");
    const flowCount = (): TerraformCount => TerraformCount.of(Fn.conditional(flowLogs.asBoolean, 1, 0));
    const flowGroup = new CloudwatchLogGroup(flow, "log_group", {
      count: flowCount(),
      name: `/protonkit/${env}/vpc-flow-logs`,
      retentionInDays: retention.asNumber,
    });
    const flowRole = new IamRole(flow, "role", {
      count: flowCount(),
      name: Fn.substr(`${env}-vpc-flow-logs`, 0, 64),
      description: "Lets VPC Flow Logs deliver to the environment's flow log group.",
      assumeRolePolicy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Confused-deputy guard: only deliveries for this account.
            Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
          },
        ],
      }),
    });
    new IamRolePolicy(flow, "delivery", {
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
    new FlowLog(flow, "vpc", {
      count: flowCount(),
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: Fn.element(splat(flowGroup, "arn"), 0),
      iamRoleArn: Fn.element(splat(flowRole, "arn"), 0),
      maxAggregationInterval: 60,
      tags: { Name: env },
    });

    // ----------------------------------------------------------------------------- compute
    const compute = new Construct(stack, "compute");
    const cluster = new EcsCluster(compute, "cluster", {
      name: env,
      setting: [{ name: "containerInsights", value: inputs.container_insights }],
    });
    new EcsClusterCapacityProviders(compute, "capacity_providers", {
      clusterName: cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
    });
    const namespace = new ServiceDiscoveryPrivateDnsNamespace(compute, "namespace", {
      name: namespaceName.asString,
      vpc: vpc.id,
      description: `Service discovery for environment ${env}`,
    });
    const executionRole = new IamRole(compute, "task_execution_role", {
      name: Fn.substr(`${env}-ecs-task-execution`, 0, 64),
      description: "Shared ECS task execution role: pulls images and writes container logs for every service of the environment.",
      assumeRolePolicy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
          },
        ],
      }),
    });
    new IamRolePolicyAttachment(compute, "task_execution_policy", {
      role: executionRole.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
    });

    this.output("tier", inputs.tier);
    this.output("vpc_id", vpc.id);
    this.output("vpc_cidr", vpc.cidrBlock);
    this.output("availability_zones", splat(publicSubnets, "availability_zone"), { encode: "json" });
    this.output("public_subnet_ids", splat(publicSubnets, "id"), { encode: "json" });
    this.output("private_subnet_ids", splat(privateSubnets, "id"), { encode: "json" });
    this.output("nat_mode", natMode.asString);
    this.output("cluster_name", cluster.name);
    this.output("cluster_arn", cluster.arn);
    this.output("namespace_id", namespace.id);
    this.output("namespace_name", namespace.name);
    this.output("task_execution_role_arn", executionRole.arn);
    this.output("log_retention_days", retention.asNumber);
  }
}
