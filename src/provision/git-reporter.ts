/**
 * `reporting: git`: deployment status and outputs recorded in the provisioning repository
 * itself (the records branch, see src/platform/records-store.ts), mirrored to GitHub
 * Deployments and commit statuses. With `reporting: proton` the same records are written
 * beside Proton's API, so the platform's renders and status never depend on Proton.
 */
import { tryGit } from "./git";
import type { ArnResourceKind } from "../proton/contract";
import { GitHubStatusMirror, type MirroredStatus } from "./github-status";
import type { RetryOptions } from "./retry";
import type { DeploymentReporter, DeploymentStatus, ReportDetails, ReportTarget } from "./reporter";
import { RECORD_FORMAT, RecordsStore, type DeploymentEvent, type RecordedStatus } from "../platform/records-store";

/** Records keep this many characters from the end of an error. */
export const RECORDED_ERROR_TAIL = 2000;

// Not imported from ./reporter, which imports this module.
function tailText(text: string, max: number): string {
  return text.length <= max ? text : `[...] ${text.slice(text.length - (max - 6))}`;
}

/** A report target that names its directory, as `src/provision` passes a `ResourceIdentity`. */
interface RecordableTarget extends ReportTarget {
  readonly dir?: string;
  readonly kind?: ArnResourceKind;
  readonly metadata?: { readonly templateArn?: string; readonly templateVersion?: string };
}

/** `<template>:<major>.<minor>` from the metadata's template ARN and version, when both are there. */
export function templateVersionOf(target: RecordableTarget): string | undefined {
  const arn = target.metadata?.templateArn;
  const version = target.metadata?.templateVersion;
  if (!arn || !version) return undefined;
  return `${arn.slice(arn.lastIndexOf("/") + 1)}:${version}`;
}

/** Options of {@link GitReporter}. */
export interface GitReporterOptions {
  /** Where records go. */
  readonly store: RecordsStore;
  /** The repository checkout (for the deployed commit when `commit` is not given). */
  readonly repo: string;
  /** The commit deployed. @default $GITHUB_SHA, else HEAD of `repo` */
  readonly commit?: string;
  /** The workflow run. @default $GITHUB_RUN_ID */
  readonly run?: string;
  /** Clock; injectable. @default () => new Date() */
  readonly now?: () => Date;
  /** Mirror to GitHub, when a token is at hand. */
  readonly mirror?: GitHubStatusMirror;
  /** Log sink. */
  readonly log?: (line: string) => void;
}

/** Records every status change in git and mirrors it to GitHub (best effort). */
export class GitReporter implements DeploymentReporter {
  readonly name = "git";
  private commitSha?: string;

  constructor(private readonly options: GitReporterOptions) {}

  private commit(): string | undefined {
    if (this.commitSha === undefined) {
      const fromEnv = this.options.commit ?? process.env.GITHUB_SHA;
      if (fromEnv) this.commitSha = fromEnv;
      else {
        const r = tryGit(this.options.repo, ["rev-parse", "HEAD"]);
        this.commitSha = r.code === 0 ? r.stdout.trim() : "";
      }
    }
    return this.commitSha || undefined;
  }

  async report(resource: ReportTarget, status: DeploymentStatus, details: ReportDetails = {}): Promise<void> {
    const target = resource as RecordableTarget;
    if (!target.dir || !target.kind) throw new Error(`cannot record ${status} for ${resource.arn}: the resource directory is unknown`);
    const recorded: RecordedStatus = status === "SUCCEEDED" && target.deleted ? "DELETED" : status;
    const hidden = new Set(details.sensitiveKeys ?? []);
    // Records are plain files in git: sensitive outputs never go there, whatever the setting.
    const outputs =
      status === "SUCCEEDED" && !target.deleted
        ? Object.fromEntries((details.outputs ?? []).filter((o) => !hidden.has(o.key)).map((o) => [o.key, o.valueString]))
        : undefined;
    const event: DeploymentEvent = {
      v: RECORD_FORMAT,
      resource: target.dir,
      kind: target.kind,
      arn: target.arn,
      deploymentId: target.deploymentId ?? "",
      templateVersion: templateVersionOf(target),
      commit: this.commit(),
      status: recorded,
      at: (this.options.now?.() ?? new Date()).toISOString(),
      run: this.options.run ?? process.env.GITHUB_RUN_ID,
      error: status === "FAILED" && details.statusMessage ? tailText(details.statusMessage, RECORDED_ERROR_TAIL) : undefined,
      outputs,
    };
    const log = this.options.log ?? (() => undefined);
    const res = await this.options.store.append([event]);
    log(`git: recorded ${recorded} for ${target.dir} on ${this.options.store.branch} (${res.commit.slice(0, 12)}${res.attempts > 1 ? `, after ${res.attempts} attempts` : ""})`);
    await this.mirror(target.dir, event.deploymentId, recorded, details.statusMessage ?? recorded);
  }

  private async mirror(dir: string, deploymentId: string, status: MirroredStatus, message: string): Promise<void> {
    const { mirror } = this.options;
    const commit = this.commit();
    const log = this.options.log ?? (() => undefined);
    if (!mirror || !commit) return;
    try {
      await mirror.mirror({ dir, commit, deploymentId }, status, message);
    } catch (err) {
      log(`git: could not mirror ${status} for ${dir} to GitHub (the record in git stands): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Reports to several reporters in turn; every one is tried, the first failure is rethrown. */
export class MultiReporter implements DeploymentReporter {
  readonly name: string;

  constructor(private readonly reporters: readonly DeploymentReporter[]) {
    this.name = reporters.map((r) => r.name).join("+");
  }

  async report(resource: ReportTarget, status: DeploymentStatus, details?: ReportDetails): Promise<void> {
    let first: unknown;
    for (const r of this.reporters) {
      try {
        await r.report(resource, status, details);
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}

/**
 * A reporter whose failures are logged, not thrown: with `reporting: proton` the git records
 * come on top of Proton, so a checkout that cannot push them (a token without `contents: write`)
 * keeps working as before.
 */
export class BestEffortReporter implements DeploymentReporter {
  readonly name: string;

  constructor(
    private readonly inner: DeploymentReporter,
    private readonly log: (line: string) => void,
  ) {
    this.name = `${inner.name} (best effort)`;
  }

  async report(resource: ReportTarget, status: DeploymentStatus, details?: ReportDetails): Promise<void> {
    try {
      await this.inner.report(resource, status, details);
    } catch (err) {
      this.log(`${this.inner.name}: could not record ${status} (Proton was told; the record in git is missing): ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
  }
}

/** Options of {@link gitReporterFromEnv}. */
export interface GitReporterEnvOptions {
  /** The repository checkout. */
  readonly repo: string;
  /** Environment. */
  readonly env: NodeJS.ProcessEnv;
  /** Log sink. */
  readonly log: (line: string) => void;
  /** Required: without the records remote, recording fails instead of being skipped. */
  readonly required: boolean;
  /** Retry policy of the GitHub calls. */
  readonly retry?: RetryOptions;
}

/**
 * The git reporter as the workflow runs it. Records go to the remote named by
 * `PROTONKIT_RECORDS_REMOTE` (default `origin`) on `PROTONKIT_RECORDS_BRANCH` (default
 * `protonkit/records`); without that remote they go to the local branch when `required`
 * (`reporting: git`), else nowhere (`reporting: proton`, e.g. a local run). GitHub mirroring
 * needs `GITHUB_TOKEN` and `GITHUB_REPOSITORY`; `PROTONKIT_STATUS_MIRROR=off` turns it off.
 */
export function gitReporterFromEnv(options: GitReporterEnvOptions): GitReporter | undefined {
  const { repo, env, log } = options;
  const remoteName = env.PROTONKIT_RECORDS_REMOTE || "origin";
  const hasRemote = tryGit(repo, ["remote", "get-url", remoteName]).code === 0;
  if (!hasRemote && !options.required) {
    log(`git: no remote "${remoteName}" in ${repo}: deployment records are not written (set PROTONKIT_RECORDS_REMOTE)`);
    return undefined;
  }
  const store = new RecordsStore({ repo, remote: hasRemote ? remoteName : undefined, branch: env.PROTONKIT_RECORDS_BRANCH || undefined, log });
  // Off where the token cannot write statuses and another job mirrors (the platform workflow's
  // apply jobs record into an outbox; its record jobs mirror).
  const mirror =
    env.GITHUB_TOKEN && env.GITHUB_REPOSITORY && env.PROTONKIT_STATUS_MIRROR !== "off"
      ? new GitHubStatusMirror({
          token: env.GITHUB_TOKEN,
          repository: env.GITHUB_REPOSITORY,
          apiUrl: env.GITHUB_API_URL,
          retry: options.retry,
          targetUrl: env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
        })
      : undefined;
  return new GitReporter({ store, repo, commit: env.GITHUB_SHA || undefined, run: env.GITHUB_RUN_ID || undefined, mirror, log });
}
