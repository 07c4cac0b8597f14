import { spawnSync } from "node:child_process";
import { fail } from "../errors";

/** Result of a git command that may legitimately fail (e.g. a missing path). */
export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git in `repo`; never throws. */
export function tryGit(repo: string, args: readonly string[]): GitResult {
  const res = spawnSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (res.error) return { code: 127, stdout: "", stderr: res.error.message };
  return { code: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/** Runs git in `repo` and returns stdout; a `ProtonkitError` naming the command on failure. */
export function git(repo: string, args: readonly string[], fix = "check --repo, --base and --head"): string {
  const res = tryGit(repo, args);
  if (res.code !== 0) fail(`git ${args.join(" ")} failed: ${res.stderr.trim() || `exit ${res.code}`}`, { file: repo, fix });
  return res.stdout;
}

/** Splits `-z` output into paths. */
export function splitZ(out: string): string[] {
  return out.split("\0").filter((s) => s !== "");
}
