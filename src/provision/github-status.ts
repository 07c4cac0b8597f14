/**
 * Mirrors deployment status where GitHub users look: a GitHub Deployment (with deployment
 * statuses) per resource, in a GitHub environment named after the resource directory, and a
 * commit status `protonkit/<dir>` on the deployed commit. Best effort: the records in git are
 * the source of truth, so a failed mirror is logged, never fatal.
 */
import { GitHubRest, type GitHubRestOptions } from "./github-rest";

/** A deployment status as the records know it. */
export type MirroredStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "DELETED";

/** Options of {@link GitHubStatusMirror}. */
export interface GitHubStatusMirrorOptions extends GitHubRestOptions {
  /** `owner/name`. */
  readonly repository: string;
  /** Link shown on statuses (the workflow run), when known. */
  readonly targetUrl?: string;
}

/** What one mirrored status is about. */
export interface MirrorTarget {
  /** Resource directory, e.g. `prod/api-web`: the GitHub environment and the status context. */
  readonly dir: string;
  /** Commit deployed. */
  readonly commit: string;
  /** Deployment id from the metadata (put in the deployment's payload). */
  readonly deploymentId: string;
}

/** GitHub's limit on a status description. */
const DESCRIPTION_LIMIT = 140;

/** The task name protonkit's GitHub Deployments carry, to find them again. */
export const DEPLOYMENT_TASK = "deploy:protonkit";

function short(text: string): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length <= DESCRIPTION_LIMIT ? one : `${one.slice(0, DESCRIPTION_LIMIT - 3)}...`;
}

const DEPLOYMENT_STATE: Readonly<Record<MirroredStatus, string>> = {
  IN_PROGRESS: "in_progress",
  SUCCEEDED: "success",
  FAILED: "failure",
  DELETED: "inactive",
};

const COMMIT_STATE: Readonly<Record<MirroredStatus, string>> = {
  IN_PROGRESS: "pending",
  SUCCEEDED: "success",
  FAILED: "failure",
  DELETED: "success",
};

/** Writes GitHub Deployments, deployment statuses and commit statuses over REST. */
export class GitHubStatusMirror {
  private readonly rest: GitHubRest;
  private readonly ids = new Map<string, number>();

  constructor(private readonly options: GitHubStatusMirrorOptions) {
    this.rest = new GitHubRest(options);
  }

  private request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.rest.request<T>(method, `/repos/${this.options.repository}${path}`, body);
  }

  /** The GitHub Deployment of this resource at this commit: found again (another job made it) or created. */
  private async deploymentId(t: MirrorTarget, description: string): Promise<number> {
    const key = `${t.dir}\n${t.commit}\n${t.deploymentId}`;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const q = new URLSearchParams({ sha: t.commit, environment: t.dir, task: DEPLOYMENT_TASK, per_page: "100" });
    const found = await this.request<Array<{ id: number; payload?: { deploymentId?: string } }>>("GET", `/deployments?${q.toString()}`);
    let id = found.find((d) => d.payload?.deploymentId === t.deploymentId)?.id;
    if (id === undefined) {
      const created = await this.request<{ id: number }>("POST", "/deployments", {
        ref: t.commit,
        task: DEPLOYMENT_TASK,
        environment: t.dir,
        auto_merge: false,
        required_contexts: [],
        description: short(description),
        payload: { deploymentId: t.deploymentId, resource: t.dir },
        transient_environment: false,
      });
      id = created.id;
    }
    this.ids.set(key, id);
    return id;
  }

  /** Mirrors one status: a deployment status on the resource's deployment and a commit status. */
  async mirror(t: MirrorTarget, status: MirroredStatus, description: string): Promise<void> {
    const id = await this.deploymentId(t, description);
    await this.request("POST", `/deployments/${id}/statuses`, {
      state: DEPLOYMENT_STATE[status],
      description: short(description),
      ...(this.options.targetUrl ? { log_url: this.options.targetUrl } : {}),
      auto_inactive: status !== "DELETED",
    });
    await this.request("POST", `/statuses/${t.commit}`, {
      state: COMMIT_STATE[status],
      context: `protonkit/${t.dir}`,
      description: short(description),
      ...(this.options.targetUrl ? { target_url: this.options.targetUrl } : {}),
    });
  }
}
