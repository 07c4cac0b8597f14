/**
 * Recorded state: outputs and deployment records, written by the automation on a branch of
 * their own (default `protonkit/records`), one append-only JSON Lines file per resource:
 * `records/<resource dir>.jsonl`. Nothing here lives in a resource directory, so `detect`
 * never mistakes a record for a change, and branch protection on main never rejects one.
 *
 * Writes never touch a checkout: each append builds a commit on top of the branch tip with a
 * private index and pushes it. When another job pushed first, the append is redone on the new
 * tip (a rebase of one appended line, which cannot conflict) and pushed again.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fail } from "../errors";
import type { DriftRecordFile } from "../provision/drift";

/** The branch records live on unless configured otherwise. */
export const RECORDS_BRANCH = "protonkit/records";

/** The folder on the records branch holding one file per resource. */
export const RECORDS_DIR = "records";

/**
 * The drift record file on the records branch: every resource's last drift check, as
 * `protonkit provision drift --records-branch` writes it (see `src/provision/drift.ts`).
 */
export const DRIFT_FILE = "drift.json";

/** Record format version written on every line. */
export const RECORD_FORMAT = 1;

/** A deployment's status as recorded. DELETED is a destroy that succeeded. */
export type RecordedStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "DELETED";

/** The kinds of resource a record is about (as `src/provision` names them). */
export type RecordedKind = "environment" | "service-instance" | "pipeline" | "component";

/** One line of a resource's record file: one status change of one deployment. */
export interface DeploymentEvent {
  /** Format version, {@link RECORD_FORMAT}. */
  readonly v: number;
  /** Resource directory in the provisioning repository, e.g. `prod/api-web`. */
  readonly resource: string;
  /** Resource kind. */
  readonly kind: RecordedKind;
  /** Resource ARN. */
  readonly arn: string;
  /** Deployment id from the resource's metadata (a UUID, or `<proton-resource-deleted>`). */
  readonly deploymentId: string;
  /** Template and version deployed, `<template>:<major>.<minor>`, when known. */
  readonly templateVersion?: string;
  /** Commit of the provisioning repository that was deployed. */
  readonly commit?: string;
  /** The status this event records. */
  readonly status: RecordedStatus;
  /** When this event happened (ISO 8601, UTC). */
  readonly at: string;
  /** The end of the error (FAILED). */
  readonly error?: string;
  /** Outputs, strings only (SUCCEEDED of an apply). */
  readonly outputs?: Readonly<Record<string, string>>;
  /** The workflow run that wrote the event (`GITHUB_RUN_ID`), when known. */
  readonly run?: string;
}

/** One deployment of one resource, folded from its events. */
export interface DeploymentRecord {
  /** Deployment id. */
  readonly deploymentId: string;
  /** Template and version deployed, when known. */
  readonly templateVersion?: string;
  /** Commit deployed, when known. */
  readonly commit?: string;
  /** Latest status. */
  readonly status: RecordedStatus;
  /** When the deployment started (its first event). */
  readonly startedAt: string;
  /** When it ended (its final event); absent while IN_PROGRESS. */
  readonly endedAt?: string;
  /** The end of the error, for FAILED. */
  readonly error?: string;
  /** Workflow run, when known. */
  readonly run?: string;
}

/** Everything recorded about one resource. */
export interface ResourceRecord {
  /** Resource directory. */
  readonly resource: string;
  /** Kind. */
  readonly kind: RecordedKind;
  /** ARN (from the latest event). */
  readonly arn: string;
  /** Deployments, oldest first. */
  readonly deployments: readonly DeploymentRecord[];
  /** Outputs of the latest successful apply; empty after a recorded destroy. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The recorded state at one commit of the records branch. */
export interface RecordedState {
  /** The commit read ("" when the branch does not exist yet: nothing recorded). */
  readonly commit: string;
  /** Records by resource directory, sorted by directory. */
  readonly resources: ReadonlyMap<string, ResourceRecord>;
  /**
   * The drift records at the same commit.
   * @default - no drift check recorded
   */
  readonly drift?: DriftRecordFile;
}

/** The latest deployment of a resource, if any was recorded. */
export function lastDeployment(record: ResourceRecord | undefined): DeploymentRecord | undefined {
  return record?.deployments[record.deployments.length - 1];
}

/** Path of a resource's record file on the records branch. */
export function recordPath(resource: string): string {
  if (!/^[0-9A-Za-z_\-]+(\/[0-9A-Za-z_\-]+)*$/.test(resource)) {
    fail(`"${resource}" is not a resource directory`, { field: "resource", fix: "pass a directory relative to the repository root, e.g. prod/api-web" });
  }
  return `${RECORDS_DIR}/${resource}.jsonl`;
}

/** Folds a resource's events (file order) into deployments and current outputs. */
export function foldEvents(events: readonly DeploymentEvent[]): ResourceRecord | undefined {
  if (events.length === 0) return undefined;
  const deployments: DeploymentRecord[] = [];
  let outputs: Readonly<Record<string, string>> = {};
  // An IN_PROGRESS opens a deployment; the next final event of the same id closes it.
  let open: DeploymentRecord | undefined;
  for (const e of events) {
    const base = { deploymentId: e.deploymentId, templateVersion: e.templateVersion, commit: e.commit, run: e.run };
    if (e.status === "IN_PROGRESS") {
      open = { ...base, status: "IN_PROGRESS", startedAt: e.at };
      deployments.push(open);
      continue;
    }
    const closed: DeploymentRecord = {
      ...base,
      status: e.status,
      startedAt: open && open.deploymentId === e.deploymentId ? open.startedAt : e.at,
      endedAt: e.at,
      ...(e.error !== undefined ? { error: e.error } : {}),
    };
    if (open && open.deploymentId === e.deploymentId) deployments[deployments.length - 1] = closed;
    else deployments.push(closed);
    open = undefined;
    if (e.status === "SUCCEEDED" && e.outputs) outputs = e.outputs;
    if (e.status === "DELETED") outputs = {};
  }
  const last = events[events.length - 1];
  return { resource: last.resource, kind: last.kind, arn: last.arn, deployments, outputs };
}

/** Parses a record file; a line that is not an event (a torn write, a hand edit) is reported. */
export function parseRecordFile(text: string, file: string): DeploymentEvent[] {
  const events: DeploymentEvent[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch (err) {
      fail(`line is not JSON: ${(err as Error).message}`, { file, line: i + 1, fix: "records are written by the automation only; restore the file from the branch history" });
    }
    const ev = e as Partial<DeploymentEvent>;
    if (typeof ev !== "object" || ev === null || typeof ev.resource !== "string" || typeof ev.status !== "string" || typeof ev.at !== "string" || typeof ev.deploymentId !== "string") {
      fail("line is not a deployment event (resource, status, at and deploymentId are required)", { file, line: i + 1, fix: "records are written by the automation only; restore the file from the branch history" });
    }
    events.push(ev as DeploymentEvent);
  });
  return events;
}

/** One JSON line with a fixed key order, so record files diff and read well. */
export function eventLine(e: DeploymentEvent): string {
  const ordered: Record<string, unknown> = {
    v: e.v,
    resource: e.resource,
    kind: e.kind,
    arn: e.arn,
    deploymentId: e.deploymentId,
    templateVersion: e.templateVersion,
    commit: e.commit,
    status: e.status,
    at: e.at,
    run: e.run,
    error: e.error,
    outputs: e.outputs ? Object.fromEntries(Object.keys(e.outputs).sort().map((k) => [k, (e.outputs as Record<string, string>)[k]])) : undefined,
  };
  return `${JSON.stringify(ordered)}\n`;
}

interface GitOut {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runGit(repo: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): GitOut {
  const res = spawnSync("git", ["-C", repo, ...args], {
    encoding: "utf8",
    input: opts.input,
    env: opts.env ?? process.env,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (res.error) return { code: 127, stdout: "", stderr: res.error.message };
  return { code: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

function mustGit(repo: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = runGit(repo, args, opts);
  if (r.code !== 0) fail(`git ${args.join(" ")} failed: ${r.stderr.trim() || `exit ${r.code}`}`, { file: repo, fix: "check the repository and its records remote" });
  return r.stdout;
}

/** The commit a ref names, or "" when it does not exist. */
export function resolveCommit(repo: string, ref: string): string {
  const r = runGit(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  return r.code === 0 ? r.stdout.trim() : "";
}

/**
 * Reads every record at `ref` (a branch, a remote-tracking ref or a commit). A ref that does
 * not exist reads as nothing recorded, with `commit: ""`.
 */
export function readRecords(repo: string, ref: string = RECORDS_BRANCH): RecordedState {
  const commit = resolveCommit(repo, ref);
  if (!commit) return { commit: "", resources: new Map() };
  const drift = readDriftAt(repo, commit);
  const withDrift = (state: RecordedState): RecordedState => (drift ? { ...state, drift } : state);
  const listing = mustGit(repo, ["ls-tree", "-r", "-z", commit, "--", `${RECORDS_DIR}/`]);
  const blobs: Array<{ file: string; oid: string }> = [];
  for (const entry of listing.split("\0")) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(entry);
    if (m && m[2].endsWith(".jsonl")) blobs.push({ oid: m[1], file: m[2] });
  }
  blobs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const resources = new Map<string, ResourceRecord>();
  if (blobs.length === 0) return withDrift({ commit, resources });
  // One cat-file process for every file; its output is "<oid> blob <size>\n<content>\n" each.
  const out = spawnSync("git", ["-C", repo, "cat-file", "--batch"], { input: blobs.map((b) => b.oid).join("\n") + "\n", maxBuffer: 512 * 1024 * 1024 });
  if (out.status !== 0) fail(`git cat-file --batch failed: ${out.stderr.toString().trim()}`, { file: repo });
  const buf = out.stdout;
  let pos = 0;
  for (const b of blobs) {
    const nl = buf.indexOf(10, pos);
    const size = Number(buf.subarray(pos, nl).toString("utf8").split(" ")[2]);
    const text = buf.subarray(nl + 1, nl + 1 + size).toString("utf8");
    pos = nl + 1 + size + 1;
    const record = foldEvents(parseRecordFile(text, `${commit.slice(0, 12)}:${b.file}`));
    if (record) resources.set(b.file.slice(RECORDS_DIR.length + 1, -".jsonl".length), record);
  }
  return withDrift({ commit, resources });
}

/** Parses the drift record file; anything else is reported with the file and the fix. */
export function parseDriftFile(text: string, file: string): DriftRecordFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(`is not JSON: ${(err as Error).message}`, { file, fix: "drift records are written by `protonkit provision drift`; restore the file from the branch history" });
  }
  const d = data as Partial<DriftRecordFile> | null;
  if (typeof d !== "object" || d === null || d.v !== 1 || typeof d.resources !== "object" || d.resources === null) {
    fail("is not a drift record file (v 1 with resources)", { file, fix: "drift records are written by `protonkit provision drift`; restore the file from the branch history" });
  }
  return d as DriftRecordFile;
}

/** The drift records at a records commit, if any were recorded. */
export function readDriftAt(repo: string, commit: string): DriftRecordFile | undefined {
  const r = runGit(repo, ["cat-file", "blob", `${commit}:${DRIFT_FILE}`]);
  return r.code === 0 ? parseDriftFile(r.stdout, `${commit.slice(0, 12)}:${DRIFT_FILE}`) : undefined;
}

/** Options of {@link RecordsStore}. */
export interface RecordsStoreOptions {
  /** A git repository to work in (any clone; its checkout is never touched). */
  readonly repo: string;
  /** Remote to fetch from and push to; undefined records into the local branch only. */
  readonly remote?: string;
  /** Branch name, default {@link RECORDS_BRANCH}. */
  readonly branch?: string;
  /** Push attempts before giving up (default 8). */
  readonly attempts?: number;
  /** Sleep between attempts; injectable. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source for jitter; injectable. */
  readonly random?: () => number;
  /** Log sink. */
  readonly log?: (line: string) => void;
  /** Runs between building a commit and pushing it (tests use it to push from elsewhere first). */
  readonly beforePush?: (attempt: number) => void;
}

/** Result of one append. */
export interface AppendResult {
  /** The records commit that holds the events. */
  readonly commit: string;
  /** Push attempts it took (1 when nobody pushed in between). */
  readonly attempts: number;
}

const IDENTITY: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: "protonkit",
  GIT_AUTHOR_EMAIL: "protonkit@users.noreply.github.com",
  GIT_COMMITTER_NAME: "protonkit",
  GIT_COMMITTER_EMAIL: "protonkit@users.noreply.github.com",
};

/** Appends deployment events to the records branch, pushing with rebase and retry. */
export class RecordsStore {
  readonly branch: string;

  constructor(private readonly options: RecordsStoreOptions) {
    this.branch = options.branch ?? RECORDS_BRANCH;
  }

  /** The ref the latest fetched records are at (remote-tracking ref, or the local branch). */
  get ref(): string {
    return this.options.remote ? `refs/remotes/${this.options.remote}/${this.branch}` : `refs/heads/${this.branch}`;
  }

  /** Fetches the branch (when there is a remote) and returns its commit, "" when absent. */
  fetch(): string {
    const { repo, remote } = this.options;
    for (let tries = 1; remote; tries++) {
      const r = runGit(repo, ["fetch", "--quiet", "--no-tags", remote, `+refs/heads/${this.branch}:${this.ref}`]);
      if (r.code === 0) break;
      // A branch that does not exist yet is not an error: the first append creates it.
      const ls = runGit(repo, ["ls-remote", "--heads", remote, this.branch]);
      if (ls.code === 0 && ls.stdout.trim() === "") {
        runGit(repo, ["update-ref", "-d", this.ref]);
        return "";
      }
      // It exists now: another writer created it between the fetch and ls-remote; fetch again.
      if (ls.code === 0 && tries < 3) continue;
      fail(`cannot fetch ${this.branch} from ${remote}: ${r.stderr.trim()}`, { file: repo, fix: "check the remote and the token's contents: write permission" });
    }
    return resolveCommit(repo, this.ref);
  }

  /** Reads the records as last fetched. */
  read(): RecordedState {
    return readRecords(this.options.repo, this.ref);
  }

  /**
   * Builds a commit on `parent` (or a root commit) where each file of `files` gets the
   * content its function returns from the file's content at `parent` ("" when absent).
   */
  private commitOn(parent: string, files: ReadonlyMap<string, (before: string) => string>, msg: string): string {
    const { repo } = this.options;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-records-"));
    try {
      const env = { ...process.env, ...IDENTITY, GIT_INDEX_FILE: path.join(dir, "index") };
      if (parent) mustGit(repo, ["read-tree", parent], { env });
      else mustGit(repo, ["read-tree", "--empty"], { env });
      for (const [file, next] of files) {
        const existing = parent ? runGit(repo, ["cat-file", "blob", `${parent}:${file}`]) : undefined;
        const before = existing && existing.code === 0 ? existing.stdout : "";
        const blob = mustGit(repo, ["hash-object", "-w", "--stdin"], { input: next(before), env }).trim();
        mustGit(repo, ["update-index", "--add", "--cacheinfo", `100644,${blob},${file}`], { env });
      }
      const tree = mustGit(repo, ["write-tree"], { env }).trim();
      return mustGit(repo, ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", msg], { env }).trim();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Appends events (one line each to their resources' files) in one commit, and pushes it. If
   * the push is rejected because the branch moved, the append is redone on the new tip.
   */
  async append(events: readonly DeploymentEvent[]): Promise<AppendResult> {
    const byFile = new Map<string, string>();
    for (const e of events) {
      const file = recordPath(e.resource);
      byFile.set(file, (byFile.get(file) ?? "") + eventLine(e));
    }
    const files = new Map([...byFile].map(([file, lines]) => [file, (before: string) => before + lines] as const));
    const msg = `protonkit records: ${[...new Set(events.map((e) => `${e.resource} ${e.status}`))].join(", ")}`;
    return this.commitAndPush(files, msg, `${events.length} event(s)`);
  }

  /**
   * Records the drift: `next` gets the drift records at the branch tip (undefined when none)
   * and returns the new ones, written to {@link DRIFT_FILE} in one commit, pushed like
   * {@link append} (redone on the new tip when the branch moved).
   */
  async recordDrift(next: (previous: DriftRecordFile | undefined) => DriftRecordFile): Promise<AppendResult> {
    const files = new Map([[DRIFT_FILE, (before: string) => `${JSON.stringify(next(before ? parseDriftFile(before, DRIFT_FILE) : undefined), null, 2)}\n`]]);
    return this.commitAndPush(files, "protonkit records: drift check", "the drift records");
  }

  private async commitAndPush(files: ReadonlyMap<string, (before: string) => string>, msg: string, what: string): Promise<AppendResult> {
    const { repo, remote } = this.options;
    const attempts = this.options.attempts ?? 8;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const random = this.options.random ?? Math.random;
    const log = this.options.log ?? (() => undefined);
    let lastError = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const parent = this.fetch();
      const commit = this.commitOn(parent, files, msg);
      this.options.beforePush?.(attempt);
      if (remote) {
        // --force-with-lease names the parent: the push only lands on the tip it was built on.
        const r = runGit(repo, ["push", "--quiet", "--porcelain", remote, `${commit}:refs/heads/${this.branch}`, `--force-with-lease=refs/heads/${this.branch}:${parent}`]);
        if (r.code === 0) {
          runGit(repo, ["update-ref", this.ref, commit]);
          return { commit, attempts: attempt };
        }
        lastError = (r.stderr + r.stdout).trim();
      } else {
        const r = runGit(repo, ["update-ref", `refs/heads/${this.branch}`, commit, parent || "0".repeat(40)]);
        if (r.code === 0) return { commit, attempts: attempt };
        lastError = r.stderr.trim();
      }
      const delay = Math.min(5000, 100 * 2 ** (attempt - 1)) + Math.floor(random() * 100 * attempt);
      log(`protonkit: records branch moved (attempt ${attempt}); rebasing the append and retrying in ${delay} ms`);
      await sleep(delay);
    }
    fail(`could not record ${what} on ${this.branch} after ${attempts} attempts: ${lastError.split("\n").slice(-3).join(" ")}`, {
      file: repo,
      fix: "re-run the job; the deployment itself is unaffected, only its record is missing",
    });
  }
}
