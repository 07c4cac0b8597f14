import { HttpStatusError, withRetry, type RetryOptions } from "./retry";

/** An issue comment as the REST API returns it (the fields used). */
export interface IssueComment {
  readonly id: number;
  readonly body?: string;
  /** Who wrote it. */
  readonly user?: { readonly login?: string; readonly type?: string } | null;
}

/** The login GitHub gives comments written with a workflow's `GITHUB_TOKEN`. */
export const ACTIONS_BOT_LOGIN = "github-actions[bot]";

/** Options of {@link GitHubClient}. */
export interface GitHubClientOptions {
  /** Token (`GITHUB_TOKEN`). */
  readonly token: string;
  /** `owner/name` (`GITHUB_REPOSITORY`). */
  readonly repository: string;
  /** API base URL (`GITHUB_API_URL`), default `https://api.github.com`. */
  readonly apiUrl?: string;
  /** fetch implementation; injectable. */
  readonly fetch?: typeof fetch;
  /** Retry policy for transient errors (429, 5xx, network). */
  readonly retry?: RetryOptions;
}

/** The few GitHub REST calls the plan comment needs, over fetch. */
export class GitHubClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: GitHubClientOptions) {
    this.base = (options.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
    this.doFetch = options.fetch ?? fetch;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return withRetry(async () => {
      const res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers: {
          accept: "application/vnd.github+json",
          authorization: `Bearer ${this.options.token}`,
          "x-github-api-version": "2022-11-28",
          "user-agent": "protonkit",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) {
        let msg = text.slice(0, 300);
        try {
          msg = (JSON.parse(text) as { message?: string }).message ?? msg;
        } catch {
          // not JSON
        }
        throw new HttpStatusError(`GitHub ${method} ${path}: ${res.status} ${msg}`, res.status);
      }
      return (text ? JSON.parse(text) : undefined) as T;
    }, this.options.retry);
  }

  /** Every comment of an issue or pull request (follows pages of 100). */
  async listComments(issue: number): Promise<IssueComment[]> {
    const all: IssueComment[] = [];
    for (let page = 1; page <= 50; page++) {
      const batch = await this.request<IssueComment[]>("GET", `/repos/${this.options.repository}/issues/${issue}/comments?per_page=100&page=${page}`);
      all.push(...batch);
      if (batch.length < 100) break;
    }
    return all;
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
