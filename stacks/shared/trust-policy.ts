import { Fn } from "cdktf";

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
