/**
 * Drift detection: from the results of `terraform plan -detailed-exitcode` per resource
 * directory (0 no drift, 2 drift, 1 error), keep ONE GitHub issue per drifted resource open
 * and up to date, close it when the drift is gone, and write a drift record per resource.
 *
 * Our issue is found by a hidden marker at the start of its body AND its author (the bot the
 * token writes as), so an issue someone else opened with a copied marker is never updated or
 * closed. An error (exit 1) leaves the issue as it is: an error says nothing about drift.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../errors";
import { ACTIONS_BOT_LOGIN } from "./github";
import type { PlanSection } from "./comment";
import { describePlan } from "./plan-summary";
import { GitHubRest, type GitHubRestOptions } from "./github-rest";

/** Label every drift issue carries (also narrows the listing). */
export const DRIFT_LABEL = "protonkit-drift";

/** Result of planning one resource directory with `-detailed-exitcode`. */
export interface DriftResult {
  /** Resource directory, relative to the provisioning repository. */
  readonly dir: string;
  /** Terraform's exit code: 0 no changes, 2 changes (drift), 1 error. */
  readonly exitCode: number;
  /**
   * The plan summary (e.g. from `describePlan`), shown in the issue.
   * @default - none
   */
  readonly summary?: string;
}

/** What happened to one resource. */
export interface DriftOutcome {
  readonly dir: string;
  readonly status: "drifted" | "in-sync" | "error";
  /** `opened`, `updated`, `unchanged`, `closed` or `none`. */
  readonly issueAction: "opened" | "updated" | "unchanged" | "closed" | "none";
  /** The issue number, when there is one. */
  readonly issue?: number;
}

/** One resource's drift record. */
export interface DriftRecord {
  readonly status: "drifted" | "in-sync" | "error";
  /** When this check ran (ISO 8601). */
  readonly checkedAt: string;
  /**
   * When drift was first seen, while it lasts.
   * @default - not drifted
   */
  readonly since?: string;
  /**
   * The open drift issue.
   * @default - none
   */
  readonly issue?: number;
}

/** The drift record file: every resource's last drift check. */
export interface DriftRecordFile {
  readonly v: 1;
  readonly resources: Readonly<Record<string, DriftRecord>>;
}

/** An issue as the REST API returns it (the fields used). */
export interface GitHubIssue {
  readonly number: number;
  readonly title?: string;
  readonly body?: string | null;
  readonly state?: string;
  readonly user?: { readonly login?: string } | null;
  readonly pull_request?: unknown;
}

/** The issue calls drift needs. */
export interface IssueApi {
  /** Open issues with {@link DRIFT_LABEL}. */
  listOpenDriftIssues(): Promise<GitHubIssue[]>;
  createIssue(title: string, body: string): Promise<GitHubIssue>;
  updateIssue(issue: number, fields: { body?: string; state?: "closed"; state_reason?: "completed" }): Promise<GitHubIssue>;
  comment(issue: number, body: string): Promise<void>;
}

/** {@link IssueApi} over fetch (GITHUB_TOKEN with issues: write). */
export class GitHubIssues implements IssueApi {
  private readonly rest: GitHubRest;

  constructor(private readonly options: GitHubRestOptions & { readonly repository: string }) {
    this.rest = new GitHubRest(options);
  }

  private request<T>(method: string, p: string, body?: unknown): Promise<T> {
    return this.rest.request<T>(method, `/repos/${this.options.repository}${p}`, body);
  }

  /** @inheritdoc */
  listOpenDriftIssues(): Promise<GitHubIssue[]> {
    return this.rest.pages<GitHubIssue>(`/repos/${this.options.repository}/issues?state=open&labels=${encodeURIComponent(DRIFT_LABEL)}`);
  }

  /** @inheritdoc */
  createIssue(title: string, body: string): Promise<GitHubIssue> {
    return this.request("POST", "/issues", { title, body, labels: [DRIFT_LABEL] });
  }

  /** @inheritdoc */
  updateIssue(issue: number, fields: { body?: string; state?: "closed"; state_reason?: "completed" }): Promise<GitHubIssue> {
    return this.request("PATCH", `/issues/${issue}`, fields);
  }

  /** @inheritdoc */
  async comment(issue: number, body: string): Promise<void> {
    await this.request("POST", `/issues/${issue}/comments`, { body });
  }
}

/** The hidden marker that starts our issue's body for `dir`. */
export function driftMarker(dir: string): string {
  return `<!-- protonkit:drift ${encodeURIComponent(dir)} -->`;
}

function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text.replace(/\s+$/, "")}\n${fence}`;
}

/** The issue body for a drifted resource (deterministic for the same summary). */
export function driftIssueBody(dir: string, summary: string | undefined): string {
  return [
    driftMarker(dir),
    `Terraform plans changes for \`${dir}\` although nothing was merged: what is deployed differs from the repository.`,
    "",
    summary ? fenced(summary) : "_No plan summary was given._",
    "",
    "Re-apply the resource to restore the repository's version, or change the repository to match. This issue closes itself when a drift check finds no changes.",
    "",
  ].join("\n");
}

/** Options of {@link reconcileDrift}. */
export interface DriftOptions {
  readonly api: IssueApi;
  /**
   * Login our issues are written by.
   * @default "github-actions[bot]"
   */
  readonly author?: string;
  /** Log sink. */
  readonly log?: (line: string) => void;
}

/** Open, update or close one issue per resource according to its plan result. */
export async function reconcileDrift(results: readonly DriftResult[], options: DriftOptions): Promise<DriftOutcome[]> {
  const author = options.author ?? ACTIONS_BOT_LOGIN;
  const log = options.log ?? (() => undefined);
  const open = (await options.api.listOpenDriftIssues()).filter((i) => i.pull_request === undefined && i.user?.login === author);
  const outcomes: DriftOutcome[] = [];
  for (const r of [...results].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))) {
    const marker = driftMarker(r.dir);
    const ours = open.filter((i) => (i.body ?? "").startsWith(marker)).sort((a, b) => a.number - b.number);
    const [issue, ...duplicates] = ours;
    // two runs racing can each open one: keep the oldest, close the rest
    for (const d of r.exitCode === 2 && issue ? duplicates : []) {
      await options.api.comment(d.number, `Duplicate of #${issue?.number}.`);
      await options.api.updateIssue(d.number, { state: "closed", state_reason: "completed" });
      log(`protonkit: drift in ${r.dir}: closed duplicate issue #${d.number}`);
    }
    if (r.exitCode === 2) {
      const body = driftIssueBody(r.dir, r.summary);
      if (!issue) {
        const created = await options.api.createIssue(`Drift: ${r.dir}`, body);
        log(`protonkit: drift in ${r.dir}: opened issue #${created.number}`);
        outcomes.push({ dir: r.dir, status: "drifted", issueAction: "opened", issue: created.number });
      } else if ((issue.body ?? "") !== body) {
        await options.api.updateIssue(issue.number, { body });
        log(`protonkit: drift in ${r.dir}: updated issue #${issue.number}`);
        outcomes.push({ dir: r.dir, status: "drifted", issueAction: "updated", issue: issue.number });
      } else {
        outcomes.push({ dir: r.dir, status: "drifted", issueAction: "unchanged", issue: issue.number });
      }
    } else if (r.exitCode === 0) {
      for (const i of ours) {
        await options.api.comment(i.number, "A drift check found no changes: the drift is gone.");
        await options.api.updateIssue(i.number, { state: "closed", state_reason: "completed" });
        log(`protonkit: no drift in ${r.dir}: closed issue #${i.number}`);
      }
      outcomes.push({ dir: r.dir, status: "in-sync", issueAction: issue ? "closed" : "none", ...(issue ? { issue: issue.number } : {}) });
    } else {
      log(`protonkit: drift check of ${r.dir} failed (exit ${r.exitCode}); its issue is left as it is`);
      outcomes.push({ dir: r.dir, status: "error", issueAction: "none", ...(issue ? { issue: issue.number } : {}) });
    }
  }
  return outcomes;
}

/** The next drift record file: this run's outcomes over the previous file. */
export function nextDriftRecords(previous: DriftRecordFile | undefined, outcomes: readonly DriftOutcome[], now: Date): DriftRecordFile {
  const resources: Record<string, DriftRecord> = { ...(previous?.resources ?? {}) };
  const at = now.toISOString();
  for (const o of outcomes) {
    const before = resources[o.dir];
    if (o.status === "error") {
      // an error says nothing about drift: keep what was known, note the failed check
      resources[o.dir] = { ...(before ?? {}), status: "error", checkedAt: at };
      continue;
    }
    const since = o.status === "drifted" ? (before?.status === "drifted" || before?.status === "error" ? (before.since ?? at) : at) : undefined;
    resources[o.dir] = {
      status: o.status,
      checkedAt: at,
      ...(since ? { since } : {}),
      ...(o.status === "drifted" && o.issue !== undefined ? { issue: o.issue } : {}),
    };
  }
  const sorted: Record<string, DriftRecord> = {};
  for (const k of Object.keys(resources).sort()) sorted[k] = resources[k] as DriftRecord;
  return { v: 1, resources: sorted };
}

/** Read a drift record file; a missing file is undefined. */
export function readDriftRecords(file: string): DriftRecordFile | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as DriftRecordFile;
    if (data.v !== 1 || typeof data.resources !== "object" || data.resources === null) throw new Error("not a drift record file (v 1)");
    return data;
  } catch (err) {
    fail(`cannot read the drift records: ${err instanceof Error ? err.message : String(err)}`, { file, fix: "delete the file to start over, or pass another --records file" });
  }
}

/** Write the drift record file atomically. */
export function writeDriftRecords(file: string, data: DriftRecordFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Parse `--results`: `[{ "dir": "...", "exitCode": 0|1|2, "summary": "..." }]`. */
export function parseDriftResults(text: string, file: string): DriftResult[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(`malformed JSON: ${err instanceof Error ? err.message : String(err)}`, { file, fix: "pass a JSON list of { dir, exitCode, summary }" });
  }
  if (!Array.isArray(data)) fail("expected a JSON list", { file, fix: "pass a JSON list of { dir, exitCode, summary }" });
  return data.map((item: unknown, i: number): DriftResult => {
    const o = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof o.dir !== "string" || o.dir === "") fail("dir must be a non-empty string", { file, field: `[${i}].dir` });
    if (o.exitCode !== 0 && o.exitCode !== 1 && o.exitCode !== 2) fail(`exitCode must be 0, 1 or 2, found ${JSON.stringify(o.exitCode)}`, { file, field: `[${i}].exitCode`, fix: "pass terraform plan -detailed-exitcode's exit status" });
    if (o.summary !== undefined && typeof o.summary !== "string") fail("summary must be a string", { file, field: `[${i}].summary` });
    return { dir: o.dir, exitCode: o.exitCode, ...(typeof o.summary === "string" ? { summary: o.summary } : {}) };
  });
}

/**
 * Drift results from the sections `provision plan --section-file` wrote: a failed plan is an
 * error (1), a plan with resource changes is drift (2), else none (0). Sections that destroy a
 * deleted directory are skipped: a pending destroy is not drift.
 */
export function driftResultsFromSections(sections: readonly PlanSection[]): DriftResult[] {
  return sections
    .filter((s) => s.action !== "destroy")
    .map((s): DriftResult => {
      if (s.error !== undefined || !s.summary) return { dir: s.dir, exitCode: 1, ...(s.error ? { summary: s.error } : {}) };
      const drifted = s.summary.changes.length > 0;
      const lines = [describePlan(s.summary), ...s.summary.changes.map((c) => `${c.kind} ${c.address}${c.attributes.length ? ` (${c.attributes.map((a) => a.name).join(", ")})` : ""}`)];
      return { dir: s.dir, exitCode: drifted ? 2 : 0, summary: lines.join("\n") };
    });
}
