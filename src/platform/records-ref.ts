/**
 * Which records ref a command reads when none is given: `render`, `render --check` and
 * `status` resolve it here, so they always read the same outputs and deployments. A clone has
 * no local `protonkit/records` branch (only `origin/protonkit/records` after a fetch), and a
 * local branch left from an earlier fetch falls behind origin's; both read origin's.
 */
import { spawnSync } from "node:child_process";
import { RECORDS_BRANCH, RecordsStore, resolveCommit } from "./records-store";

/** The remote-tracking ref of origin's records branch. */
export const ORIGIN_RECORDS = `refs/remotes/origin/${RECORDS_BRANCH}`;

/** The command that brings origin's records into the local branch (the fix that names it). */
export const FETCH_RECORDS = `git fetch origin +${RECORDS_BRANCH}:${RECORDS_BRANCH}`;

/** A resolved records ref. */
export interface RecordsRef {
  /** The ref to read (as given, or the branch chosen). */
  readonly ref: string;
  /** Its commit, "" when it does not exist (nothing recorded). */
  readonly commit: string;
  /** True when the ref was given (`--records`), not chosen. */
  readonly given: boolean;
  /**
   * Why the local branch was not read, or that it and origin's differ; printed as a warning.
   * @default - nothing to say
   */
  readonly note?: string;
}

/** Options of {@link resolveRecordsRef}. */
export interface RecordsRefOptions {
  /**
   * A ref to read as given (a branch, a remote-tracking ref or a commit).
   * @default - chosen as described at {@link resolveRecordsRef}
   */
  readonly records?: string;
  /**
   * Fetch the records branch from this remote first and read its remote-tracking ref.
   * @default - nothing is fetched
   */
  readonly fetch?: string;
}

function isAncestor(repo: string, a: string, b: string): boolean {
  return spawnSync("git", ["-C", repo, "merge-base", "--is-ancestor", a, b]).status === 0;
}

/**
 * The records ref to read: `records` as given; else, with `fetch`, that remote's branch after
 * fetching it; else the newer of the local `protonkit/records` and `origin/protonkit/records`
 * (origin's when the local branch is missing or behind it, the local one when it is the same or ahead, e.g.
 * records written by `platform apply` without a remote; origin's, with a note, when they diverged).
 */
export function resolveRecordsRef(repo: string, options: RecordsRefOptions = {}): RecordsRef {
  if (options.records) return { ref: options.records, commit: resolveCommit(repo, options.records), given: true };
  if (options.fetch) {
    const ref = `refs/remotes/${options.fetch}/${RECORDS_BRANCH}`;
    return { ref, commit: new RecordsStore({ repo, remote: options.fetch }).fetch(), given: false };
  }
  const local = resolveCommit(repo, `refs/heads/${RECORDS_BRANCH}`);
  const origin = resolveCommit(repo, ORIGIN_RECORDS);
  if (!origin) return { ref: RECORDS_BRANCH, commit: local, given: false };
  if (!local || (local !== origin && isAncestor(repo, local, origin))) return { ref: ORIGIN_RECORDS, commit: origin, given: false };
  if (local === origin || isAncestor(repo, origin, local)) return { ref: RECORDS_BRANCH, commit: local, given: false };
  return {
    ref: ORIGIN_RECORDS,
    commit: origin,
    given: false,
    note: `the local ${RECORDS_BRANCH} branch (${local.slice(0, 12)}) and origin's (${origin.slice(0, 12)}) have diverged; reading origin's (pass --records ${RECORDS_BRANCH} to read the local one, or \`${FETCH_RECORDS}\` to reset it to origin's)`,
  };
}
