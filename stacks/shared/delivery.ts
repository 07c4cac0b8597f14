import { Fn, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { InputRefs } from "../../src/authoring/refs";
import { expr } from "../../src/authoring/refs";
import { githubProviderArn, githubTrustPolicy } from "./trust-policy";
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

/** How {@link githubPushRole} names and describes its role. */
export interface PushRoleOptions {
  /** Construct id of the role (its Terraform name: changing it replaces the role). */
  readonly id: string;
  /** Construct id of the local holding the allowed refs. */
  readonly refsId: string;
  /** IAM name of the role (at most 64 characters). */
  readonly name: string;
  /** The role's description, given the GitHub repository (`owner/name`) it trusts. */
  readonly describe: (githubRepository: string) => string;
  /** The pipeline account's partition. */
  readonly partition: DataAwsPartition;
  /** The pipeline account, where the GitHub OIDC provider is unless the input names one. */
  readonly account: DataAwsCallerIdentity;
  /** The image repository the role may push to. */
  readonly repository: EcrRepository;
}

/**
 * A role only the service's GitHub repository can assume, through GitHub OIDC, from the refs in
 * `deploy_refs` (`StringLike`: a ref may hold a `*`, as in `ref:refs/tags/v*`); it may log in to
 * ECR and push to the service's repository (policy `push`), nothing else.
 */
export function githubPushRole(scope: Construct, props: DeliveryProps, options: PushRoleOptions): IamRole {
  const { inputs } = props;
  const repository = new TerraformLocal(scope, "github_repository", Fn.coalesce([inputs.github_repository, props.linkedRepository]));
  const refs = new TerraformLocal(scope, options.refsId, inputs.deploy_refs);
  const role = new IamRole(scope, options.id, {
    name: options.name,
    description: options.describe(repository.asString),
    maxSessionDuration: 3600,
    assumeRolePolicy: githubTrustPolicy({
      provider: Fn.coalesce([inputs.oidc_provider_arn, githubProviderArn(options.partition.partition, options.account.accountId)]),
      subjects: expr(`[for r in local.${refs.friendlyUniqueId} : format("repo:%s:%s", local.${repository.friendlyUniqueId}, r)]`),
      match: "StringLike",
    }),
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
