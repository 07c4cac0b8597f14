import { GitHubRest, type GitHubRestOptions } from "./github-rest";

/** An issue comment as the REST API returns it (the fields used). */
export interface IssueComment {
  readonly id: number;
  readonly body?: string;
  /** Who wrote it. */
  readonly user?: { readonly login?: string; readonly type?: string } | null;
}

/** A pull request as the REST API returns it (the fields used). */
export interface PullRequest {
  readonly number: number;
  readonly state?: string;
  readonly merged_at?: string | null;
  readonly merge_commit_sha?: string | null;
  readonly base?: { readonly ref?: string };
  readonly head?: { readonly sha?: string };
}

/** The login GitHub gives comments written with a workflow's `GITHUB_TOKEN`. */
export const ACTIONS_BOT_LOGIN = "github-actions[bot]";

/** Options of {@link GitHubClient}. */
export interface GitHubClientOptions extends GitHubRestOptions {
  /** `owner/name` (`GITHUB_REPOSITORY`). */
  readonly repository: string;
}

/** The few GitHub REST calls the plan comment needs, over fetch. */
export class GitHubClient {
  private readonly rest: GitHubRest;

  constructor(private readonly options: GitHubClientOptions) {
    this.rest = new GitHubRest(options);
  }

  private request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.rest.request<T>(method, path, body);
  }

  /** Every comment of an issue or pull request (follows pages of 100). */
  listComments(issue: number): Promise<IssueComment[]> {
    return this.rest.pages<IssueComment>(`/repos/${this.options.repository}/issues/${issue}/comments`);
  }

  /** Creates a comment. */
  createComment(issue: number, body: string): Promise<IssueComment> {
    return this.request("POST", `/repos/${this.options.repository}/issues/${issue}/comments`, { body });
  }

  /** Replaces a comment's body. */
  updateComment(id: number, body: string): Promise<IssueComment> {
    return this.request("PATCH", `/repos/${this.options.repository}/issues/comments/${id}`, { body });
  }

  /**
   * The head commit of the newest successful `push` run of a workflow on a branch, if any
   * (needs `actions: read`).
   */
  async lastSuccessfulRunSha(workflowFile: string, branch: string): Promise<string | undefined> {
    const q = `branch=${encodeURIComponent(branch)}&event=push&status=success&per_page=1`;
    const res = await this.request<{ workflow_runs?: Array<{ head_sha?: string }> }>(
      "GET",
      `/repos/${this.options.repository}/actions/workflows/${encodeURIComponent(workflowFile)}/runs?${q}`,
    );
    return res?.workflow_runs?.[0]?.head_sha;
  }

  /**
   * The pull requests associated with a commit: for a commit on the default branch, the merged
   * pull request that brought it there (needs `pull-requests: read`).
   */
  pullsForCommit(sha: string): Promise<PullRequest[]> {
    return this.request("GET", `/repos/${this.options.repository}/commits/${encodeURIComponent(sha)}/pulls?per_page=100`);
  }

  /** Deletes a comment. */
  async deleteComment(id: number): Promise<void> {
    await this.request<unknown>("DELETE", `/repos/${this.options.repository}/issues/comments/${id}`);
  }
}

/** Options of {@link upsertStickyComment}. */
export interface StickyOptions {
  /** Attempts at a write that survives concurrent writers (default 5). */
  readonly attempts?: number;
  /** Sleep between attempts; injectable. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Login of the account the comment is ours from (default {@link ACTIONS_BOT_LOGIN}; an App
   * token writes as `<app-slug>[bot]`). A comment carrying the marker from anyone else is
   * neither read nor edited nor deleted: anyone can paste the marker.
   */
  readonly author?: string;
}

/**
 * Finds the comment holding `marker` and rewrites it with `update(existingBody)`, or creates
 * it. Concurrent jobs may overwrite each other, so it reads back and retries until
 * `isCurrent(body)` holds; duplicate marker comments (two jobs creating at once) are merged
 * into the oldest and deleted. Resolves to the comment id.
 */
export async function upsertStickyComment(
  client: GitHubClient,
  issue: number,
  marker: string,
  update: (existing: string | undefined) => string,
  isCurrent: (body: string) => boolean,
  options: StickyOptions = {},
): Promise<number> {
  const attempts = options.attempts ?? 5;
  const wait = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const author = options.author ?? ACTIONS_BOT_LOGIN;
  const ours = (c: IssueComment): boolean => c.user?.login === author && (c.body ?? "").startsWith(marker);
  let lastId = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const mine = (await client.listComments(issue)).filter(ours).sort((a, b) => a.id - b.id);
    const [first, ...dups] = mine;
    if (first && dups.length === 0 && isCurrent(first.body ?? "") && attempt > 1) return first.id;
    let existing = first?.body;
    for (const d of dups) existing = update(existing + (d.body ?? ""));
    const body = update(existing);
    if (first) {
      await client.updateComment(first.id, body);
      lastId = first.id;
    } else {
      lastId = (await client.createComment(issue, body)).id;
    }
    for (const d of dups) await client.deleteComment(d.id);
    const after = (await client.listComments(issue)).filter(ours);
    if (after.length === 1 && isCurrent(after[0].body ?? "")) return after[0].id;
    await wait(200 + Math.floor(Math.random() * 800) * attempt);
  }
  return lastId;
}
