import type { ArtifactVerdict } from "../platform/artifact-apply";
import { PLAN_COMMENT_MARKER, parseSections } from "./comment";
import { tryGit } from "./git";
import { ACTIONS_BOT_LOGIN, type GitHubClient, type PullRequest } from "./github";
import { logName } from "./log";
import { diffActions, parseReviewMarker, type AddressAction, type ReviewRecord } from "./review-record";

/** What the apply found about the review of one directory. */
export type ReviewLookup =
  /** The merged pull request's bot comment approved this record at the pull request's head. */
  | { readonly kind: "reviewed"; readonly pr: number; readonly commit: string; readonly headSha: string; readonly record: ReviewRecord }
  /** No merged pull request brought the commit to the main branch (a direct push). */
  | { readonly kind: "no-pull-request"; readonly commit: string }
  /** A pull request, but no usable review of this directory in it. */
  | { readonly kind: "not-reviewed"; readonly pr: number; readonly commit: string; readonly reason: string };

/** Options of {@link findReview}. */
export interface FindReviewOptions {
  /** Repository checkout (full history). */
  readonly repo: string;
  /** Resource directory (normalized). */
  readonly dir: string;
  /** `apply` or `destroy`. */
  readonly resourceAction: "apply" | "destroy";
  /** Branch pull requests merge into. */
  readonly mainBranch: string;
  /** Commit being applied. @default "HEAD" */
  readonly head?: string;
  /** Login of the bot that writes the plan comment. @default "github-actions[bot]" */
  readonly author?: string;
}

/**
 * The commit of the main branch's first-parent history that last changed `dir` (the merge,
 * squash or rebased commit a pull request produced), else `head` itself.
 */
export function lastChangeOf(repo: string, head: string, dir: string): string {
  const res = tryGit(repo, ["log", "--first-parent", "-1", "--format=%H", head, "--", `${dir}/`]);
  const sha = res.stdout.trim();
  if (res.code === 0 && sha) return sha;
  return tryGit(repo, ["rev-parse", "--verify", `${head}^{commit}`]).stdout.trim() || head;
}

function mergedInto(pulls: readonly PullRequest[], branch: string, commit: string): PullRequest | undefined {
  const merged = pulls.filter((p) => p.merged_at && p.base?.ref === branch);
  return merged.find((p) => p.merge_commit_sha === commit) ?? merged[0];
}

/**
 * Finds the reviewed plan of `dir` without trusting the pull request's code: the pull request
 * GitHub associates with the commit that last changed the directory, and in it only the
 * sticky plan comment written by `author` (anyone can paste the marker). The comment's section
 * must be of the pull request's final head commit.
 */
export async function findReview(client: GitHubClient, options: FindReviewOptions): Promise<ReviewLookup> {
  const commit = lastChangeOf(options.repo, options.head ?? "HEAD", options.dir);
  const pr = mergedInto(await client.pullsForCommit(commit), options.mainBranch, commit);
  if (!pr) return { kind: "no-pull-request", commit };
  const author = options.author ?? ACTIONS_BOT_LOGIN;
  const ours = (await client.listComments(pr.number))
    .filter((c) => c.user?.login === author && (c.body ?? "").startsWith(PLAN_COMMENT_MARKER))
    .sort((a, b) => a.id - b.id);
  const notReviewed = (reason: string): ReviewLookup => ({ kind: "not-reviewed", pr: pr.number, commit, reason });
  if (ours.length === 0) return notReviewed(`pull request #${pr.number} has no plan comment from ${author}`);
  const section = parseSections(ours[0].body ?? "").get(options.dir);
  if (!section) return notReviewed(`the plan comment of pull request #${pr.number} has no plan of ${options.dir}`);
  const headSha = pr.head?.sha ?? "";
  if (section.sha !== headSha) {
    return notReviewed(
      `the plan of ${options.dir} in pull request #${pr.number} is of ${section.sha.slice(0, 12)}, but it merged at ${headSha.slice(0, 12) || "an unknown head"}: the last push was never planned (cancelled or failed)`,
    );
  }
  const record = parseReviewMarker(section.text, options.dir, options.resourceAction);
  if (!record) return notReviewed(`the plan of ${options.dir} in pull request #${pr.number} failed, had a policy violation or was of another action, so it approved nothing`);
  return { kind: "reviewed", pr: pr.number, commit, headSha, record };
}

/** The gate's decision. */
export type ReviewVerdict = { readonly ok: true; readonly note: string } | { readonly ok: false; readonly message: string };

/** What the apply compares against the review. */
export interface PlannedActions {
  /** Resource directory. */
  readonly dir: string;
  /** The new plan's address-actions. */
  readonly actions: readonly AddressAction[];
  /** Their digest. */
  readonly digest: string;
  /** Commit planned. */
  readonly sha: string;
}

const PROCEED =
  "To proceed: open a pull request that changes this directory (any edit, e.g. a comment in a .tf file); its plan comment shows the plan as it is now, and merging it applies that plan. " +
  "If the difference came from outside the code (drift, another apply) and is gone, re-run this job.";

function listed(title: string, items: readonly AddressAction[], sign: string): string[] {
  return items.length ? [title, ...items.map((a) => `  ${sign} ${a.action} ${logName(a.address)}`)] : [];
}

/**
 * Decides whether the new plan may be applied: an empty plan always may (it changes nothing);
 * otherwise its digest must equal the reviewed one. A direct push (no pull request) is refused
 * unless `allowDirectPush` (`apply_direct_pushes: true` in the configuration).
 */
export function decideReview(lookup: ReviewLookup, planned: PlannedActions, allowDirectPush: boolean): ReviewVerdict {
  const dir = logName(planned.dir);
  if (planned.actions.length === 0) return { ok: true, note: `the plan of ${dir} changes nothing; applied without a review` };
  if (lookup.kind === "no-pull-request") {
    if (allowDirectPush) return { ok: true, note: `${lookup.commit.slice(0, 12)} reached the main branch without a pull request; applied because apply_direct_pushes is true` };
    return {
      ok: false,
      message:
        `apply of ${dir} refused: ${lookup.commit.slice(0, 12)} reached the main branch without a pull request, so nobody reviewed its plan (${planned.actions.length} address-action(s), digest ${planned.digest}). ` +
        "Open a pull request for the change instead, or set apply_direct_pushes: true in the provisioning configuration to apply direct pushes unreviewed.",
    };
  }
  if (lookup.kind === "not-reviewed") {
    return { ok: false, message: `apply of ${dir} refused: no reviewed plan: ${lookup.reason}. ${PROCEED}` };
  }
  if (lookup.record.digest === planned.digest) {
    return { ok: true, note: `the plan of ${dir} at ${planned.sha.slice(0, 12)} equals the plan reviewed in pull request #${lookup.pr} (${planned.digest})` };
  }
  const reviewed = lookup.record.actions;
  if (!reviewed) {
    const shown = planned.actions.slice(0, 50);
    return {
      ok: false,
      message: [
        `apply of ${dir} refused: the plan at ${planned.sha.slice(0, 12)} differs from the plan reviewed in pull request #${lookup.pr} at ${lookup.headSha.slice(0, 12)} (reviewed ${lookup.record.digest}, now ${planned.digest}).`,
        "The reviewed list was left out of the comment (too long), so only the new plan is listed:",
        ...shown.map((a) => `  ${a.action} ${logName(a.address)}`),
        ...(planned.actions.length > shown.length ? [`  ... ${planned.actions.length - shown.length} more`] : []),
        PROCEED,
      ].join("\n"),
    };
  }
  const diff = diffActions(reviewed, planned.actions);
  return {
    ok: false,
    message: [
      `apply of ${dir} refused: the plan at ${planned.sha.slice(0, 12)} differs from the plan reviewed in pull request #${lookup.pr} at ${lookup.headSha.slice(0, 12)} (reviewed ${lookup.record.digest}, now ${planned.digest}).`,
      ...listed("Not reviewed (in the new plan only):", diff.added, "+"),
      ...listed("Reviewed, no longer planned:", diff.removed, "-"),
      "Likely causes: the main branch changed after the review (another merge touched this directory, or the branch was not up to date), or the infrastructure changed (drift, another apply).",
      PROCEED,
    ].join("\n"),
  };
}

/**
 * The gate for a directory the apply job rendered because an artifact record reached the main
 * branch: the fresh render must differ from the committed one only in the artifact input the
 * record sets (`artifact`, from `checkArtifactRender`), and the committed render itself must
 * have come through a reviewed pull request (or a direct push where `allowDirectPush`). The
 * new plan is then applied: it is the reviewed code with the new artifact. Anything else is
 * refused.
 */
export function decideArtifactReview(lookup: ReviewLookup, artifact: ArtifactVerdict, planned: PlannedActions, allowDirectPush: boolean): ReviewVerdict {
  const dir = logName(planned.dir);
  if (!artifact.ok) {
    return {
      ok: false,
      message:
        `apply of ${dir} refused: ${artifact.reason}. Only the artifact input that a newer artifact record sets is applied without a review of the render. ` +
        "Run `protonkit platform render` and merge the result in a pull request instead.",
    };
  }
  if (planned.actions.length === 0) return { ok: true, note: `${artifact.note}; the plan of ${dir} changes nothing` };
  if (lookup.kind === "reviewed") return { ok: true, note: `${artifact.note}; the rest of ${dir} is the render reviewed in pull request #${lookup.pr}` };
  if (lookup.kind === "no-pull-request" && allowDirectPush) return { ok: true, note: `${artifact.note}; the committed render reached the main branch without a pull request (apply_direct_pushes is true)` };
  const why = lookup.kind === "no-pull-request" ? `${lookup.commit.slice(0, 12)} brought the committed render to the main branch without a pull request` : lookup.reason;
  return { ok: false, message: `apply of ${dir} refused: ${artifact.note}, but the committed render it starts from was never reviewed: ${why}. ${PROCEED}` };
}
