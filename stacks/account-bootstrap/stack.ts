import { Fn, Op, TerraformCount, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Input } from "../../src/authoring/inputs";
import { expr, literal, splat } from "../../src/authoring/refs";
import { environmentTemplate } from "../../src/authoring/template";
import { bucketLifecycle, SecureBucket } from "../shared/secure-bucket";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, githubTrustPolicy } from "../shared/trust-policy";

/**
 * What an AWS account needs before the provisioning workflow can run there: GitHub's OIDC
 * identity provider, a read-only plan role and a broad apply role that only the provisioning
 * repository can assume, and the Terraform state bucket. Its outputs are, one to one, an
 * `environments.<name>` entry of `.protonkit/provisioning.yaml` (state locking is S3 native,
 * `use_lockfile`, so there is no lock table).
 *
 * It is a catalog template so it is synthesized, reviewed and tested like the others, but an
 * administrator applies it once per account with their own credentials (`terraform apply`,
 * local state); it is never deployed through Proton.
 */
export class AccountBootstrap extends environmentTemplate({
  name: "account-bootstrap",
  major: 1,
  displayName: "Account bootstrap",
  description:
    "Once per AWS account, applied by an administrator with terraform apply, NOT deployed through Proton: GitHub's OIDC " +
    "provider, the provisioning workflow's plan role (read-only plus state access) and apply role (AdministratorAccess), " +
    "both assumable only by the provisioning repository, and the encrypted, versioned, private, TLS-only state bucket. " +
    "The outputs are an environments entry of .protonkit/provisioning.yaml.",
  // Nothing exists yet to keep state in: local state, migrated by the admin if they wish.
  backend: "none",
  inputs: {
    repository: Input.string({
      title: "Provisioning repository",
      description: "owner/name of the GitHub repository whose workflows may assume the roles, spelled exactly as GitHub does (the OIDC subject is case sensitive).",
      pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
      maxLength: 140,
      required: true,
    }),
    main_branch: Input.string({
      title: "Main branch",
      description: "Branch whose pushes apply (the workflow's main_branch); the apply role trusts only it.",
      default: "main",
      pattern: "^[A-Za-z0-9._/-]+$",
      maxLength: 100,
    }),
    name_prefix: Input.string({
      title: "Name prefix",
      description: "Prefix of the role names (<prefix>-plan, <prefix>-apply) and of the default state bucket name.",
      default: "protonkit",
      pattern: "^[a-z][a-z0-9-]{1,19}$",
    }),
    state_bucket_name: Input.string({
      title: "State bucket",
      description: "Name of the Terraform state bucket; empty means <prefix>-tfstate-<account id>-<region>.",
      default: "",
      pattern: "^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
    }),
    create_oidc_provider: Input.boolean({
      title: "Create the GitHub OIDC provider",
      description: "An account has at most one provider per issuer: turn this off when it already exists, and it is looked up instead.",
      default: true,
    }),
    noncurrent_state_days: Input.integer({
      title: "Keep old state versions (days)",
      description: "Days a replaced state file version is kept before it expires.",
      default: 90,
      minimum: 7,
      maximum: 3650,
    }),
  },
  outputs: {
    plan_role_arn: "IAM role the plan job assumes (provisioning.yaml plan_role_arn).",
    apply_role_arn: "IAM role the apply job assumes (provisioning.yaml apply_role_arn).",
    region: "Region of the state bucket and default deploy region (provisioning.yaml region).",
    state_bucket: "Terraform state bucket (provisioning.yaml state_bucket); locking is S3 native (use_lockfile).",
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs } = this;
    const stack = this.infrastructure;
    const account = new DataAwsCallerIdentity(stack, "account");
    const partition = new DataAwsPartition(stack, "partition");
    const region = new DataAwsRegion(stack, "region");
    const managedPolicy = (name: string): string => `arn:${partition.partition}:iam::aws:policy/${name}`;

    // ------------------------------------------------------------------------- state bucket
    const bucketName = new TerraformLocal(
      stack,
      "state_bucket_name",
      Fn.conditional(
        // The literal on the left: cdktf renders a falsy right operand ("") as `undefined`.
        Op.eq(literal(""), inputs.state_bucket_name),
        Fn.join("-", [inputs.name_prefix, "tfstate", account.accountId, region.name]),
        inputs.state_bucket_name,
      ),
    ).asString;
    const state = new SecureBucket(stack, "state", { bucket: bucketName, versioned: true });
    bucketLifecycle(stack, "state_lifecycle", state, [
      {
        id: "expire-old-state-versions",
        status: "Enabled",
        noncurrentVersionExpiration: [{ noncurrentDays: inputs.noncurrent_state_days }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ]);

    // --------------------------------------------------------------------- GitHub identity
    const github = new Construct(stack, "github");
    const ifCreate = (yes: boolean): TerraformCount =>
      TerraformCount.of(Fn.conditional(inputs.create_oidc_provider, yes ? 1 : 0, yes ? 0 : 1));
    const created = new IamOpenidConnectProvider(github, "oidc_provider", {
      count: ifCreate(true),
      url: `https://${GITHUB_OIDC_ISSUER}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
    });
    const existing = new DataAwsIamOpenidConnectProvider(github, "existing_oidc_provider", {
      count: ifCreate(false),
      url: `https://${GITHUB_OIDC_ISSUER}`,
    });
    const providerArn = new TerraformLocal(stack, "oidc_provider_arn", Fn.one(Fn.concat([splat(created, "arn"), Token.asList(expr(`data.${existing.terraformResourceType}.${existing.friendlyUniqueId}[*].arn`))]))).asString;

    // Exact subjects (StringEquals, no wildcards): only this repository, only these triggers.
    const subject = (suffix: string): string => `repo:${inputs.repository}:${suffix}`;
    const mainRef = subject(`ref:refs/heads/${inputs.main_branch}`);
    const trust = (subjects: string[]): string => githubTrustPolicy({ provider: providerArn, subjects, sid: "GitHubActionsProvisioningRepository" });

    // ------------------------------------------------------------------------------- roles
    const roles = new Construct(stack, "roles");
    const plan = new IamRole(roles, "plan", {
      name: `${inputs.name_prefix}-plan`,
      description: `protonkit plan: read-only, for pull requests and ${inputs.main_branch} of ${inputs.repository}`,
      assumeRolePolicy: trust([subject("pull_request"), mainRef]),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(roles, "plan_read_only", { role: plan.name, policyArn: managedPolicy("ReadOnlyAccess") });
    // Plans read state and take the S3 native lock (a <key>.tflock object next to it).
    new IamRolePolicy(roles, "plan_state", {
      name: "terraform-state",
      role: plan.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: state.bucket.arn },
          { Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: `${state.bucket.arn}/*` },
          { Sid: "Lock", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${state.bucket.arn}/*.tflock` },
        ],
      }),
    });

    const apply = new IamRole(roles, "apply", {
      name: `${inputs.name_prefix}-apply`,
      description: `protonkit apply: deploys whatever merges to ${inputs.main_branch} of ${inputs.repository}`,
      assumeRolePolicy: trust([mainRef]),
      maxSessionDuration: 3600,
    });
    // Templates create IAM roles, networks and databases: applying them needs broad rights.
    // The guard is the trust policy (merged code on the main branch only), not this policy.
    new IamRolePolicyAttachment(roles, "apply_administrator", { role: apply.name, policyArn: managedPolicy("AdministratorAccess") });

    this.output("plan_role_arn", plan.arn);
    this.output("apply_role_arn", apply.arn);
    this.output("region", region.name);
    this.output("state_bucket", state.bucket.bucket);
  }
}
