import { Fn, Op, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { InputRefs } from "../../src/authoring/refs";
import { expr, literal } from "../../src/authoring/refs";
import { githubProviderArn, githubTrustPolicy, gitlabProviderArn, gitlabTrustPolicy } from "./trust-policy";
import { webPipelineInputs } from "./web-inputs";

/** What a service's pipeline infrastructure shares, whatever runs the images. */
export interface DeliveryProps {
  /** `var.service.name`. */
  readonly serviceName: string;
  /** `var.service.repository_id`: the linked repository, used when the input is empty. */
  readonly linkedRepository: string;
  /** The pipeline inputs (`webPipelineInputs`). */
  readonly inputs: InputRefs<typeof webPipelineInputs>;
}

/**
 * Base of a service's delivery construct: data sources for the pipeline account and its
 * partition (`account`, `partition`) and the service's image repository ({@link imageRepository}).
 */
export abstract class ImageDelivery extends Construct {
  /** The image repository. */
  readonly repository: EcrRepository;
  /** The pipeline account. */
  protected readonly account: DataAwsCallerIdentity;
  /** The pipeline account's partition. */
  protected readonly partition: DataAwsPartition;

  protected constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    this.account = new DataAwsCallerIdentity(this, "account");
    this.partition = new DataAwsPartition(this, "partition");
    this.repository = imageRepository(this, props);
  }
}

/** What pulling an image takes. */
export const ECR_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
const ECR_PUSH_ACTIONS = [...ECR_PULL_ACTIONS, "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:DescribeImages"];

/**
 * The service's image repository (`repository`, `lifecycle` in `scope`): scan on push, AES256 so
 * other accounts pull without a key grant, untagged images expire after 7 days and only the
 * newest `keep_images` tagged ones stay.
 */
export function imageRepository(scope: Construct, props: DeliveryProps): EcrRepository {
  const repository = new EcrRepository(scope, "repository", {
    name: Fn.lower(props.serviceName), // ECR names are lower case
    imageTagMutability: props.inputs.image_tag_mutability,
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [{ encryptionType: "AES256" }],
  });
  new EcrLifecyclePolicy(scope, "lifecycle", {
    repository: repository.name,
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
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: props.inputs.keep_images },
          action: { type: "expire" },
        },
      ],
    }),
  });
  return repository;
}

/**
 * A repository policy statement letting whole accounts pull: principal `arn:<partition>:iam::<a>:root`
 * for every account `a` in the list local `accounts`.
 */
export function accountsPullStatement(sid: string, accounts: TerraformLocal, partition: DataAwsPartition, actions: readonly string[]): Record<string, unknown> {
  const partitionAddress = `data.${partition.terraformResourceType}.${partition.friendlyUniqueId}.partition`;
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: expr(`[for a in local.${accounts.friendlyUniqueId} : format("arn:%s:iam::%s:root", ${partitionAddress}, a)]`) },
    Action: actions,
  };
}

/**
 * What the generated deploy script (`templates/pipelines/deploy.sh.hbs`) calls on an ECS
 * service: `describe-services` (also the `services-stable` waiter) to read the running task
 * definition and the rollout, `update-service` to roll back to the previous task definition.
 */
export const ECS_DEPLOY_ACTIONS = ["ecs:UpdateService", "ecs:DescribeServices"] as const;

/** What it reads beside the service: `describe-task-definition`, for the running image. */
export const ECS_READ_ACTIONS = ["ecs:DescribeTaskDefinition"] as const;

/**
 * What the generated deploy script calls on a function: `get-function` (the running image or
 * code), `get-function-configuration` (also the `function-updated` waiter) and, to roll an
 * image back, `update-function-code`.
 */
export const LAMBDA_DEPLOY_ACTIONS = ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode"] as const;

/** How {@link pipelineRole} names and describes its role. */
export interface PushRoleOptions {
  /** Construct id of the role (its Terraform name: changing it replaces the role). */
  readonly id: string;
  /** Construct id of the local holding the allowed GitHub refs. */
  readonly refsId: string;
  /** IAM name of the role (at most 64 characters). */
  readonly name: string;
  /**
   * The role's description, given who assumes it: `GitHub Actions of <owner>/<name>` or
   * `GitLab CI of <group>/<project>`.
   */
  readonly describe: (who: string) => string;
  /** The pipeline account's partition. */
  readonly partition: DataAwsPartition;
  /** The pipeline account, where the OIDC providers are unless the inputs name them. */
  readonly account: DataAwsCallerIdentity;
  /** The image repository the role may push to. */
  readonly repository: EcrRepository;
}

/**
 * The pipeline's role, assumable through OIDC by the service's CI only, as the `scm` input
 * says: with `github`, GitHub Actions of the service's repository from the refs in `deploy_refs`;
 * with `gitlab`, GitLab CI of `gitlab_project` from `gitlab_deploy_refs` (`StringLike`: a ref
 * may hold a `*`). It may log in to ECR and push to the service's repository (policy `push`);
 * templates add what deploying needs.
 */
export function pipelineRole(scope: Construct, props: DeliveryProps, options: PushRoleOptions): IamRole {
  const { inputs } = props;
  const { partition, account } = options;
  const repository = new TerraformLocal(scope, "github_repository", Fn.coalesce([inputs.github_repository, props.linkedRepository]));
  const refs = new TerraformLocal(scope, options.refsId, inputs.deploy_refs);
  const gitlab = Op.eq(inputs.scm, "gitlab");
  const host = new TerraformLocal(scope, "gitlab_host", Fn.trimprefix(inputs.gitlab_url, "https://"));
  const gitlabRefs = new TerraformLocal(scope, "gitlab_deploy_refs", inputs.gitlab_deploy_refs);
  const github = githubTrustPolicy({
    provider: Fn.coalesce([inputs.oidc_provider_arn, githubProviderArn(partition.partition, account.accountId)]),
    subjects: expr(`[for r in local.${refs.friendlyUniqueId} : format("repo:%s:%s", local.${repository.friendlyUniqueId}, r)]`),
    match: "StringLike",
  });
  const gitlabTrust = gitlabTrustPolicy({
    provider: Fn.coalesce([inputs.gitlab_oidc_provider_arn, gitlabProviderArn(partition.partition, account.accountId, host.asString)]),
    hostExpression: `local.${host.friendlyUniqueId}`,
    subjectsExpression: `[for r in local.${gitlabRefs.friendlyUniqueId} : format("project_path:%s:%s", var.pipeline.inputs.gitlab_project, r)]`,
  });
  const role = new IamRole(scope, options.id, {
    name: options.name,
    description: Fn.conditional(gitlab, options.describe(`GitLab CI of ${inputs.gitlab_project}`), options.describe(`GitHub Actions of ${repository.asString}`)),
    maxSessionDuration: 3600,
    assumeRolePolicy: Fn.conditional(gitlab, gitlabTrust, github),
    lifecycle: {
      precondition: [
        {
          condition: Op.or(Op.neq(inputs.scm, "gitlab"), Op.neq(inputs.gitlab_project, literal(""))),
          errorMessage: "The pipeline's scm is gitlab: set gitlab_project to the GitLab project path (group/project) whose CI deploys the service.",
        },
      ],
    },
  });
  new IamRolePolicy(scope, "push", {
    name: "push-images",
    role: role.id,
    policy: Fn.jsonencode({
      Version: "2012-10-17",
      Statement: [
        // GetAuthorizationToken has no resource-level permissions.
        { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        { Sid: "PushToServiceRepository", Effect: "Allow", Action: ECR_PUSH_ACTIONS, Resource: options.repository.arn },
      ],
    }),
  });
  return role;
}
