import { Fn, Op, TerraformCount, TerraformIterator, TerraformLocal, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { literal, splat } from "../../src/authoring/refs";

/** What {@link Network} is built from; every value may be a Terraform expression. */
export interface NetworkProps {
  /** The environment's name: stem of every `Name` tag. */
  readonly environmentName: string;
  /** IPv4 range of the VPC, /16 to /20. */
  readonly cidr: string;
  /** Zones to span (2 or 3): one public and one private subnet in each. */
  readonly zoneCount: number;
  /** NAT gateways: 0, 1 (shared by every zone) or one per zone. */
  readonly natGatewayCount: number;
  /** Interface endpoint services (`ecr.api`, `logs`, ...) to create in the private subnets. */
  readonly interfaceEndpoints: string[];
  /** Region the endpoint service names are built for. */
  readonly region: DataAwsRegion;
  /** Partition the endpoint service names are built for. */
  readonly partition: DataAwsPartition;
}

/**
 * The environment's VPC: public subnets (load balancers and NAT gateways only) and private
 * subnets (every workload), a route table per private subnet so NAT per zone keeps each zone's
 * egress inside it, a default security group with no rules, the S3 gateway endpoint and the
 * optional interface endpoints.
 */
export class Network extends Construct {
  /** The VPC. */
  readonly vpc: Vpc;
  /** The public subnets, one per zone (`count`). */
  readonly publicSubnets: Subnet;
  /** The private subnets, one per zone (`count`). */
  readonly privateSubnets: Subnet;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { environmentName: env, cidr, zoneCount, natGatewayCount, region, partition } = props;
    const zones = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    // A region always has zones; an empty list only comes from a mocked provider, which the guard lets through.
    // The local lives in the stack root (main.tf), as the environment's other resolved values do.
    const zoneNames = new TerraformLocal(
      TerraformStack.of(this),
      "availability_zones",
      Fn.slice(zones.names, 0, Fn.min([zoneCount, Fn.lengthOf(zones.names)])),
    );
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true, // private DNS namespaces need both
      tags: { Name: env },
      lifecycle: {
        precondition: [
          {
            condition: Op.or(Op.eq(Fn.lengthOf(zones.names), literal(0)), Op.gte(Fn.lengthOf(zones.names), zoneCount)),
            errorMessage: "The region has fewer available availability zones than az_count: lower az_count.",
          },
        ],
      },
    });
    this.vpc = vpc;
    // No rules: anything placed in the default group by mistake is isolated (CIS AWS 5.4).
    new DefaultSecurityGroup(this, "default_security_group", { vpcId: vpc.id, tags: { Name: `${env}-default-deny` } });

    const igw = new InternetGateway(this, "internet_gateway", { vpcId: vpc.id, tags: { Name: env } });
    const publicZone = TerraformCount.of(zoneCount);
    this.publicSubnets = new Subnet(this, "public", {
      count: publicZone,
      vpcId: vpc.id,
      cidrBlock: Fn.cidrsubnet(cidr, 4, publicZone.index),
      availabilityZone: Fn.try([Fn.element(zoneNames.asList, publicZone.index), literal(null)]),
      mapPublicIpOnLaunch: false, // only load balancers and NAT gateways live here, with their own addresses
      tags: { Name: `${env}-public-${Token.asString(publicZone.index)}`, Tier: "public" },
    });
    const publicRoutes = new RouteTable(this, "public_routes", { vpcId: vpc.id, tags: { Name: `${env}-public` } });
    new Route(this, "public_default_route", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
    const publicAssoc = TerraformCount.of(zoneCount);
    new RouteTableAssociation(this, "public_routes_association", {
      count: publicAssoc,
      subnetId: Fn.element(splat(this.publicSubnets, "id"), publicAssoc.index),
      routeTableId: publicRoutes.id,
    });

    const privateZone = TerraformCount.of(zoneCount);
    this.privateSubnets = new Subnet(this, "private", {
      count: privateZone,
      vpcId: vpc.id,
      cidrBlock: Fn.cidrsubnet(cidr, 4, Op.add(privateZone.index, 8)),
      availabilityZone: Fn.try([Fn.element(zoneNames.asList, privateZone.index), literal(null)]),
      tags: { Name: `${env}-private-${Token.asString(privateZone.index)}`, Tier: "private" },
    });

    const nat = TerraformCount.of(natGatewayCount);
    const natIps = new Eip(this, "nat_ip", { count: nat, domain: "vpc", tags: { Name: `${env}-nat-${Token.asString(nat.index)}` } });
    const natGateways = new NatGateway(this, "nat", {
      count: TerraformCount.of(natGatewayCount),
      allocationId: Fn.element(splat(natIps, "id"), nat.index),
      subnetId: Fn.element(splat(this.publicSubnets, "id"), nat.index),
      tags: { Name: `${env}-nat-${Token.asString(nat.index)}` },
      dependsOn: [igw],
    });
    // One route table per zone, so per_az NAT keeps each zone's egress inside the zone.
    const privateRt = TerraformCount.of(zoneCount);
    const privateRoutes = new RouteTable(this, "private_routes", {
      count: privateRt,
      vpcId: vpc.id,
      tags: { Name: `${env}-private-${Token.asString(privateRt.index)}` },
    });
    const privateRoute = TerraformCount.of(Fn.conditional(Op.gt(natGatewayCount, literal(0)), zoneCount, 0));
    new Route(this, "private_default_route", {
      count: privateRoute,
      routeTableId: Fn.element(splat(privateRoutes, "id"), privateRoute.index),
      destinationCidrBlock: "0.0.0.0/0",
      // element() wraps around: with a single NAT every zone uses it, with per_az each zone its own.
      natGatewayId: Fn.element(splat(natGateways, "id"), privateRoute.index),
    });
    const privateAssoc = TerraformCount.of(zoneCount);
    new RouteTableAssociation(this, "private_routes_association", {
      count: privateAssoc,
      subnetId: Fn.element(splat(this.privateSubnets, "id"), privateAssoc.index),
      routeTableId: Fn.element(splat(privateRoutes, "id"), privateAssoc.index),
    });

    // Image layers come from S3: the gateway endpoint is free and keeps that traffic off NAT.
    new VpcEndpoint(this, "s3_endpoint", {
      vpcId: vpc.id,
      serviceName: Fn.format("%s.%s.s3", [partition.reverseDnsPrefix, region.name]),
      vpcEndpointType: "Gateway",
      routeTableIds: splat(privateRoutes, "id"),
      tags: { Name: `${env}-s3` },
    });
    const endpointSg = new SecurityGroup(this, "endpoint_security_group", {
      count: TerraformCount.of(Fn.conditional(Op.eq(Fn.lengthOf(props.interfaceEndpoints), literal(0)), 0, 1)),
      namePrefix: `${env}-endpoints-`,
      description: "HTTPS to the interface VPC endpoints from inside the VPC",
      vpcId: vpc.id,
      ingress: [{ description: "HTTPS from the VPC", fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: [vpc.cidrBlock] }],
    });
    const endpointService = TerraformIterator.fromList(Fn.toset(props.interfaceEndpoints));
    new VpcEndpoint(this, "interface_endpoint", {
      forEach: endpointService,
      vpcId: vpc.id,
      serviceName: Fn.format("%s.%s.%s", [partition.reverseDnsPrefix, region.name, endpointService.value]),
      vpcEndpointType: "Interface",
      privateDnsEnabled: true,
      subnetIds: splat(this.privateSubnets, "id"),
      securityGroupIds: [Fn.element(splat(endpointSg, "id"), 0)],
      tags: { Name: Fn.format("%s-%s", [env, endpointService.value]) },
    });
  }
}
