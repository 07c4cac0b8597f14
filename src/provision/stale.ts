import { tryGit } from "./git";

/** Why an apply is skipped: a newer commit of the main branch changed the directory again. */
export interface Superseded {
  /** The newer commit that changed the directory. */
  readonly newer: string;
  /** The commit this run would have applied. */
  readonly head: string;
}

/**
 * Applies must follow commit order. Runs of one workflow can start out of order (GitHub keeps
 * one pending run per concurrency group and cancels the older one; "Re-run jobs" re-runs an
 * old commit), so before applying a directory at `head`, the newest commit of `mainRef` that
 * changed it must be `head` or one of its ancestors. Otherwise a newer run owns the directory
 * (it applies the whole directory as of its commit) and this one is superseded.
 */
export function supersededBy(repo: string, head: string, mainRef: string, dir: string): Superseded | undefined {
  const newest = tryGit(repo, ["log", "-1", "--format=%H", mainRef, "--", `${dir}/`]);
  const sha = newest.stdout.trim();
  if (newest.code !== 0 || sha === "") return undefined;
  const headSha = tryGit(repo, ["rev-parse", "--verify", `${head}^{commit}`]).stdout.trim();
  if (tryGit(repo, ["merge-base", "--is-ancestor", sha, headSha]).code === 0) return undefined;
  return { newer: sha, head: headSha };
}
