import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Input } from "../../src/authoring/inputs";
import { serviceTemplate } from "../../src/authoring/template";
import { StarterEnvironment } from "../starter-environment/stack";

/**
 * The smallest service with a pipeline: per instance a log group, a security group in the
 * environment's VPC and an SSM parameter advertising its settings; the pipeline gives the
 * service's CI a container registry.
 */
export class StarterService extends serviceTemplate({
  name: "starter-service",
  major: 1,
  description: "A worker's log group, security group and settings, plus a container registry for its pipeline.",
  compatibleEnvironments: [StarterEnvironment],
  directlyDefinedComponents: true,
  inputs: {
    port: Input.integer({ title: "Port", description: "Port the worker listens on inside the VPC.", default: 8080, minimum: 1024, maximum: 65535 }),
    log_retention_days: Input.enum(["7", "14", "30", "90"], { description: "Days to keep logs.", default: "14" }),
    debug: Input.boolean({ description: "Verbose logging.", default: false }),
    allowed_cidrs: Input.array({ type: "string", pattern: "^[0-9./]+$" }, { description: "CIDRs allowed to reach the port.", default: ["10.0.0.0/8"], minItems: 1, maxItems: 5 }),
    owner_email: Input.string({ description: "Who to call.", pattern: "^[^@\\s]+@[^@\\s]+$", required: true }),
  },
  outputs: {
    log_group_name: "Log group of the instance.",
    security_group_id: "Security group of the instance.",
    settings_parameter: "SSM parameter holding the instance's settings.",
  },
  pipeline: {
    inputs: {
      image_tag_mutability: Input.enum(["MUTABLE", "IMMUTABLE"], { description: "Whether tags can be overwritten.", default: "IMMUTABLE" }),
      scan_on_push: Input.boolean({ description: "Scan images when pushed.", default: true }),
    },
    outputs: { repository_url: "Container registry the service's CI pushes to." },
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, context } = this;
    const name = `${context.serviceName}-${context.instanceName}`;

    const logs = new CloudwatchLogGroup(this.instance, "logs", {
      name: `/protonkit/${context.environmentName}/${name}`,
      retentionInDays: Fn.tonumber(inputs.log_retention_days),
    });
    const network = new Construct(this.instance, "network");
    const sg = new SecurityGroup(network, "worker", {
      name,
      description: `Worker ${name}`,
      vpcId: context.environmentOutputs.vpc_id,
      ingress: [{ description: "Worker port", fromPort: inputs.port, toPort: inputs.port, protocol: "tcp", cidrBlocks: inputs.allowed_cidrs }],
      egress: [{ description: "All outbound", fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
    });
    const settings = new SsmParameter(this.instance, "settings", {
      name: `/protonkit/${context.environmentName}/${name}/settings`,
      type: "String",
      value: Fn.jsonencode({
        port: inputs.port,
        debug: inputs.debug,
        owner: inputs.owner_email,
        subnets: Fn.jsondecode(context.environmentOutputs.private_subnet_ids),
        queue_url: this.componentOutput("queue_url"),
      }),
    });
    this.output("log_group_name", logs.name);
    this.output("security_group_id", sg.id);
    this.output("settings_parameter", settings.name);

    const registry = new EcrRepository(this.pipeline, "registry", {
      name: context.serviceName,
      imageTagMutability: this.pipelineInputs.image_tag_mutability,
      imageScanningConfiguration: { scanOnPush: this.pipelineInputs.scan_on_push },
      encryptionConfiguration: [{ encryptionType: "KMS" }],
    });
    this.pipelineOutput("repository_url", registry.repositoryUrl);
  }
}
