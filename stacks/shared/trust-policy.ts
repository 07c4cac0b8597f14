import { Fn } from "cdktf";
import { anyExpr } from "../../src/authoring/refs";

/** GitHub Actions' OIDC issuer (host of its token URL). */
export const GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com";

/** The audience aws-actions/configure-aws-credentials asks GitHub's tokens for. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/**
 * Trust policy (`assume_role_policy`) letting one AWS service assume a role, e.g.
 * `ecs-tasks.amazonaws.com`. With `sourceAccount`, only on behalf of that account
 * (`aws:SourceAccount`), the guard against the confused-deputy problem.
 */
export function serviceTrustPolicy(service: string, sourceAccount?: string): string {
  return Fn.jsonencode({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(sourceAccount === undefined ? {} : { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }),
      },
    ],
  });
}

/** Who may assume a role through GitHub OIDC ({@link githubTrustPolicy}). */
export interface GithubTrustProps {
  /** ARN of the account's OIDC identity provider for {@link GITHUB_OIDC_ISSUER}. */
  readonly provider: string;
  /**
   * The token subjects allowed (`repo:<owner>/<name>:<suffix>`): one, a list, or an
   * expression that gives a list.
   */
  readonly subjects: string | readonly string[];
  /**
   * `StringEquals` compares subjects exactly; `StringLike` lets them hold `*` (as in
   * `repo:o/r:ref:refs/tags/v*`).
   * @default "StringEquals"
   */
  readonly match?: "StringEquals" | "StringLike";
  /**
   * Statement id.
   * @default no `Sid`
   */
  readonly sid?: string;
}

/**
 * Trust policy letting GitHub Actions jobs assume a role with web identity: GitHub's tokens for
 * the AWS audience, from the given subjects only.
 */
export function githubTrustPolicy(props: GithubTrustProps): string {
  const audience = { [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE };
  const subject = { [`${GITHUB_OIDC_ISSUER}:sub`]: props.subjects };
  return Fn.jsonencode({
    Version: "2012-10-17",
    Statement: [
      {
        ...(props.sid === undefined ? {} : { Sid: props.sid }),
        Effect: "Allow",
        Principal: { Federated: props.provider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: props.match === "StringLike" ? { StringEquals: audience, StringLike: subject } : { StringEquals: { ...audience, ...subject } },
      },
    ],
  });
}

/**
 * ARN of the GitHub OIDC provider in an account, where the account bootstrap creates it
 * (an account has at most one provider per issuer, so the ARN is known).
 */
export function githubProviderArn(partition: string, accountId: string): string {
  return Fn.format(`arn:%s:iam::%s:oidc-provider/${GITHUB_OIDC_ISSUER}`, [partition, accountId]);
}

/**
 * The audience the generated `.gitlab-ci.yml` asks GitLab's ID tokens for (`id_tokens:` `aud`),
 * the same as GitHub's: the account bootstrap's GitLab provider lists it as a client ID.
 */
export const GITLAB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** Who may assume a role through GitLab OIDC ({@link gitlabTrustPolicy}). */
export interface GitlabTrustProps {
  /** ARN of the account's OIDC identity provider for the GitLab instance. */
  readonly provider: string;
  /**
   * Terraform expression (text) giving the host of the GitLab instance, the issuer without
   * `https://`: IAM's condition keys start with it, so they are computed keys.
   */
  readonly hostExpression: string;
  /**
   * Terraform expression (text) giving the list of token subjects allowed
   * (`project_path:<group>/<project>:ref_type:<type>:ref:<ref>`); `*` is a wildcard (`StringLike`).
   */
  readonly subjectsExpression: string;
}

/**
 * Trust policy letting GitLab CI jobs assume a role with web identity: the instance's tokens for
 * {@link GITLAB_OIDC_AUDIENCE}, from the given subjects only. IAM reads no custom claim of a
 * generic OIDC provider (only `aud` and `sub`), so the project, ref type and ref are matched
 * through GitLab's default subject; `ref_protected` and `environment` cannot be required here:
 * protecting the branch and the environments is GitLab's part.
 */
export function gitlabTrustPolicy(props: GitlabTrustProps): string {
  const key = (claim: string): string => `(format("%s:${claim}", ${props.hostExpression}))`;
  return Fn.jsonencode({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: props.provider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: anyExpr(
          `{ StringEquals = { ${key("aud")} = ${JSON.stringify(GITLAB_OIDC_AUDIENCE)} }, StringLike = { ${key("sub")} = ${props.subjectsExpression} } }`,
        ),
      },
    ],
  });
}

/**
 * ARN of a GitLab instance's OIDC provider in an account (`host` without `https://`), where the
 * account bootstrap creates it.
 */
export function gitlabProviderArn(partition: string, accountId: string, host: string): string {
  return Fn.format("arn:%s:iam::%s:oidc-provider/%s", [partition, accountId, host]);
}
