import { HttpStatusError, withRetry, type RetryOptions } from "./retry";

/** What every GitHub REST caller is configured with. */
export interface GitHubRestOptions {
  /** Token (`GITHUB_TOKEN` or an App installation token). */
  readonly token: string;
  /** API base URL (`GITHUB_API_URL`). @default "https://api.github.com" */
  readonly apiUrl?: string;
  /** fetch implementation; injectable. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Retry policy for transient errors (429, 5xx, network). @default the policy of `withRetry` */
  readonly retry?: RetryOptions;
}

/**
 * GitHub's REST API over fetch, the one place that knows its headers, errors and paging: the
 * plan comment, the status mirror, drift issues and the entitlement checks all call through it.
 */
export class GitHubRest {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: GitHubRestOptions) {
    this.base = (options.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
    this.doFetch = options.fetch ?? fetch;
  }

  /** One call, retried on transient errors; a non-2xx answer throws {@link HttpStatusError} with GitHub's message. */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
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
      if (!res.ok) throw new HttpStatusError(`GitHub ${method} ${path}: ${res.status} ${errorMessage(text)}`, res.status);
      return (text ? JSON.parse(text) : undefined) as T;
    }, this.options.retry);
  }

  /** A GET whose 404 means "none": `undefined` instead of an error. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", path);
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Every item of a listing, following pages of 100 (at most `maxPages`). */
  async pages<T>(path: string, maxPages = 50): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const batch = await this.request<T[]>("GET", `${path}${path.includes("?") ? "&" : "?"}per_page=100&page=${page}`);
      all.push(...batch);
      if (batch.length < 100) break;
    }
    return all;
  }
}

/** GitHub's `message` from an error body, or the start of the body. */
function errorMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === "string") return message;
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}
