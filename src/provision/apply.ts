import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TerraformSettings } from "../terraform/cli";
import type { ProvisioningConfig } from "./config";
import { logName } from "./log";
import { describeSkipped, encodeOutputs, type ProtonOutput, type TerraformOutput } from "./outputs";
import type { DeploymentReporter, DeploymentStatus, ReportDetails } from "./reporter";
import { backendConfigArgs, describeResource, readResource, resolveIdentity, type ResourceIdentity } from "./resource";
import { checkPlan, type PlanJson } from "./plan-policy";
import { POLICY_SUPPRESSIONS_PATH, loadSuppressions } from "./plan-policy-suppressions";
import { summarizePlan } from "./plan-summary";
import { checkArtifactRender, renderedInWorkTree, type ArtifactVerdict } from "../platform/artifact-apply";
import { decideArtifactReview, decideReview, type ReviewLookup } from "./review";
import { reviewRecord } from "./review-record";
import { tryGit } from "./git";
import { changeSummary, checkProviders, errorText, initStep, messages, prepareWorkspace, step, type TerraformRunner, type Workspace } from "./terraform";

/** Status messages keep this many characters from the end of an error (Proton's limit is 5000). */
export const ERROR_TAIL = 4000;

/** What `apply` and `report-failure` need besides the resource directory. */
export interface ApplyContext {
  /** Repository checkout. */
  readonly repo: string;
  /** Loads the configuration; may throw (the failure is then reported). */
  readonly loadConfig: () => ProvisioningConfig;
  /** Builds the reporter for the configured `reporting` (the CLI also honours --dry-run here). */
  readonly reporterFor: (reporting: ProvisioningConfig["reporting"]) => DeploymentReporter;
  /** Terraform runner. */
  readonly runner: TerraformRunner;
  /** Terraform settings (init flags). */
  readonly settings: TerraformSettings;
  /** Dry run: local backend, plan instead of apply. */
  readonly dryRun: boolean;
  /** Directory for "final status reported" markers. */
  readonly stateDir: string;
  /** Log sink (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** Sleep between `terraform init` retries; injectable for tests. */
  readonly initRetryWait?: (ms: number) => Promise<void>;
  /** The signal that cancelled the job, if one arrived (the CLI traps SIGINT/SIGTERM). */
  readonly cancelled?: () => string | undefined;
  /** Providers an apply may use. @default allowedProviders() */
  readonly allowedProviders?: ReadonlySet<string>;
  /**
   * Finds the reviewed plan of a resource. When given, apply re-plans, applies only a plan
   * whose actions equal the reviewed ones (that saved plan, nothing re-planned after), and
   * reports FAILED with the difference otherwise. @default no check (plan and apply at once)
   */
  readonly review?: (identity: ResourceIdentity) => Promise<ReviewLookup>;
}

/** What Terraform writes when it cannot persist state after changing resources. */
export const ERRORED_STATE = "errored.tfstate";

/**
 * After a failed apply, pushes the state Terraform could not persist (`errored.tfstate`, which
 * records resources already created) so they are not orphaned; the file is removed after.
 */
async function pushErroredState(runner: TerraformRunner, ws: Workspace, dir: string, log: (line: string) => void): Promise<void> {
  const file = path.join(ws.cwd, ERRORED_STATE);
  if (!fs.existsSync(file)) return;
  const run = await runner.run(["state", "push", ERRORED_STATE], { cwd: ws.cwd, env: ws.env });
  if (run.code === 0) {
    fs.rmSync(file, { force: true });
    log(`protonkit: Terraform could not save state; ${ERRORED_STATE} was pushed to the backend for ${logName(dir)}`);
  } else {
    log(`protonkit: ${ERRORED_STATE} could not be pushed (${errorText(run).split("\n")[0]}); it is kept in ${logName(dir)}: push it with terraform state push`);
  }
}

/** Result of {@link applyResource}. */
export interface ApplyResult {
  /** True when Terraform succeeded and every report was delivered. */
  readonly ok: boolean;
  /** The final status reported (or that would have been). */
  readonly status: DeploymentStatus;
  /** The outputs reported. */
  readonly outputs: readonly ProtonOutput[];
  /** The final status message. */
  readonly statusMessage: string;
}

/** The default marker directory: `$RUNNER_TEMP/protonkit`, else `<tmpdir>/protonkit`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.RUNNER_TEMP || os.tmpdir(), "protonkit");
}

function markerPath(stateDir: string, r: ResourceIdentity): string {
  const id = createHash("sha256").update(`${r.arn}\n${r.deploymentId ?? ""}\n${r.dir}`).digest("hex").slice(0, 32);
  return path.join(stateDir, `reported-${id}`);
}

/** What `apply` recorded about its final report, for `report-failure`. */
export interface FinalReportRecord {
  /** The final status apply decided on. */
  readonly status: DeploymentStatus;
  /** Whether it reached the reporter. */
  readonly delivered: boolean;
  /** Its status message. */
  readonly statusMessage: string;
  /** Its outputs. */
  readonly outputs: readonly ProtonOutput[];
}

/** The final report apply recorded for this deployment of this resource, if any. */
export function finalReportRecord(stateDir: string, r: ResourceIdentity): FinalReportRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(markerPath(stateDir, r), "utf8")) as FinalReportRecord;
  } catch {
    return undefined;
  }
}

function recordFinal(stateDir: string, r: ResourceIdentity, record: FinalReportRecord): void {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(markerPath(stateDir, r), JSON.stringify(record), { mode: 0o600 });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const GOROUTINE = /^goroutine \d+ \[/;
const REGISTER = /^\s*(r[a-z0-9]{1,3}|e[a-z]{2}|rip|rflags|eflags|cs|ds|es|fs|gs|ss|pc|lr|sp|fault)\s+0x[0-9a-f]+\s*$/i;
const FRAME = /^(\t|\s{4,}\S|created by |\.\.\.additional frames elided\.\.\.|[\w./*()\[\]{}-]+\(.*\)$)/;

/**
 * A Go crash (a provider's or Terraform's own) with its goroutine stacks and register dump
 * removed: those fill the end of the text, which is the part that is kept, and hide the
 * `panic:` line that says what happened. Other text is returned as it is.
 */
export function condenseCrash(text: string): string {
  if (!/^(panic: |fatal error: |SIGSEGV|SIGBUS|unexpected signal)/m.test(text) && !text.split("\n").some((l) => GOROUTINE.test(l))) return text;
  const out: string[] = [];
  let omitted = 0;
  let inStack = false;
  for (const line of text.split("\n")) {
    if (GOROUTINE.test(line) || REGISTER.test(line)) {
      inStack = true;
      omitted++;
      continue;
    }
    if (inStack && (line.trim() === "" || FRAME.test(line))) {
      if (line.trim() !== "") omitted++;
      continue;
    }
    if (inStack) {
      out.push(`[stack trace and registers omitted: ${omitted} lines]`, "");
      inStack = false;
      omitted = 0;
    }
    out.push(line);
  }
  if (inStack) out.push(`[stack trace and registers omitted: ${omitted} lines]`);
  return out.join("\n");
}

/** The end of a failure text, within {@link ERROR_TAIL} characters, a crash's stack left out. */
export function failureMessage(raw: string): string {
  const text = condenseCrash(raw);
  if (text.length <= ERROR_TAIL) return text;
  const head = text.split("\n")[0].slice(0, 200);
  const marker = `\n[... ${text.length - ERROR_TAIL} characters cut ...]\n`;
  return head + marker + text.slice(text.length - (ERROR_TAIL - head.length - marker.length));
}

/**
 * Plans at the checked-out commit (trusted code of the main branch) into a saved plan, checks
 * the guardrail rules and the review, and resolves to the plan file to apply: applying that
 * file applies exactly what was compared (a state change in between makes Terraform refuse it
 * as stale). Throws with the difference when the plan is not the reviewed one.
 */
async function reviewedPlan(
  ctx: ApplyContext,
  review: (identity: ResourceIdentity) => Promise<ReviewLookup>,
  identity: ResourceIdentity,
  ws: Workspace,
  config: ProvisioningConfig,
  artifact: ArtifactVerdict | undefined,
): Promise<string> {
  const destroy = identity.action === "destroy";
  await step(ctx.runner, ws, "plan", ["plan", "-input=false", "-no-color", "-json", "-lock-timeout=10m", `-out=${ws.planFile}`, ...(destroy ? ["-destroy"] : [])], identity.dir);
  const shown = await step(ctx.runner, ws, "show", ["show", "-json", "-no-color", ws.planFile], identity.dir);
  let plan: unknown;
  try {
    plan = JSON.parse(shown.stdout);
  } catch (err) {
    throw new Error(`terraform show -json printed something that is not JSON: ${message(err)}`);
  }
  // Merged code is checked again: a violation merged past a failed check is not applied.
  const policy = checkPlan(plan as PlanJson, identity.dir, loadSuppressions(path.join(ctx.repo, POLICY_SUPPRESSIONS_PATH)));
  if (policy.violations.length > 0) {
    throw new Error(`policy violation(s) in the plan: ${policy.violations.map((v) => `${v.ruleId} at ${v.address}: ${v.message} (fix: ${v.fix})`).join("; ")}`);
  }
  const record = reviewRecord(identity.dir, identity.action, summarizePlan(plan));
  const sha = tryGit(ctx.repo, ["rev-parse", "HEAD"]).stdout.trim();
  let lookup: ReviewLookup;
  try {
    lookup = await review(identity);
  } catch (err) {
    throw new Error(
      `could not find the reviewed plan of ${identity.dir} through the GitHub API: ${message(err)} (fix: give the apply job \`permissions: pull-requests: read\` and pass GITHUB_TOKEN and GITHUB_REPOSITORY; nothing was applied)`,
    );
  }
  const planned = { dir: identity.dir, actions: record.actions, digest: record.digest, sha };
  const verdict = artifact ? decideArtifactReview(lookup, artifact, planned, config.apply_direct_pushes) : decideReview(lookup, planned, config.apply_direct_pushes);
  if (!verdict.ok) throw new ReviewRefused(verdict.message);
  ctx.log(`protonkit: ${verdict.note}`);
  return ws.planFile;
}

/** The new plan is not the reviewed one: nothing was applied. */
export class ReviewRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReviewRefused";
  }
}

/**
 * Applies (or destroys) one resource and always reports the outcome: IN_PROGRESS first, then
 * SUCCEEDED with outputs or FAILED with the end of the error, whatever step failed.
 */
export async function applyResource(dir: string, ctx: ApplyContext): Promise<ApplyResult> {
  const { log } = ctx;
  const identity = readResource(ctx.repo, dir); // without metadata there is nothing to report to
  let config: ProvisioningConfig | undefined;
  let configError: unknown;
  try {
    config = ctx.loadConfig();
  } catch (err) {
    configError = err;
  }
  const reporter = ctx.reporterFor(config?.reporting ?? "proton");
  let reportsOk = true;
  const send = async (status: DeploymentStatus, details: ReportDetails): Promise<boolean> => {
    try {
      await reporter.report(identity, status, details);
      return true;
    } catch (err) {
      reportsOk = false;
      log(`protonkit: could not report ${status} to ${reporter.name}: ${message(err)}`);
      return false;
    }
  };

  log(`protonkit: ${identity.action === "destroy" ? "destroying" : "applying"} ${describeResource(identity)}${ctx.dryRun ? " (dry run)" : ""}`);
  await send("IN_PROGRESS", {
    statusMessage: `protonkit: ${identity.action === "destroy" ? "destroy" : "apply"} started for ${identity.dir}`,
  });

  let status: DeploymentStatus = "FAILED";
  let statusMessage: string;
  let outputs: ProtonOutput[] = [];
  let sensitiveKeys: string[] = [];
  let ws: Workspace | undefined;
  try {
    if (!config) throw configError;
    const resource = resolveIdentity(ctx.repo, identity, config);
    log(`protonkit: state s3://${resource.backend.bucket}/${resource.backend.key} (${resource.region}${resource.backend.dynamodb_table ? `, lock table ${resource.backend.dynamodb_table}` : ", S3 lock file"})`);
    const stopIfCancelled = (): void => {
      const sig = ctx.cancelled?.();
      if (sig) throw new Error(`cancelled (${sig}) before Terraform started`);
    };
    stopIfCancelled();
    // A directory the job rendered (an artifact record pushed to main) differs from the
    // commit: compared before the workspace writes its backend override into it.
    const artifact = ctx.review && renderedInWorkTree(ctx.repo, identity.dir) ? checkArtifactRender(ctx.repo, "HEAD", identity.dir, identity) : undefined;
    ws = prepareWorkspace(resource, ctx.settings, ctx.dryRun);
    if (ctx.dryRun) {
      log(`protonkit: dry run: instead of terraform init ${backendConfigArgs(resource.backend).join(" ")}, a local backend in ${ws.scratch}`);
    }
    await initStep(ctx.runner, ws, identity.dir, log, ctx.initRetryWait);
    await checkProviders(ctx.runner, ws, identity.dir, ctx.allowedProviders);
    stopIfCancelled();
    const destroy = identity.action === "destroy";
    if (ctx.dryRun) {
      const run = await step(ctx.runner, ws, "plan", ["plan", "-input=false", "-no-color", "-json", "-lock=false", ...(destroy ? ["-destroy"] : [])], identity.dir);
      log(`protonkit: dry run: ${changeSummary(run) ?? "planned"}; would run terraform apply${destroy ? " -destroy" : ""} -auto-approve and report its outputs`);
      status = "SUCCEEDED";
      statusMessage = `protonkit dry run: ${destroy ? "destroy" : "apply"} of ${identity.dir} not executed`;
    } else {
      const applyArgs = ctx.review
        ? ["apply", "-input=false", "-no-color", "-json", "-lock-timeout=10m", await reviewedPlan(ctx, ctx.review, identity, ws, config, artifact)]
        : ["apply", "-input=false", "-no-color", "-json", "-auto-approve", "-lock-timeout=10m", ...(destroy ? ["-destroy"] : [])];
      const run = await step(ctx.runner, ws, destroy ? "destroy" : "apply", applyArgs, identity.dir);
      for (const m of messages(run)) log(`  ${m}`);
      let note = "";
      if (!destroy) {
        const out = await step(ctx.runner, ws, "output", ["output", "-json", "-no-color"], identity.dir);
        let parsed: Record<string, TerraformOutput>;
        try {
          parsed = JSON.parse(out.stdout || "{}") as Record<string, TerraformOutput>;
        } catch (err) {
          throw new Error(`terraform output -json printed something that is not JSON: ${message(err)}`);
        }
        const encoded = encodeOutputs(parsed, { includeSensitive: config.report_sensitive_outputs });
        outputs = encoded.outputs;
        sensitiveKeys = Object.keys(parsed).filter((k) => parsed[k].sensitive === true);
        const skipped = describeSkipped(encoded.skipped);
        if (skipped) log(`protonkit: ${skipped}`);
        note = `; ${outputs.length} output${outputs.length === 1 ? "" : "s"}${skipped ? `; ${skipped}` : ""}`;
      }
      status = "SUCCEEDED";
      statusMessage = `protonkit: ${destroy ? "destroyed" : "applied"} ${identity.dir}: ${changeSummary(run) ?? "done"}${note}`;
    }
  } catch (err) {
    status = "FAILED";
    if (ws && !ctx.dryRun) await pushErroredState(ctx.runner, ws, identity.dir, log);
    const sig = ctx.cancelled?.();
    statusMessage = failureMessage(
      err instanceof ReviewRefused && !sig
        ? `protonkit: ${err.message}`
        : `protonkit: ${identity.action} of ${identity.dir} ${sig ? `was cancelled (${sig}); Terraform was interrupted` : "failed"}: ${message(err)}`,
    );
    log(statusMessage);
  } finally {
    ws?.cleanup();
  }
  const delivered = await send(status, { outputs, statusMessage, sensitiveKeys });
  // report-failure (run after a failed job) must not overwrite a delivered final status, and
  // re-sends an undelivered one as it was rather than turning it into FAILED.
  if (!ctx.dryRun) recordFinal(ctx.stateDir, identity, { status, delivered, statusMessage, outputs });
  return { ok: status === "SUCCEEDED" && reportsOk, status, outputs, statusMessage };
}

/** Options of {@link reportFailure}. */
export interface ReportFailureOptions {
  /** Report even when `apply` already reported a final status. */
  readonly force?: boolean;
}

/**
 * Reports FAILED for a resource whose job was cancelled or crashed before `apply` could
 * report. When `apply` delivered its final status, does nothing (resolves false); when apply
 * decided on one but could not deliver it, sends that status again instead of FAILED.
 */
export async function reportFailure(
  dir: string,
  text: string,
  ctx: Pick<ApplyContext, "repo" | "loadConfig" | "reporterFor" | "stateDir" | "log" | "dryRun">,
  options: ReportFailureOptions = {},
): Promise<boolean> {
  const identity = readResource(ctx.repo, dir);
  const record = finalReportRecord(ctx.stateDir, identity);
  if (!options.force && record?.delivered) {
    ctx.log(`protonkit: a final status (${record.status}) was already reported for ${logName(identity.dir)}; not overwriting it (use --force)`);
    return false;
  }
  let reporting: ProvisioningConfig["reporting"] = "proton";
  try {
    reporting = ctx.loadConfig().reporting;
  } catch (err) {
    ctx.log(`protonkit: configuration unreadable (${message(err).split("\n")[0]}); reporting to Proton`);
  }
  const reporter = ctx.reporterFor(reporting);
  if (!options.force && record) {
    ctx.log(`protonkit: apply could not deliver its final status (${record.status}); sending it again`);
    await reporter.report(identity, record.status, { statusMessage: record.statusMessage, outputs: record.outputs });
    recordFinal(ctx.stateDir, identity, { ...record, delivered: true });
    return true;
  }
  const statusMessage = failureMessage(text.trim() === "" ? "protonkit: the deployment job failed or was cancelled" : text);
  await reporter.report(identity, "FAILED", { statusMessage });
  if (!ctx.dryRun) recordFinal(ctx.stateDir, identity, { status: "FAILED", delivered: true, statusMessage, outputs: [] });
  return true;
}
