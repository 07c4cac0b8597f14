/**
 * The records outbox. A job that holds AWS credentials (the apply) runs third-party code:
 * Terraform providers and modules. Such code can read anything the job's runner process holds,
 * the job's GITHUB_TOKEN included. So the apply job gets no write token: it records into an
 * outbox, a local bare repository seeded with the records branch tip, and a job without AWS
 * credentials forwards the new events to the real records branch (append, rebase and retry,
 * as every record write does).
 *
 * Outbox layout (a folder handed from job to job): `repo.git/` (bare, branch
 * `protonkit/records`) and `base` (the records commit it was seeded with, "" when the branch
 * did not exist yet).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../errors";
import { tryGit } from "../provision/git";
import type { GitHubStatusMirror } from "../provision/github-status";
import { RECORDS_BRANCH, RECORDS_DIR, parseRecordFile, type DeploymentEvent, type RecordsStore } from "./records-store";

/** The bare repository inside an outbox folder. */
export const OUTBOX_REPO = "repo.git";
/** The file naming the records commit the outbox was seeded with. */
export const OUTBOX_BASE = "base";

/** Options of {@link forwardRecords}. */
export interface ForwardOptions {
  /** A clone of the repository to work in (its checkout is never touched). */
  readonly repo: string;
  /** The outbox folder. */
  readonly outbox: string;
  /** Where the events go (the real records branch). */
  readonly store: RecordsStore;
  /** Mirrors each forwarded event to GitHub, when given (best effort). */
  readonly mirror?: GitHubStatusMirror;
  /** Log sink. */
  readonly log?: (line: string) => void;
  /**
   * The one resource directory the outbox may hold events about. An apply job runs third-party
   * code with credentials; this keeps it from forging another resource's record (an outcome
   * that unblocks a dependent, or outputs that flow into other renders).
   */
  readonly resource?: string;
}

/** What {@link forwardRecords} did. */
export interface ForwardResult {
  /** The events forwarded, in file order. */
  readonly events: readonly DeploymentEvent[];
  /** The records commit that holds them, when any were forwarded. */
  readonly commit?: string;
}

function must(repo: string, args: readonly string[]): string {
  const r = tryGit(repo, args);
  if (r.code !== 0) fail(`git ${args.join(" ")} failed: ${r.stderr.trim() || `exit ${r.code}`}`, { file: repo, fix: "check the outbox folder the apply job handed over" });
  return r.stdout;
}

function blobAt(repo: string, commit: string, file: string): string {
  if (commit === "") return "";
  const r = tryGit(repo, ["cat-file", "blob", `${commit}:${file}`]);
  return r.code === 0 ? r.stdout : "";
}

/**
 * The events appended in the outbox since it was seeded. A record file is append-only: an
 * outbox whose file no longer starts with the seeded content is refused.
 */
export function outboxEvents(repo: string, outbox: string): DeploymentEvent[] {
  const bare = path.join(outbox, OUTBOX_REPO);
  const baseFile = path.join(outbox, OUTBOX_BASE);
  if (!fs.existsSync(bare) || !fs.existsSync(baseFile)) fail("is not a records outbox", { file: outbox, fix: `hand over the folder the apply job seeded (${OUTBOX_REPO}/ and ${OUTBOX_BASE})` });
  const base = fs.readFileSync(baseFile, "utf8").trim();
  if (base !== "" && !/^[0-9a-f]{40}$/.test(base)) fail(`expected a commit SHA or nothing, found "${base}"`, { file: baseFile, fix: "hand over the folder the apply job seeded" });
  const has = tryGit(bare, ["rev-parse", "--verify", "--quiet", `refs/heads/${RECORDS_BRANCH}^{commit}`]);
  if (has.code !== 0) return [];
  const local = "refs/protonkit/outbox";
  must(repo, ["fetch", "--quiet", "--no-tags", path.resolve(bare), `+refs/heads/${RECORDS_BRANCH}:${local}`]);
  const tip = must(repo, ["rev-parse", local]).trim();
  if (tip === base) return [];
  const files = (base === "" ? must(repo, ["ls-tree", "-r", "--name-only", tip, "--", `${RECORDS_DIR}/`]) : must(repo, ["diff", "--name-only", base, tip, "--", `${RECORDS_DIR}/`]))
    .split("\n")
    .filter((f) => f.endsWith(".jsonl"))
    .sort();
  const events: DeploymentEvent[] = [];
  for (const file of files) {
    const before = blobAt(repo, base, file);
    const after = blobAt(repo, tip, file);
    if (!after.startsWith(before)) fail("was rewritten, not appended to, in the outbox", { file: `${outbox}: ${file}`, fix: "records are append-only; re-run the apply job" });
    events.push(...parseRecordFile(after.slice(before.length), file));
  }
  return events;
}

/** Forwards the outbox's new events to the records branch, then mirrors them to GitHub. */
export async function forwardRecords(options: ForwardOptions): Promise<ForwardResult> {
  const log = options.log ?? (() => undefined);
  const events = outboxEvents(options.repo, options.outbox);
  const foreign = options.resource === undefined ? [] : events.filter((e) => e.resource !== options.resource);
  if (foreign.length > 0) {
    fail(`holds events about other resources (${[...new Set(foreign.map((e) => e.resource))].sort().join(", ")}): nothing was forwarded`, {
      file: options.outbox,
      field: "--resource",
      fix: `an apply job records only its own resource (${options.resource ?? ""}); look for what else wrote to the outbox in that job`,
    });
  }
  if (events.length === 0) return { events };
  const res = await options.store.append(events);
  log(`forwarded ${events.length} event(s) to ${options.store.branch} (${res.commit.slice(0, 12)})`);
  if (options.mirror) {
    for (const e of events) {
      if (!e.commit) continue;
      try {
        await options.mirror.mirror({ dir: e.resource, commit: e.commit, deploymentId: e.deploymentId }, e.status, e.error ?? e.status);
      } catch (err) {
        log(`could not mirror ${e.status} for ${e.resource} to GitHub (the record in git stands): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return { events, commit: res.commit };
}
