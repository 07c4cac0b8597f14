import { Fn, Op, TerraformCount, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { expr, literal } from "../../src/authoring/refs";
import { accountsPullStatement, DeliveryProps, ImageDelivery, LAMBDA_DEPLOY_ACTIONS, pipelineRole } from "../shared/delivery";

/** What {@link FunctionPipeline} is built from. */
export type FunctionPipelineProps = DeliveryProps;

/** What Lambda's service principal needs to pull an image. */
const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/**
 * A function service's delivery infrastructure: an ECR repository for container-image
 * functions (scan on push, lifecycle policy) that Lambda may pull from for the functions of
 * the accounts the service's instances run in, and a push role only the service's CI (its
 * GitHub repository or GitLab project, chosen refs) can assume through OIDC. Deploying is
 * changing `image_uri` (or the zip's key) in the spec; the role pushes images, uploads zips to
 * `<code bucket>/<service>/` of the instances' `code_s3_bucket`, and makes the generated deploy
 * script's calls on the instances' functions ({@link LAMBDA_DEPLOY_ACTIONS}).
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

    this.pushRole = pipelineRole(this, props, {
      id: "push_role",
      refsId: "push_refs",
      name: Fn.substr(Fn.join("-", ["protonkit", props.serviceName, "push"]), 0, 64),
      describe: (who) => `${who} push images of function service ${props.serviceName}.`,
      partition,
      account,
      repository: this.repository,
    });

    // The functions of deployed instances (their function_arn output) and the zip buckets the
    // instances name; none before the first deployment.
    const functions = new TerraformLocal(
      this,
      "function_arns",
      expr(`sort([for i in var.service_instances : i.outputs["function_arn"] if can(i.outputs["function_arn"])])`),
    );
    const buckets = new TerraformLocal(
      this,
      "code_buckets",
      expr(`sort(distinct([for i in var.service_instances : i.inputs.code_s3_bucket if try(i.inputs.code_s3_bucket, null) != null]))`),
    );
    const statements = new TerraformLocal(
      this,
      "deploy_statements",
      expr(
        `concat(` +
          `length(local.${functions.friendlyUniqueId}) == 0 ? [] : [{ Sid = "DeployInstanceFunctions", Effect = "Allow", Action = ${JSON.stringify(LAMBDA_DEPLOY_ACTIONS)}, Resource = local.${functions.friendlyUniqueId} }], ` +
          `length(local.${buckets.friendlyUniqueId}) == 0 ? [] : [{ Sid = "UploadZips", Effect = "Allow", Action = ["s3:PutObject"], Resource = [for b in local.${buckets.friendlyUniqueId} : format("arn:%s:s3:::%s/%s/*", ${partitionAddress}, b, var.service.name)] }])`,
      ),
    );
    new IamRolePolicy(this, "deploy", {
      count: TerraformCount.of(Fn.conditional(Op.eq(Fn.lengthOf(statements.asList), literal(0)), 0, 1)),
      name: "deploy-functions",
      role: this.pushRole.id,
      policy: Fn.jsonencode({ Version: "2012-10-17", Statement: statements.asList }),
    });
  }
}
