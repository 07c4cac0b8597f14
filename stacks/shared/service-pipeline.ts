import { Fn, Op, TerraformCount, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { InputRefs } from "../../src/authoring/refs";
import { expr, literal } from "../../src/authoring/refs";
import { webPipelineInputs } from "./web-inputs";

/** What {@link ServicePipeline} is built from. */
export interface ServicePipelineProps {
  /** `var.service.name`. */
  readonly serviceName: string;
  /** `var.service.repository_id`: the linked repository, used when the input is empty. */
  readonly linkedRepository: string;
  /** The template's pipeline inputs. */
  readonly inputs: InputRefs<typeof webPipelineInputs>;
}

const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
const PUSH_ACTIONS = [...PULL_ACTIONS, "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:DescribeImages"];

/**
 * A Fargate service's delivery infrastructure, in the pipeline account: an encrypted ECR
 * repository with scan on push and a lifecycle policy, pull access for the accounts the
 * service's instances run in, and a deploy role that only the service's GitHub repository
 * (chosen refs) can assume through GitHub OIDC. The role may push to this repository and
 * update/describe this service's ECS services, nothing else.
 */
export class ServicePipeline extends Construct {
  readonly repository: EcrRepository;
  readonly deployRole: IamRole;

  constructor(scope: Construct, id: string, props: ServicePipelineProps) {
    super(scope, id);
    const { inputs } = props;
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const partitionAddress = `data.${partition.terraformResourceType}.${partition.friendlyUniqueId}.partition`;

    this.repository = new EcrRepository(this, "repository", {
      name: Fn.lower(props.serviceName), // ECR names are lower case
      imageTagMutability: inputs.image_tag_mutability,
      imageScanningConfiguration: { scanOnPush: true },
      // AES256 (not a customer key): instances in other accounts pull without a key grant.
      encryptionConfiguration: [{ encryptionType: "AES256" }],
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: Fn.jsonencode({
        rules: [
          {
            rulePriority: 1,
            description: "Expire untagged images after 7 days",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: "Keep the newest tagged images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: inputs.keep_images },
            action: { type: "expire" },
          },
        ],
      }),
    });

    // Accounts the instances run in (environments live in their own accounts) may pull.
    const instances = `var.service_instances`;
    const pullers = new TerraformLocal(this, "pull_accounts", expr(`sort(distinct([for i in ${instances} : i.environment.account_id]))`));
    new EcrRepositoryPolicy(this, "pull_access", {
      count: TerraformCount.of(Fn.conditional(Op.eq(Fn.lengthOf(pullers.asList), literal(0)), 0, 1)),
      repository: this.repository.name,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "InstanceAccountsPull",
            Effect: "Allow",
            Principal: { AWS: expr(`[for a in local.${pullers.friendlyUniqueId} : format("arn:%s:iam::%s:root", ${partitionAddress}, a)]`) },
            Action: PULL_ACTIONS,
          },
        ],
      }),
    });

    const repository = new TerraformLocal(this, "github_repository", Fn.coalesce([inputs.github_repository, props.linkedRepository]));
    const refs = new TerraformLocal(this, "deploy_refs", inputs.deploy_refs);
    const oidcProvider = Fn.coalesce([
      inputs.oidc_provider_arn,
      Fn.format("arn:%s:iam::%s:oidc-provider/token.actions.githubusercontent.com", [partition.partition, account.accountId]),
    ]);
    this.deployRole = new IamRole(this, "deploy_role", {
      name: Fn.substr(`protonkit-${props.serviceName}-deploy`, 0, 64),
      description: `GitHub Actions of ${repository.asString} push images and deploy service ${props.serviceName}.`,
      maxSessionDuration: 3600,
      assumeRolePolicy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: oidcProvider },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
              StringLike: {
                "token.actions.githubusercontent.com:sub": expr(
                  `[for r in local.${refs.friendlyUniqueId} : format("repo:%s:%s", local.${repository.friendlyUniqueId}, r)]`,
                ),
              },
            },
          },
        ],
      }),
    });
    new IamRolePolicy(this, "push", {
      name: "push-images",
      role: this.deployRole.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          // GetAuthorizationToken has no resource-level permissions.
          { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
          { Sid: "PushToServiceRepository", Effect: "Allow", Action: PUSH_ACTIONS, Resource: this.repository.arn },
        ],
      }),
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
        Statement: [{ Sid: "UpdateServiceInstances", Effect: "Allow", Action: ["ecs:UpdateService", "ecs:DescribeServices"], Resource: services.asList }],
      }),
    });
  }
}
