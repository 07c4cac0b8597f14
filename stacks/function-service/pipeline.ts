import { Fn, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { InputRefs } from "../../src/authoring/refs";
import { expr } from "../../src/authoring/refs";
import { webPipelineInputs } from "../shared/web-inputs";

/** What {@link FunctionPipeline} is built from. */
export interface FunctionPipelineProps {
  /** `var.service.name`. */
  readonly serviceName: string;
  /** `var.service.repository_id`: the linked repository, used when the input is empty. */
  readonly linkedRepository: string;
  /** The pipeline inputs (the same as the web services'). */
  readonly inputs: InputRefs<typeof webPipelineInputs>;
}

const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const PUSH_ACTIONS = [
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
  "ecr:DescribeImages",
];

/**
 * A function service's delivery infrastructure: an ECR repository for container-image
 * functions (scan on push, lifecycle policy) that Lambda may pull from for the functions of
 * the accounts the service's instances run in, and a push role only the service's GitHub
 * repository (chosen refs) can assume through GitHub OIDC. Deploying is changing `image_uri`
 * (or the zip's key) in the spec: the role pushes, it does not update functions.
 */
export class FunctionPipeline extends Construct {
  /** The image repository. */
  readonly repository: EcrRepository;
  /** The role CI assumes to push images. */
  readonly pushRole: IamRole;

  constructor(scope: Construct, id: string, props: FunctionPipelineProps) {
    super(scope, id);
    const { inputs } = props;
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const partitionAddress = `data.${partition.terraformResourceType}.${partition.friendlyUniqueId}.partition`;
    const accountAddress = `data.${account.terraformResourceType}.${account.friendlyUniqueId}.account_id`;

    this.repository = new EcrRepository(this, "repository", {
      name: Fn.lower(props.serviceName), // ECR names are lower case
      imageTagMutability: inputs.image_tag_mutability,
      imageScanningConfiguration: { scanOnPush: true },
      // AES256 (not a customer key): functions in other accounts pull without a key grant.
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

    // This account and every account an instance runs in. Lambda pulls as its service principal,
    // so the policy names it, limited to functions of those accounts; the accounts' own
    // principals need pull rights too to create functions from another account's image.
    const accounts = new TerraformLocal(
      this,
      "function_accounts",
      expr(`sort(distinct(concat([${accountAddress}], [for i in var.service_instances : i.environment.account_id])))`),
    );
    new EcrRepositoryPolicy(this, "pull_access", {
      repository: this.repository.name,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "LambdaPull",
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: PULL_ACTIONS,
            Condition: {
              StringLike: {
                "aws:sourceArn": expr(`[for a in local.${accounts.friendlyUniqueId} : format("arn:%s:lambda:*:%s:function:*", ${partitionAddress}, a)]`),
              },
            },
          },
          {
            Sid: "FunctionAccountsPull",
            Effect: "Allow",
            Principal: { AWS: expr(`[for a in local.${accounts.friendlyUniqueId} : format("arn:%s:iam::%s:root", ${partitionAddress}, a)]`) },
            Action: PULL_ACTIONS,
          },
        ],
      }),
    });

    const repository = new TerraformLocal(this, "github_repository", Fn.coalesce([inputs.github_repository, props.linkedRepository]));
    const refs = new TerraformLocal(this, "push_refs", inputs.deploy_refs);
    const oidcProvider = Fn.coalesce([
      inputs.oidc_provider_arn,
      Fn.format("arn:%s:iam::%s:oidc-provider/token.actions.githubusercontent.com", [partition.partition, account.accountId]),
    ]);
    this.pushRole = new IamRole(this, "push_role", {
      name: Fn.substr(Fn.join("-", ["protonkit", props.serviceName, "push"]), 0, 64),
      description: `GitHub Actions of ${repository.asString} push images of function service ${props.serviceName}.`,
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
              // StringLike: deploy_refs may hold a * (e.g. ref:refs/tags/v*).
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
      role: this.pushRole.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          // GetAuthorizationToken has no resource-level permissions.
          { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
          { Sid: "PushToServiceRepository", Effect: "Allow", Action: PUSH_ACTIONS, Resource: this.repository.arn },
        ],
      }),
    });
  }
}
