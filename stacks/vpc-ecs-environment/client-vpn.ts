import { Fn, IResolvable, Op, TerraformCount, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogStream } from "@cdktf/provider-aws/lib/cloudwatch-log-stream";
import { Ec2ClientVpnAuthorizationRule } from "@cdktf/provider-aws/lib/ec2-client-vpn-authorization-rule";
import { Ec2ClientVpnEndpoint } from "@cdktf/provider-aws/lib/ec2-client-vpn-endpoint";
import { Ec2ClientVpnNetworkAssociation } from "@cdktf/provider-aws/lib/ec2-client-vpn-network-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { splat } from "../../src/authoring/refs";
import type { Network } from "./network";

/** What the Client VPN endpoint needs. */
export interface ClientVpnProps {
  /** `var.environment.name`. */
  readonly environmentName: string;
  /** Whether the endpoint exists (the `client_vpn` input). */
  readonly enabled: IResolvable;
  /** ACM certificate of the endpoint (server side). */
  readonly serverCertificateArn: string;
  /** ACM certificate of the root CA that signed the clients' certificates (mutual TLS). */
  readonly clientRootCertificateArn: string;
  /** Addresses handed to clients; must not overlap the VPC. */
  readonly clientCidr: string;
  /** The environment's network: VPC and private subnets. */
  readonly network: Network;
  /** Zones, so one association per private subnet. */
  readonly zoneCount: number;
  /** Retention of the connection log group. */
  readonly retentionDays: number;
}

/**
 * An AWS Client VPN endpoint (mutual certificate authentication), off unless enabled: associated
 * with every private subnet, authorizing the VPC CIDR only (split tunnel: other traffic stays on
 * the client's own network), connection logs in CloudWatch Logs.
 */
export class ClientVpn extends Construct {
  constructor(scope: Construct, id: string, props: ClientVpnProps) {
    super(scope, id);
    const count = (): TerraformCount => TerraformCount.of(Fn.conditional(props.enabled, 1, 0));
    const env = props.environmentName;
    const logs = new CloudwatchLogGroup(this, "log_group", { count: count(), name: `/protonkit/${env}/client-vpn`, retentionInDays: props.retentionDays });
    const stream = new CloudwatchLogStream(this, "log_stream", { count: count(), name: "connections", logGroupName: Fn.element(splat(logs, "name"), 0) });
    const sg = new SecurityGroup(this, "security_group", {
      count: count(),
      name: `${env}-client-vpn`,
      description: `Client VPN of ${env}: to the VPC only`,
      vpcId: props.network.vpc.id,
      egress: [{ description: "To the VPC", fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: [props.network.vpc.cidrBlock] }],
    });
    const endpoint = new Ec2ClientVpnEndpoint(this, "endpoint", {
      count: count(),
      description: `${env} Client VPN`,
      serverCertificateArn: props.serverCertificateArn,
      clientCidrBlock: props.clientCidr,
      splitTunnel: true,
      transportProtocol: "udp",
      vpcId: props.network.vpc.id,
      securityGroupIds: [Fn.element(splat(sg, "id"), 0)],
      authenticationOptions: [{ type: "certificate-authentication", rootCertificateChainArn: props.clientRootCertificateArn }],
      connectionLogOptions: { enabled: true, cloudwatchLogGroup: Fn.element(splat(logs, "name"), 0), cloudwatchLogStream: Fn.element(splat(stream, "name"), 0) },
      lifecycle: {
        precondition: [
          {
            condition: Op.and(Op.neq("", props.serverCertificateArn), Op.neq("", props.clientRootCertificateArn)),
            errorMessage: "client_vpn needs client_vpn_server_certificate_arn and client_vpn_client_root_certificate_arn (ACM certificates).",
          },
        ],
      },
    });
    const endpointId = Fn.element(splat(endpoint, "id"), 0);
    const assoc = TerraformCount.of(Token.asNumber(Fn.conditional(props.enabled, props.zoneCount, 0)));
    new Ec2ClientVpnNetworkAssociation(this, "subnet", {
      count: assoc,
      clientVpnEndpointId: endpointId,
      subnetId: Fn.element(splat(props.network.privateSubnets, "id"), assoc.index),
    });
    new Ec2ClientVpnAuthorizationRule(this, "vpc", {
      count: count(),
      clientVpnEndpointId: endpointId,
      targetNetworkCidr: props.network.vpc.cidrBlock,
      authorizeAllGroups: true,
      description: "The VPC",
    });
  }
}
