import { Fn, Op, TerraformCount, TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Input } from "../../src/authoring/inputs";
import { literal } from "../../src/authoring/refs";
import { serviceTemplate } from "../../src/authoring/template";
import { publishEndpoints } from "../shared/endpoints";
import { FargateWebService, fargateServiceOutputs, fargateServiceProps } from "../shared/fargate-service";
import { addServicePipeline } from "../shared/service-pipeline";
import { addWebAlarms, webAlarmInputs } from "../shared/web-alarms";
import { webPipelineInputs, webPipelineOutputs, webServiceInputs } from "../shared/web-inputs";
import { VpcEcsEnvironment } from "../vpc-ecs-environment/stack";

/**
 * An internal HTTP service: Fargate tasks in private subnets with no public ingress, registered
 * in the environment's private DNS namespace, so callers reach it at
 * `http://<dns_name>.<namespace>:<port>`. Only the VPC (or, when listed, only given security
 * groups) may connect. Same operations, imports and endpoint publishing as the public service.
 */
export class PrivateWebService extends serviceTemplate({
  name: "private-web-service",
  major: 1,
  displayName: "Private web service (Fargate + service discovery)",
  description:
    "A container on ECS Fargate reachable only inside the VPC, registered in the environment's private DNS namespace " +
    "(http://<name>.<namespace>:<port>), with CPU autoscaling, logs, imported endpoints as environment variables and its URL " +
    "published to SSM. Alarms on CPU and memory notify an encrypted SNS topic (e-mail and HTTPS subscriptions). The pipeline adds an ECR repository and a GitHub OIDC deploy role.",
  compatibleEnvironments: [VpcEcsEnvironment],
  directlyDefinedComponents: true,
  inputs: {
    ...webServiceInputs,
    dns_name: Input.string({
      title: "DNS name",
      description: "Name registered in the environment's namespace (<dns_name>.<namespace>); empty means the service name, lower-cased.",
      default: "",
      pattern: "^$|^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
    }),
    allowed_security_group_ids: Input.array(
      { type: "string", pattern: "^sg-[0-9a-f]{8,17}$" },
      {
        title: "Allowed callers",
        description: "Security groups allowed to call the service; empty allows the whole VPC CIDR.",
        default: [],
        maxItems: 20,
      },
    ),
    ...webAlarmInputs,
  },
  outputs: {
    url: "Internal URL of the service: http://<dns_name>.<namespace>:<port>.",
    dns_name: "Fully qualified DNS name in the environment's private namespace.",
    ...fargateServiceOutputs,
    security_group_id: "Security group of the tasks (callers need an egress path to it).",
  },
  pipeline: { inputs: webPipelineInputs, outputs: webPipelineOutputs },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, context } = this;
    const env = context.environmentOutputs;

    // ------------------------------------------------------------------------ discovery
    // Registration and ingress rules share network.tf (Proton allows 10 template files per bundle).
    const network = new Construct(this.instance, "network");
    const dnsName = Fn.conditional(
      Op.eq(inputs.dns_name, literal("")),
      Fn.replace(Fn.lower(context.serviceName), "_", "-"),
      inputs.dns_name,
    );
    const registry = new ServiceDiscoveryService(network, "discovery", {
      name: dnsName,
      description: `${context.serviceName}/${context.instanceName}`,
      dnsConfig: {
        namespaceId: env.namespace_id,
        routingPolicy: "MULTIVALUE",
        dnsRecords: [{ type: "A", ttl: 10 }],
      },
      // ECS reports task health to Cloud Map: unhealthy tasks leave DNS.
      healthCheckCustomConfig: { failureThreshold: 1 },
      forceDestroy: true, // instances are ECS-managed; deleting the service must not wait on them
    });

    // ------------------------------------------------------------------------ service
    const app = new FargateWebService(this.instance, "service", { ...fargateServiceProps(this), serviceRegistryArn: registry.arn });

    // No public ingress: the VPC, or only the listed callers.
    new VpcSecurityGroupIngressRule(network, "from_vpc", {
      count: TerraformCount.of(Fn.conditional(Op.eq(Fn.lengthOf(inputs.allowed_security_group_ids), literal(0)), 1, 0)),
      securityGroupId: app.securityGroup.id,
      description: "HTTP from inside the VPC",
      ipProtocol: "tcp",
      fromPort: inputs.port,
      toPort: inputs.port,
      cidrIpv4: env.vpc_cidr,
    });
    const caller = TerraformIterator.fromList(Fn.toset(inputs.allowed_security_group_ids));
    new VpcSecurityGroupIngressRule(network, "from_callers", {
      forEach: caller,
      securityGroupId: app.securityGroup.id,
      description: "HTTP from an allowed caller",
      ipProtocol: "tcp",
      fromPort: inputs.port,
      toPort: inputs.port,
      referencedSecurityGroupId: Token.asString(caller.value),
    });

    // ---------------------------------------------------------------------- endpoints
    const fqdn = Fn.format("%s.%s", [registry.name, env.namespace_name]);
    const url = Fn.format("http://%s:%d", [fqdn, inputs.port]);
    const endpoints = new Construct(this.instance, "endpoints");
    publishEndpoints(endpoints, context, { url });

    this.output("url", url);
    this.output("dns_name", fqdn);
    app.setOutputs(this);

    // No load balancer: the 5xx rate, latency and unhealthy targets are the callers' to watch.
    addWebAlarms(app, Fn.join("-", [context.serviceName, context.instanceName]), env.cluster_name, app, inputs);

    addServicePipeline(this);
  }
}
