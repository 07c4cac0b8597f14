import { Fn } from "cdktf";
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Input } from "../../src/authoring/inputs";
import { environmentTemplate } from "../../src/authoring/template";
import { githubTrustPolicy } from "../shared/trust-policy";
import { bootstrapAccount, bootstrapInputs } from "./common";

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
    repository: bootstrapInputs.repository,
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
    state_bucket_name: bootstrapInputs.state_bucket_name,
    create_oidc_provider: bootstrapInputs.create_oidc_provider,
    noncurrent_state_days: bootstrapInputs.noncurrent_state_days,
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
    const { region, state, managedPolicy, githubProviderArn: providerArn } = bootstrapAccount(stack, inputs);

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
