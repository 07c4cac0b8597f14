import { Fn, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { expr } from "../../src/authoring/refs";
import { accountsPullStatement, DeliveryProps, githubPushRole, ImageDelivery } from "../shared/delivery";

/** What {@link FunctionPipeline} is built from. */
export type FunctionPipelineProps = DeliveryProps;

/** What Lambda's service principal needs to pull an image. */
const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/**
 * A function service's delivery infrastructure: an ECR repository for container-image
 * functions (scan on push, lifecycle policy) that Lambda may pull from for the functions of
 * the accounts the service's instances run in, and a push role only the service's GitHub
 * repository (chosen refs) can assume through GitHub OIDC. Deploying is changing `image_uri`
 * (or the zip's key) in the spec: the role pushes, it does not update functions.
 */
export class FunctionPipeline extends ImageDelivery {
  /** The role CI assumes to push images. */
  readonly pushRole: IamRole;

  constructor(scope: Construct, id: string, props: FunctionPipelineProps) {
    super(scope, id, props);
    const { account, partition } = this;
    const partitionAddress = `data.${partition.terraformResourceType}.${partition.friendlyUniqueId}.partition`;
    const accountAddress = `data.${account.terraformResourceType}.${account.friendlyUniqueId}.account_id`;

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
          accountsPullStatement("FunctionAccountsPull", accounts, partition, PULL_ACTIONS),
        ],
      }),
    });

    this.pushRole = githubPushRole(this, props, {
      id: "push_role",
      refsId: "push_refs",
      name: Fn.substr(Fn.join("-", ["protonkit", props.serviceName, "push"]), 0, 64),
      describe: (repository) => `GitHub Actions of ${repository} push images of function service ${props.serviceName}.`,
      partition,
      account,
      repository: this.repository,
    });
  }
}
