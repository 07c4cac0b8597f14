import { Fn, Op, TerraformCount, Token } from "cdktf";
import { Construct } from "constructs";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Input } from "../../src/authoring/inputs";
import { splat } from "../../src/authoring/refs";
import { environmentTemplate } from "../../src/authoring/template";

/**
 * The smallest useful environment: a VPC with private subnets and an ECS cluster. It shows
 * every input type the authoring API knows; the catalog's real environment builds on it.
 */
export class StarterEnvironment extends environmentTemplate({
  name: "starter-environment",
  major: 1,
  description: "A VPC with private subnets and an ECS cluster, for trying protonkit out.",
  inputs: {
    vpc_cidr: Input.string({
      title: "VPC CIDR block",
      description: "IPv4 range of the VPC; subnets are carved from it as /24s.",
      default: "10.0.0.0/16",
      pattern: "^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[6-9]|2[0-4])$",
    }),
    subnet_count: Input.integer({ title: "Private subnets", description: "One per availability zone.", default: 2, minimum: 1, maximum: 3 }),
    tier: Input.enum(["test", "staging", "production"], { title: "Tier", description: "Drives safe defaults.", default: "test" }),
    container_insights: Input.boolean({ title: "Container Insights", default: true }),
    log_retention_factor: Input.number({ description: "Multiplier for log retention.", default: 1.5, minimum: 0.5, maximum: 10 }),
    team: Input.string({ description: "Owning team, for tags.", minLength: 2, maxLength: 32, required: true }),
    extra_tags: Input.array({ type: "string" }, { description: "Extra key=value tags.", default: [], maxItems: 10 }),
  },
  outputs: {
    vpc_id: "ID of the VPC.",
    private_subnet_ids: "Private subnet IDs, JSON-encoded list.",
    cluster_name: "Name of the ECS cluster.",
    subnet_count: "How many private subnets exist.",
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs } = this;
    const network = new Construct(this.infrastructure, "network");
    const zones = new DataAwsAvailabilityZones(network, "zones", { state: "available" });
    const vpc = new Vpc(network, "vpc", {
      cidrBlock: inputs.vpc_cidr,
      enableDnsHostnames: true,
      tags: { Name: `${this.environmentName}-vpc`, Team: inputs.team },
    });
    const zone = TerraformCount.of(inputs.subnet_count);
    const subnets = new Subnet(network, "private", {
      count: zone,
      vpcId: vpc.id,
      cidrBlock: Fn.cidrsubnet(inputs.vpc_cidr, 8, Token.asNumber(Op.add(zone.index, 10))),
      availabilityZone: Fn.element(zones.names, zone.index),
      tags: { Name: `${this.environmentName}-private-${Token.asString(zone.index)}` },
    });
    const compute = new Construct(this.infrastructure, "compute");
    const cluster = new EcsCluster(compute, "cluster", {
      name: this.environmentName,
      setting: [{ name: "containerInsights", value: Fn.conditional(inputs.container_insights, "enabled", "disabled") }],
    });
    this.output("vpc_id", vpc.id);
    this.output("private_subnet_ids", splat(subnets, "id"), { encode: "json" });
    this.output("cluster_name", cluster.name);
    this.output("subnet_count", inputs.subnet_count);
  }
}
