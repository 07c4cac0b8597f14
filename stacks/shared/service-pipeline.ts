import { Fn, Op, TerraformCount, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { expr, literal } from "../../src/authoring/refs";
import type { InputRefs } from "../../src/authoring/refs";
import { accountsPullStatement, DeliveryProps, ECR_PULL_ACTIONS, ECS_DEPLOY_ACTIONS, ECS_READ_ACTIONS, ImageDelivery, pipelineRole } from "./delivery";
import type { webPipelineInputs, webPipelineOutputs } from "./web-inputs";

/** What {@link ServicePipeline} is built from. */
export type ServicePipelineProps = DeliveryProps;

/**
 * A Fargate service's delivery infrastructure, in the pipeline account: an encrypted ECR
 * repository with scan on push and a lifecycle policy, pull access for the accounts the
 * service's instances run in, and a deploy role that only the service's CI (its GitHub
 * repository or GitLab project, chosen refs) can assume through OIDC. The role may push to
 * this repository and make the calls of the generated deploy script on this service's ECS
 * services ({@link ECS_DEPLOY_ACTIONS}), nothing else.
 */
export class ServicePipeline extends ImageDelivery {
  /** The role the service's CI assumes to push images and roll the services. */
  readonly deployRole: IamRole;

  constructor(scope: Construct, id: string, props: ServicePipelineProps) {
    super(scope, id, props);
    const { account, partition } = this;

    // Accounts the instances run in (environments live in their own accounts) may pull.
    const instances = `var.service_instances`;
    const pullers = new TerraformLocal(this, "pull_accounts", expr(`sort(distinct([for i in ${instances} : i.environment.account_id]))`));
    new EcrRepositoryPolicy(this, "pull_access", {
      count: TerraformCount.of(Fn.conditional(Op.eq(Fn.lengthOf(pullers.asList), literal(0)), 0, 1)),
      repository: this.repository.name,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [accountsPullStatement("InstanceAccountsPull", pullers, partition, ECR_PULL_ACTIONS)],
      }),
    });

    this.deployRole = pipelineRole(this, props, {
      id: "deploy_role",
      refsId: "deploy_refs",
      name: Fn.substr(`protonkit-${props.serviceName}-deploy`, 0, 64),
      describe: (who) => `${who} push images and deploy service ${props.serviceName}.`,
      partition,
      account,
      repository: this.repository,
    });
    // The ECS services of deployed instances (their ecs_service_arn output); none before the first deployment.
    const services = new TerraformLocal(
      this,
      "ecs_service_arns",
      expr(`sort([for i in ${instances} : i.outputs["ecs_service_arn"] if can(i.outputs["ecs_service_arn"])])`),
    );
    new IamRolePolicy(this, "deploy", {
      count: TerraformCount.of(Fn.conditional(Op.eq(Fn.lengthOf(services.asList), literal(0)), 0, 1)),
      name: "update-ecs-services",
      role: this.deployRole.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          { Sid: "UpdateServiceInstances", Effect: "Allow", Action: [...ECS_DEPLOY_ACTIONS], Resource: services.asList },
          // DescribeTaskDefinition has no resource-level permissions; it reads, it changes nothing.
          { Sid: "ReadTaskDefinitions", Effect: "Allow", Action: [...ECS_READ_ACTIONS], Resource: "*" },
        ],
      }),
    });
  }
}

/** A service template with a pipeline of {@link webPipelineInputs} and {@link webPipelineOutputs}: its `this`. */
export interface WebPipelineTemplate {
  /** The template's pipeline stack. */
  readonly pipeline: Construct;
  /** `var.pipeline.inputs`. */
  readonly pipelineInputs: InputRefs<typeof webPipelineInputs>;
  /** The service's names. */
  readonly context: { readonly serviceName: string; readonly repository: { readonly id: string } };
  /** Sets a declared pipeline output. */
  pipelineOutput(name: keyof typeof webPipelineOutputs, value: string): void;
}

/** Adds a {@link ServicePipeline} (construct `delivery`) to a template's pipeline and sets its outputs. */
export function addServicePipeline(template: WebPipelineTemplate): ServicePipeline {
  const pipeline = new ServicePipeline(template.pipeline, "delivery", {
    serviceName: template.context.serviceName,
    linkedRepository: template.context.repository.id,
    inputs: template.pipelineInputs,
  });
  template.pipelineOutput("repository_url", pipeline.repository.repositoryUrl);
  template.pipelineOutput("repository_arn", pipeline.repository.arn);
  template.pipelineOutput("deploy_role_arn", pipeline.deployRole.arn);
  return pipeline;
}
