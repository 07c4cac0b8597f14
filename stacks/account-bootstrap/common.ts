import { Fn, Op, TerraformCount, TerraformLocal, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Input } from "../../src/authoring/inputs";
import { expr, literal, splat } from "../../src/authoring/refs";
import { bucketLifecycle, SecureBucket } from "../shared/secure-bucket";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER } from "../shared/trust-policy";

/** Inputs every major version of the account bootstrap declares the same way. */
export const bootstrapInputs = {
  repository: Input.string({
    title: "Provisioning repository",
    description: "owner/name of the GitHub repository whose workflows may assume the roles, spelled exactly as GitHub does (the OIDC subject is case sensitive).",
    pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
    maxLength: 140,
    required: true,
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
};

/** The inputs {@link bootstrapAccount} reads. */
export interface BootstrapAccountInputs {
  readonly name_prefix: string;
  readonly state_bucket_name: string;
  readonly noncurrent_state_days: number;
  readonly create_oidc_provider: IResolvable;
}

/** What {@link bootstrapAccount} builds. */
export interface BootstrapAccount {
  readonly account: DataAwsCallerIdentity;
  readonly partition: DataAwsPartition;
  readonly region: DataAwsRegion;
  /** The Terraform state bucket: versioned, old versions expire after `noncurrent_state_days`. */
  readonly state: SecureBucket;
  /** ARN of GitHub's OIDC identity provider in the account (see {@link githubOidcProvider}). */
  readonly githubProviderArn: string;
  /** ARN of an AWS managed policy in the account's partition. */
  managedPolicy(name: string): string;
}

/**
 * What every major version builds first, in `stack`: the account's data sources (`account`,
 * `partition`, `region`), the Terraform state bucket (`state`, `state_lifecycle`, local
 * `state_bucket_name`) and GitHub's OIDC provider ({@link githubOidcProvider}). The construct
 * ids are the deployed Terraform names: changing them replaces the state bucket.
 */
export function bootstrapAccount(stack: Construct, inputs: BootstrapAccountInputs): BootstrapAccount {
  const account = new DataAwsCallerIdentity(stack, "account");
  const partition = new DataAwsPartition(stack, "partition");
  const region = new DataAwsRegion(stack, "region");
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
  const githubProviderArn = githubOidcProvider(stack, inputs.create_oidc_provider);
  return { account, partition, region, state, githubProviderArn, managedPolicy: (name) => `arn:${partition.partition}:iam::aws:policy/${name}` };
}

/**
 * GitHub's OIDC identity provider (`github/oidc_provider`), created when `create` is true and
 * looked up otherwise (`github/existing_oidc_provider`: an account has at most one provider per
 * issuer). Returns its ARN, the local `oidc_provider_arn`.
 */
export function githubOidcProvider(stack: Construct, create: IResolvable): string {
  const github = new Construct(stack, "github");
  const ifCreate = (yes: boolean): TerraformCount => TerraformCount.of(Fn.conditional(create, yes ? 1 : 0, yes ? 0 : 1));
  const created = new IamOpenidConnectProvider(github, "oidc_provider", {
    count: ifCreate(true),
    url: `https://${GITHUB_OIDC_ISSUER}`,
    clientIdList: [GITHUB_OIDC_AUDIENCE],
  });
  const existing = new DataAwsIamOpenidConnectProvider(github, "existing_oidc_provider", {
    count: ifCreate(false),
    url: `https://${GITHUB_OIDC_ISSUER}`,
  });
  const found = Token.asList(expr(`data.${existing.terraformResourceType}.${existing.friendlyUniqueId}[*].arn`));
  return new TerraformLocal(stack, "oidc_provider_arn", Fn.one(Fn.concat([splat(created, "arn"), found]))).asString;
}
