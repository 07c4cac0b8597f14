import { Fn, Op, TerraformCount } from "cdktf";
import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Input } from "../../src/authoring/inputs";
import { literal } from "../../src/authoring/refs";
import { serviceTemplate } from "../../src/authoring/template";
import { publishEndpoints } from "../shared/endpoints";
import { FargateWebService, fargateServiceOutputs, fargateServiceProps } from "../shared/fargate-service";
import { addServicePipeline } from "../shared/service-pipeline";
import { addWebAlarms, loadBalancerAlarmInputs, webAlarmInputs } from "../shared/web-alarms";
import { healthCheckPathInput, webPipelineInputs, webPipelineOutputs, webServiceInputs } from "../shared/web-inputs";
import { VpcEcsEnvironment } from "../vpc-ecs-environment/stack";

/**
 * A public HTTP(S) service: Fargate tasks in private subnets behind an internet-facing
 * Application Load Balancer. HTTP forwards to the tasks; with a certificate, HTTPS forwards and
 * HTTP redirects to it. Publishes its URL (output and SSM endpoint), receives the endpoints it
 * imports as environment variables, and gets an ECR repository and a GitHub OIDC deploy role
 * from its pipeline.
 */
export class PublicWebService extends serviceTemplate({
  name: "public-web-service",
  major: 1,
  displayName: "Public web service (Fargate + ALB)",
  description:
    "A container on ECS Fargate behind an internet-facing Application Load Balancer (HTTP, or HTTPS with redirect when a " +
    "certificate is given), with CPU autoscaling, logs, imported endpoints as environment variables and its URL published " +
    "to SSM. Alarms on the 5xx rate, p95 latency, unhealthy targets, CPU and memory notify an encrypted SNS topic " +
    "(e-mail and HTTPS subscriptions). The pipeline adds an ECR repository and a GitHub OIDC deploy role.",
  compatibleEnvironments: [VpcEcsEnvironment],
  directlyDefinedComponents: true,
  inputs: {
    ...webServiceInputs,
    health_check_path: healthCheckPathInput,
    certificate_arn: Input.string({
      title: "TLS certificate ARN",
      description: "ACM certificate for HTTPS on 443 (HTTP then redirects); empty serves plain HTTP on 80.",
      default: "",
      pattern: "^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$",
    }),
    ...webAlarmInputs,
    ...loadBalancerAlarmInputs,
  },
  outputs: {
    url: "Public URL of the service (https:// when a certificate is set).",
    load_balancer_dns_name: "DNS name of the load balancer (point a CNAME or alias record here).",
    ...fargateServiceOutputs,
  },
  pipeline: { inputs: webPipelineInputs, outputs: webPipelineOutputs },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, context } = this;
    const env = context.environmentOutputs;
    const https = Op.neq(inputs.certificate_arn, literal(""));
    const count = (when: boolean): TerraformCount => TerraformCount.of(Fn.conditional(https, when ? 1 : 0, when ? 0 : 1));

    // ------------------------------------------------------------------- load balancer
    const lb = new Construct(this.instance, "load_balancer");
    const lbSg = new SecurityGroup(lb, "security_group", {
      namePrefix: `${context.serviceName}-${context.instanceName}-alb-`, // a prefix: create_before_destroy needs two at once
      description: `Internet-facing load balancer of ${context.serviceName}-${context.instanceName}`,
      vpcId: env.vpc_id,
      lifecycle: { createBeforeDestroy: true },
    });
    // Open to the internet on 80 and 443 only: the one exception PK-NET-001 allows.
    new VpcSecurityGroupIngressRule(lb, "http_in", {
      securityGroupId: lbSg.id,
      description: "HTTP from the internet (redirected to HTTPS when a certificate is set)",
      ipProtocol: "tcp",
      fromPort: 80,
      toPort: 80,
      cidrIpv4: "0.0.0.0/0",
    });
    new VpcSecurityGroupIngressRule(lb, "https_in", {
      count: count(true),
      securityGroupId: lbSg.id,
      description: "HTTPS from the internet",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
    const alb = new Lb(lb, "alb", {
      // ALB names: 32 characters, letters, digits and hyphens.
      name: Fn.trimsuffix(Fn.substr(Fn.replace(Fn.format("%s-%s", [context.serviceName, context.instanceName]), "_", "-"), 0, 32), "-"),
      internal: false,
      loadBalancerType: "application",
      securityGroups: [lbSg.id],
      subnets: Fn.jsondecode(env.public_subnet_ids),
      dropInvalidHeaderFields: true,
      enableDeletionProtection: false, // stateless: deleting the instance must be able to remove it
    });
    const targets = new LbTargetGroup(lb, "targets", {
      namePrefix: "web-",
      targetType: "ip",
      protocol: "HTTP",
      port: inputs.port,
      vpcId: env.vpc_id,
      deregistrationDelay: "30",
      healthCheck: {
        enabled: true,
        path: inputs.health_check_path,
        protocol: "HTTP",
        matcher: "200-399",
        interval: 15,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        timeout: 5,
      },
      lifecycle: { createBeforeDestroy: true }, // a port change replaces it while the listener still points at the old one
    });
    new LbListener(lb, "http_forward", {
      count: count(false),
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "forward", targetGroupArn: targets.arn }],
    });
    new LbListener(lb, "http_redirect", {
      count: count(true),
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    });
    new LbListener(lb, "https", {
      count: count(true),
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: inputs.certificate_arn,
      defaultAction: [{ type: "forward", targetGroupArn: targets.arn }],
    });

    // ------------------------------------------------------------------------ service
    const app = new FargateWebService(this.instance, "service", { ...fargateServiceProps(this), loadBalancer: { targetGroupArn: targets.arn } });
    new VpcSecurityGroupEgressRule(lb, "to_tasks", {
      securityGroupId: lbSg.id,
      description: "To the tasks' container port",
      ipProtocol: "tcp",
      fromPort: inputs.port,
      toPort: inputs.port,
      referencedSecurityGroupId: app.securityGroup.id,
    });
    new VpcSecurityGroupIngressRule(app.securityGroup, "from_load_balancer", {
      securityGroupId: app.securityGroup.id,
      description: "From the load balancer only",
      ipProtocol: "tcp",
      fromPort: inputs.port,
      toPort: inputs.port,
      referencedSecurityGroupId: lbSg.id,
    });

    // ---------------------------------------------------------------------- endpoints
    const url = Fn.conditional(https, `https://${alb.dnsName}`, `http://${alb.dnsName}`);
    const endpoints = new Construct(this.instance, "endpoints");
    publishEndpoints(endpoints, context, { url });

    this.output("url", url);
    this.output("load_balancer_dns_name", alb.dnsName);
    app.setOutputs(this);

    addWebAlarms(app, Fn.join("-", [context.serviceName, context.instanceName]), env.cluster_name, app, inputs, { alb, targets, inputs });

    addServicePipeline(this);
  }
}
