import { Fn, Op, TerraformCount, TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Input } from "../../src/authoring/inputs";
import { anyExpr, expr, literal, splat } from "../../src/authoring/refs";
import { environmentTemplate } from "../../src/authoring/template";
import { GITLAB_OIDC_AUDIENCE, githubTrustPolicy } from "../shared/trust-policy";
import { bootstrapAccount, bootstrapInputs } from "./common";

/** The reusable workflow `protonkit workflow` generates; the roles trust only it, at the main branch. */
export const JOBS_WORKFLOW = ".github/workflows/protonkit-provision-jobs.yml";

/** GitHub environment of the pipelines' plan jobs (`detect`'s name for environment ""). */
export const PIPELINES_PLAN_ENVIRONMENT = "protonkit-plan-pipelines";
/** GitHub environment of the pipelines' apply jobs. */
export const PIPELINES_APPLY_ENVIRONMENT = "protonkit-pipelines";

/**
 * Data-plane reads the plan roles are denied although ReadOnlyAccess allows them: secrets,
 * parameters, decrypted data, table items, queue messages, log events, image layers.
 */
export const DATA_PLANE_READS: readonly string[] = [
  "athena:GetQueryResults",
  "dynamodb:BatchGetItem",
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "ec2:GetPasswordData",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "kinesis:GetRecords",
  "kms:Decrypt",
  "logs:FilterLogEvents",
  "logs:GetLogEvents",
  "rds:DownloadDBLogFilePortion",
  "secretsmanager:GetSecretValue",
  "sqs:ReceiveMessage",
  "ssm:GetParameter",
  "ssm:GetParameterHistory",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
];

/**
 * Version 2: what an AWS account needs before the provisioning workflow can run there, one
 * role pair per Proton environment the account serves. Each plan role is view-only (AWS
 * ReadOnlyAccess minus data-plane reads, state reads limited to its environment's prefix, no
 * writes at all: plans take no lock) and each apply role deploys; both trust only GitHub's
 * OIDC tokens of the generated reusable workflow at the main branch, inside that
 * environment's GitHub environment (custom subject claim: repo, context, job_workflow_ref).
 * With `pipelines`, one more pair for the services' pipelines (`<service>/pipeline`, no
 * environment), trusted from the GitHub environments `protonkit-plan-pipelines` and
 * `protonkit-pipelines`. GitLab's OIDC provider is optional: the catalog's pipeline templates
 * trust it for GitLab CI (the provisioning roles trust GitHub only). The outputs fill one
 * environments entry of the provisioning configuration per environment, and the `"*"` entry.
 */
export class AccountBootstrapV2 extends environmentTemplate({
  name: "account-bootstrap",
  major: 2,
  displayName: "Account bootstrap",
  description:
    "Once per AWS account, applied by an administrator with terraform apply, NOT deployed through Proton: GitHub's OIDC provider " +
    "(and optionally GitLab's), and per Proton environment a view-only plan role and an apply role that only the provisioning " +
    "repository's reusable workflow at the main branch can assume, inside that environment's GitHub environment; and the " +
    "encrypted, versioned, private, TLS-only state bucket. The outputs fill the environments entries of the provisioning configuration.",
  backend: "none",
  inputs: {
    repository: bootstrapInputs.repository,
    environments: Input.array(
      { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,50}$" },
      {
        title: "Proton environments",
        description:
          "The Proton environments this account serves: each gets its own plan and apply role, trusted only from its GitHub environment. Empty in an account that holds only pipelines (pipelines: true).",
        required: true,
        minItems: 0,
        maxItems: 20,
      },
    ),
    main_branch: Input.string({
      title: "Main branch",
      description: "Branch whose pushes apply (the workflow's main_branch); the roles trust the reusable workflow at this branch only.",
      default: "main",
      pattern: "^[A-Za-z0-9._/-]+$",
      maxLength: 100,
    }),
    name_prefix: Input.string({
      title: "Name prefix",
      description: "Prefix of the role names (<prefix>-plan-<environment>, <prefix>-apply-<environment>) and of the default state bucket name.",
      default: "protonkit",
      pattern: "^[a-z][a-z0-9-]{1,19}$",
    }),
    state_bucket_name: bootstrapInputs.state_bucket_name,
    state_key_prefix: Input.string({
      title: "State key prefix",
      description: "The configuration's state_key_prefix, with a trailing slash (empty for none): a plan role reads only <prefix><environment>/ and <prefix>environments/<environment>/.",
      default: "",
      pattern: "^$|^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/$",
    }),
    create_oidc_provider: bootstrapInputs.create_oidc_provider,
    pipelines: Input.boolean({
      title: "Pipeline roles",
      description:
        "This account holds services' pipelines (<service>/pipeline directories, which belong to no environment): add <prefix>-plan-pipelines and <prefix>-apply-pipelines, trusted only from the GitHub environments protonkit-plan-pipelines and protonkit-pipelines (the provisioning configuration's \"*\" entry).",
      default: false,
    }),
    create_gitlab_oidc_provider: Input.boolean({
      title: "Create GitLab's OIDC provider",
      description:
        "For GitLab delivery pipelines (the .gitlab-ci.yml protonkit pipeline writes, whose ID tokens ask for audience sts.amazonaws.com): GitLab's OIDC identity provider for gitlab_url, audiences sts.amazonaws.com and gitlab_url.",
      default: false,
    }),
    gitlab_url: Input.string({
      title: "GitLab URL",
      description: "Issuer of the GitLab OIDC tokens (the instance URL).",
      default: "https://gitlab.com",
      pattern: "^https://[a-z0-9.-]+$",
    }),
    noncurrent_state_days: bootstrapInputs.noncurrent_state_days,
  },
  outputs: {
    plan_role_arns: "JSON map: Proton environment to the plan role ARN (provisioning configuration environments.<name>.plan_role_arn).",
    apply_role_arns: "JSON map: Proton environment to the apply role ARN (environments.<name>.apply_role_arn).",
    region: "Region of the state bucket and default deploy region (environments.<name>.region).",
    state_bucket: "Terraform state bucket (environments.<name>.state_bucket); locking is S3 native (use_lockfile).",
    oidc_subject_claim_keys: "The subject claim keys to set on the repository (PUT /repos/<repository>/actions/oidc/customization/sub).",
    pipeline_plan_role_arn: 'Plan role of the pipelines (the provisioning configuration\'s "*" entry, plan_role_arn); empty unless pipelines is true.',
    pipeline_apply_role_arn: 'Apply role of the pipelines ("*" entry, apply_role_arn); empty unless pipelines is true.',
    gitlab_oidc_provider_arn: "GitLab's OIDC provider (the pipeline templates' gitlab_oidc_provider_arn default points here); empty unless create_gitlab_oidc_provider is true.",
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs } = this;
    const stack = this.infrastructure;
    const { region, state, managedPolicy, githubProviderArn: providerArn } = bootstrapAccount(stack, inputs);

    // --------------------------------------------------------------------- identities

    const gitlab = new Construct(stack, "gitlab");
    // The generated .gitlab-ci.yml asks for sts.amazonaws.com (as GitHub's tokens carry);
    // gitlab_url stays a client ID for pipelines that ask for the instance URL.
    const gitlabProvider = new IamOpenidConnectProvider(gitlab, "oidc_provider", {
      count: TerraformCount.of(Fn.conditional(inputs.create_gitlab_oidc_provider, 1, 0)),
      url: inputs.gitlab_url,
      clientIdList: [inputs.gitlab_url, GITLAB_OIDC_AUDIENCE],
    });

    // ------------------------------------------------------------------------------- roles
    // The repository's subject claim is customised to repo, context and job_workflow_ref, so
    // the subject names the GitHub environment and the workflow file at its ref: a pull
    // request's own workflow (or the reusable one at its branch) never matches.
    const workflowRef = Fn.format("%s/%s@refs/heads/%s", [inputs.repository, JOBS_WORKFLOW, inputs.main_branch]);
    const subject = (githubEnvironment: string): string => Fn.format("repo:%s:environment:%s:job_workflow_ref:%s", [inputs.repository, githubEnvironment, workflowRef]);
    const trust = (githubEnvironment: string): string =>
      githubTrustPolicy({ provider: providerArn, subjects: subject(githubEnvironment), sid: "GitHubReusableWorkflowAtMainInEnvironment" });

    const roles = new Construct(stack, "roles");
    const env = TerraformIterator.fromList(Fn.toset(inputs.environments));
    const name = Token.asString(env.value);
    const plan = new IamRole(roles, "plan", {
      forEach: env,
      name: Fn.format("%s-plan-%s", [inputs.name_prefix, name]),
      description: Fn.format("protonkit plan of environment %s: view-only, from %s", [name, inputs.repository]),
      assumeRolePolicy: trust(Fn.format("protonkit-plan-%s", [name])),
      maxSessionDuration: 3600,
    });
    const planEach = TerraformIterator.fromResources(plan);
    new IamRolePolicyAttachment(roles, "plan_read_only", { forEach: planEach, role: Token.asString(planEach.getString("name")), policyArn: managedPolicy("ReadOnlyAccess") });
    const statePrefixes = (envName: string): string[] => [
      Fn.format("%s/%s%s/*", [state.bucket.arn, inputs.state_key_prefix, envName]),
      Fn.format("%s/%senvironments/%s/*", [state.bucket.arn, inputs.state_key_prefix, envName]),
    ];
    new IamRolePolicy(roles, "plan_limits", {
      forEach: planEach,
      name: "protonkit-plan-limits",
      role: Token.asString(planEach.getString("id")),
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          { Sid: "NoDataPlaneReads", Effect: "Deny", Action: [...DATA_PLANE_READS], Resource: "*" },
          { Sid: "NoObjectReadsButOwnState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: statePrefixes(Token.asString(planEach.key)) },
          { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: state.bucket.arn },
          { Sid: "ReadOwnState", Effect: "Allow", Action: "s3:GetObject", Resource: statePrefixes(Token.asString(planEach.key)) },
        ],
      }),
    });

    const apply = new IamRole(roles, "apply", {
      forEach: env,
      name: Fn.format("%s-apply-%s", [inputs.name_prefix, name]),
      description: Fn.format("protonkit apply of environment %s: deploys what merges to %s of %s", [name, inputs.main_branch, inputs.repository]),
      assumeRolePolicy: trust(name),
      maxSessionDuration: 3600,
    });
    const applyEach = TerraformIterator.fromResources(apply);
    // Templates create IAM roles, networks and databases: applying them needs broad rights.
    // The guard is the trust policy (the reusable workflow at main, in the environment whose
    // reviewers approve), not this policy.
    new IamRolePolicyAttachment(roles, "apply_administrator", { forEach: applyEach, role: Token.asString(applyEach.getString("name")), policyArn: managedPolicy("AdministratorAccess") });

    // ----------------------------------------------------------------- pipeline roles
    // Pipelines (<service>/pipeline) belong to no environment: the configuration's "*" entry
    // names these, and detect runs their jobs in the GitHub environments protonkit-plan-pipelines
    // and protonkit-pipelines, which these roles trust (and nothing else: an environment that
    // falls back to "*" cannot assume them from its own GitHub environment).
    const pipelines = new Construct(stack, "pipelines");
    const ifPipelines = (): TerraformCount => TerraformCount.of(Fn.conditional(inputs.pipelines, 1, 0));
    const pipelinePlan = new IamRole(pipelines, "plan", {
      count: ifPipelines(),
      name: Fn.format("%s-plan-pipelines", [inputs.name_prefix]),
      description: Fn.format("protonkit plan of the services' pipelines: view-only, from %s", [inputs.repository]),
      assumeRolePolicy: trust(PIPELINES_PLAN_ENVIRONMENT),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(pipelines, "plan_read_only", { count: ifPipelines(), role: Token.asString(Fn.one(splat(pipelinePlan, "name"))), policyArn: managedPolicy("ReadOnlyAccess") });
    // A pipeline's state key is <prefix><service>/pipeline/<state file>. "*" spans "/", so
    // the environments' own prefixes are denied explicitly (an instance named "pipeline").
    const pipelineState = Fn.format("%s/%s*/pipeline/*", [state.bucket.arn, inputs.state_key_prefix]);
    const bucketArn = `${state.bucket.terraformResourceType}.${state.bucket.friendlyUniqueId}.arn`;
    const environmentStates = expr(
      `flatten([for e in var.environment.inputs.environments : [format("%s/%s%s/*", ${bucketArn}, var.environment.inputs.state_key_prefix, e), format("%s/%senvironments/%s/*", ${bucketArn}, var.environment.inputs.state_key_prefix, e)]])`,
    );
    new IamRolePolicy(pipelines, "plan_limits", {
      count: ifPipelines(),
      name: "protonkit-plan-limits",
      role: Token.asString(Fn.one(splat(pipelinePlan, "id"))),
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          { Sid: "NoDataPlaneReads", Effect: "Deny", Action: [...DATA_PLANE_READS], Resource: "*" },
          { Sid: "NoObjectReadsButPipelineState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: [pipelineState] },
          { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: state.bucket.arn },
          { Sid: "ReadPipelineState", Effect: "Allow", Action: "s3:GetObject", Resource: [pipelineState] },
        ],
      }),
    });
    // Its own policy: a statement cannot have an empty Resource (an account of pipelines only).
    new IamRolePolicy(pipelines, "plan_no_environment_state", {
      count: TerraformCount.of(Fn.conditional(Op.and(inputs.pipelines, Op.gt(Fn.lengthOf(inputs.environments), literal(0))), 1, 0)),
      name: "protonkit-plan-no-environment-state",
      role: Token.asString(Fn.one(splat(pipelinePlan, "id"))),
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [{ Sid: "NoEnvironmentState", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: environmentStates }],
      }),
    });
    const pipelineApply = new IamRole(pipelines, "apply", {
      count: ifPipelines(),
      name: Fn.format("%s-apply-pipelines", [inputs.name_prefix]),
      description: Fn.format("protonkit apply of the services' pipelines: deploys what merges to %s of %s", [inputs.main_branch, inputs.repository]),
      assumeRolePolicy: trust(PIPELINES_APPLY_ENVIRONMENT),
      maxSessionDuration: 3600,
    });
    // Pipelines create IAM roles (the services' deploy roles): whatever may do that is
    // administrator-equivalent, so the guard is the trust (and the GitHub environment's reviewers).
    new IamRolePolicyAttachment(pipelines, "apply_administrator", { count: ifPipelines(), role: Token.asString(Fn.one(splat(pipelineApply, "name"))), policyArn: managedPolicy("AdministratorAccess") });

    this.output("plan_role_arns", Fn.jsonencode(anyExpr(`{ for k, r in ${plan.terraformResourceType}.${plan.friendlyUniqueId} : k => r.arn }`)));
    this.output("apply_role_arns", Fn.jsonencode(anyExpr(`{ for k, r in ${apply.terraformResourceType}.${apply.friendlyUniqueId} : k => r.arn }`)));
    this.output("region", region.name);
    this.output("state_bucket", state.bucket.bucket);
    this.output("oidc_subject_claim_keys", "repo,context,job_workflow_ref");
    this.output("pipeline_plan_role_arn", Fn.join("", splat(pipelinePlan, "arn")));
    this.output("pipeline_apply_role_arn", Fn.join("", splat(pipelineApply, "arn")));
    this.output("gitlab_oidc_provider_arn", Fn.join("", splat(gitlabProvider, "arn")));
  }
}
