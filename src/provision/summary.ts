/**
 * The outcome of a provisioning run, decided in one always-run job that branch protection can
 * require (matrix jobs cannot be required checks, and a skipped job counts as success).
 */

/** One entry of the workflow's `needs` context. */
export interface NeedResult {
  /** `success`, `failure`, `cancelled` or `skipped`. */
  readonly result: string;
  /** The job's outputs. */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** The verdict of {@link decideSummary}. */
export interface SummaryVerdict {
  /** True when the check passes. */
  readonly ok: boolean;
  /** One line per reason, failures first. */
  readonly lines: readonly string[];
}

/**
 * Decides the required check from the jobs' results:
 * - detect must succeed (a configuration error, a rogue ARN, a lost directory fail it);
 * - on a pull request with changes, plan must have succeeded: failed, cancelled, or skipped
 *   (a fork's pull request gets no credentials) all fail; a failed plan includes a provider
 *   off the allow-list and outputs over Proton's limits;
 * - on a push with changes, apply must have succeeded;
 * - a drift check (schedule, workflow_dispatch) passes once detect succeeded: drift is reported
 *   as issues, not as this check.
 */
export function decideSummary(needs: Readonly<Record<string, NeedResult>>, event: string): SummaryVerdict {
  const bad: string[] = [];
  const good: string[] = [];
  const result = (job: string): string => needs[job]?.result ?? "missing";
  if (result("detect") !== "success") {
    bad.push(`detect ${result("detect")}: the change could not be read (configuration, metadata or a removed directory; see the detect job)`);
    return { ok: false, lines: bad };
  }
  const count = Number(needs.detect.outputs?.count ?? "0");
  if (count === 0) return { ok: true, lines: ["no resource changed"] };
  if (event === "pull_request") {
    const plan = result("plan");
    if (plan === "skipped") bad.push(`plan skipped for ${count} changed resource(s): pull requests from forks get no credentials; a maintainer must push the branch to this repository`);
    else if (plan !== "success") bad.push(`plan ${plan}: see the plan jobs and the pull request comment`);
    else good.push(`${count} resource(s) planned`);
    if (result("comment") !== "success" && plan === "success") bad.push(`comment ${result("comment")}: the plan summary was not posted`);
  } else if (event === "push") {
    const apply = result("apply");
    if (apply !== "success") bad.push(`apply ${apply}: see the apply jobs`);
    else good.push(`${count} resource(s) applied (or skipped as superseded)`);
  } else if (event === "schedule" || event === "workflow_dispatch") {
    // A drift check: its result is the drift issues and the drift jobs' own status.
    good.push(`drift check of ${count} resource(s): see the drift jobs and the issues labelled protonkit-drift`);
  } else {
    bad.push(`unexpected event ${event}`);
  }
  return { ok: bad.length === 0, lines: [...bad, ...good] };
}

/** Parses the `needs` context as the workflow passes it (`toJSON(needs)`). */
export function parseNeeds(text: string): Record<string, NeedResult> {
  const data: unknown = JSON.parse(text);
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error("the needs context is not a JSON object");
  return data as Record<string, NeedResult>;
}
