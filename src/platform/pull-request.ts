/**
 * Facts about a pull request to the platform repository, for the entitlement checks: changed
 * files and their text from git (base and head commits of a local checkout), authors, reviews
 * and team membership from GitHub's REST API. Reading organisation team membership needs an
 * App installation token with "Members: read"; a workflow's `GITHUB_TOKEN` cannot.
 */
import { execFileSync } from "node:child_process";
import { fail } from "../errors";
import { GitHubRest } from "../provision/github-rest";
import { HttpStatusError } from "../provision/retry";
import type { ChangedFile, MembershipLookup, PullRequestFacts } from "./entitlement-rules";
import type { Team } from "./teams";

/** Options of {@link TeamsGitHub}. */
export interface TeamsGitHubOptions {
  /** App installation token that can read pull requests and organisation team membership. */
  readonly token: string;
  /** `owner/name` of the platform repository. */
  readonly repository: string;
  /** API base URL. @default "https://api.github.com" */
  readonly apiUrl?: string;
}

/** The GitHub REST calls the entitlement checks need. */
export class TeamsGitHub {
  private readonly rest: GitHubRest;
  private readonly memberships = new Map<string, Promise<boolean>>();

  constructor(private readonly options: TeamsGitHubOptions) {
    this.rest = new GitHubRest(options);
  }

  private get<T>(path: string): Promise<T> {
    return this.reach(path, this.rest.request<T>("GET", path));
  }

  private all<T>(path: string): Promise<T[]> {
    return this.reach(path, this.rest.pages<T>(path, 30));
  }

  /** A call whose failure to reach GitHub at all (no HTTP answer) becomes a user error naming the URL and the cause. */
  private async reach<T>(path: string, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      if (err instanceof HttpStatusError || !(err instanceof Error)) throw err;
      const base = (this.options.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
      fail(`cannot reach the GitHub API at ${base}${path}: ${networkCause(err)}`, {
        field: "--api-url / GITHUB_API_URL",
        fix: "check the URL (default https://api.github.com; GitHub Enterprise Server: https://<host>/api/v3) and that this machine reaches it (DNS, proxy, firewall), then run again",
      });
    }
  }

  /** The pull request's author and base/head commits. */
  async pull(number: number): Promise<{ author: string; base: string; head: string }> {
    const pr = await this.get<{ user?: { login?: string }; base: { sha: string }; head: { sha: string } }>(`/repos/${this.options.repository}/pulls/${number}`);
    if (!pr?.user?.login) fail(`pull request #${number} has no author`, { field: "--pr" });
    return { author: pr.user.login, base: pr.base.sha, head: pr.head.sha };
  }

  /** Commit authors: the GitHub login, or `<email>` for a commit no GitHub user is linked to. */
  async commitAuthors(number: number): Promise<string[]> {
    const commits = await this.all<{ author?: { login?: string } | null; commit: { author?: { email?: string } } }>(`/repos/${this.options.repository}/pulls/${number}/commits`);
    return [...new Set(commits.map((c) => c.author?.login ?? `<${c.commit.author?.email ?? "unknown"}>`))].sort();
  }

  /** Logins whose latest review approves `head`. */
  async approvals(number: number, head: string): Promise<string[]> {
    const reviews = await this.all<{ user?: { login?: string }; state: string; commit_id?: string }>(`/repos/${this.options.repository}/pulls/${number}/reviews`);
    const latest = new Map<string, { state: string; commit_id?: string }>();
    for (const r of reviews) if (r.user?.login && r.state !== "COMMENTED") latest.set(r.user.login, r);
    return [...latest.entries()].filter(([, r]) => r.state === "APPROVED" && r.commit_id === head).map(([login]) => login).sort();
  }

  /** Membership lookup over `GET /orgs/{org}/teams/{slug}/memberships/{login}`, cached. */
  readonly isMember: MembershipLookup = (team: Team, login: string) => {
    const key = `${team.githubTeam}\u0000${login}`;
    let found = this.memberships.get(key);
    if (!found) {
      const [org, slug] = team.githubTeam.split("/");
      const membership = `/orgs/${org}/teams/${slug}/memberships/${encodeURIComponent(login)}`;
      found = /^[A-Za-z0-9-]+(\[bot\])?$/.test(login)
        ? this.reach(membership, this.rest.find<{ state?: string }>(membership)).then((m) => m?.state === "active")
        : Promise.resolve(false);
      this.memberships.set(key, found);
    }
    return found;
  };
}

/** The innermost reason of a failed fetch: `ECONNREFUSED 127.0.0.1:9`, `ENOTFOUND host`, or the message. */
function networkCause(err: Error): string {
  let inner: unknown = err;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const e = inner as Error & { code?: unknown };
  return typeof e.code === "string" && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
}

function git(repo: string, args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/** A file's text at `commit`, or undefined when it does not exist there. */
export function showAt(repo: string, commit: string, file: string): string | undefined {
  try {
    return git(repo, ["show", `${commit}:${file}`]);
  } catch {
    return undefined;
  }
}

/** Files changed between the merge base of `base` and `head`, and `head`, with both texts. */
export function changedFiles(repo: string, base: string, head: string): ChangedFile[] {
  const from = git(repo, ["merge-base", base, head]).trim();
  const out = git(repo, ["diff", "--name-only", "--no-renames", "-z", from, head]);
  return out
    .split("\0")
    .filter((p) => p !== "")
    .sort()
    .map((p) => {
      const before = showAt(repo, from, p);
      const after = showAt(repo, head, p);
      return { path: p, ...(before !== undefined ? { base: before } : {}), ...(after !== undefined ? { head: after } : {}) };
    });
}

/** Everything the rules need about pull request `number`. */
export async function pullRequestFacts(github: TeamsGitHub, repo: string, number: number): Promise<PullRequestFacts & { base: string; head: string }> {
  const pr = await github.pull(number);
  const [commitAuthors, approvals] = await Promise.all([github.commitAuthors(number), github.approvals(number, pr.head)]);
  return { number, author: pr.author, commitAuthors, approvals, files: changedFiles(repo, pr.base, pr.head), base: pr.base, head: pr.head };
}
