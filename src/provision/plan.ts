import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import type { TerraformSettings } from "../terraform/cli";
import { failureMessage } from "./apply";
import { PLAN_COMMENT_MARKER, mergeComment, parseSections, reviewable, type PlanSection } from "./comment";
import type { ProvisioningConfig } from "./config";
import { upsertStickyComment, type GitHubClient } from "./github";
import { checkPlannedOutputs } from "./outputs";
import { checkPlan, formatPlanPolicy, type PlanJson } from "./plan-policy";
import { POLICY_SUPPRESSIONS_PATH, loadSuppressions } from "./plan-policy-suppressions";
import { describePlan, summarizePlan } from "./plan-summary";
import { reviewRecord } from "./review-record";
import { backendConfigArgs, readResource, resolveIdentity, type ResourceIdentity } from "./resource";
import { logName } from "./log";
import { TerraformStepError, checkProviders, initStep, prepareWorkspace, step, type TerraformRunner, type Workspace } from "./terraform";

/** What `plan` needs besides the directories. */
export interface PlanContext {
  /** Repository checkout. */
  readonly repo: string;
  /** Loads the configuration; may throw (the error lands in the comment). */
  readonly loadConfig: () => ProvisioningConfig;
  /** Terraform runner. */
  readonly runner: TerraformRunner;
  /** Terraform settings. */
  readonly settings: TerraformSettings;
  /** Dry run: local backend in a scratch directory. */
  readonly dryRun: boolean;
  /** Head commit the plan is for (sections are keyed by it). */
  readonly headSha: string;
  /** Log sink. */
  readonly log: (line: string) => void;
  /** Sleep between `terraform init` retries; injectable for tests. */
  readonly initRetryWait?: (ms: number) => Promise<void>;
  /** Providers a plan may use. @default allowedProviders() */
  readonly allowedProviders?: ReadonlySet<string>;
  /**
   * Run the guardrail rules on every plan (suppressions from `.protonkit/policy.yaml`); a
   * violation fails the plan. @default true
   */
  readonly policy?: boolean;
  /** Plan with `-detailed-exitcode` and record its status (drift checks). @default false */
  readonly detailedExitcode?: boolean;
}

/** Result of {@link planResources}. */
export interface PlanOutcome {
  /** True when every plan succeeded. */
  readonly ok: boolean;
  /** One section per directory, in the order given. */
  readonly sections: PlanSection[];
}

function titleOf(r: ResourceIdentity): string {
  const name = r.kind === "service-instance" ? `${r.service}/${r.name}` : r.name;
  return `${r.kind} ${name}${r.environment ? ` (${r.environment})` : ""}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Plans one resource directory; never throws (a failure becomes an error section). */
export async function planResource(dir: string, ctx: PlanContext): Promise<PlanSection> {
  let title = "unreadable resource";
  let action: "apply" | "destroy" = "apply";
  let ws: Workspace | undefined;
  try {
    const identity = readResource(ctx.repo, dir);
    title = titleOf(identity);
    action = identity.action;
    const config = ctx.loadConfig();
    const resource = resolveIdentity(ctx.repo, identity, config);
    ctx.log(`protonkit: planning ${identity.action === "destroy" ? "destroy of " : ""}${logName(identity.dir)} (${logName(title)}); state ${ctx.dryRun ? "local (dry run)" : `s3://${resource.backend.bucket}/${resource.backend.key}`}`);
    ws = prepareWorkspace(resource, ctx.settings, ctx.dryRun);
    if (ctx.dryRun) {
      ctx.log(`protonkit: dry run: instead of terraform init ${backendConfigArgs(resource.backend).join(" ")}, a local backend in ${ws.scratch}`);
    }
    await initStep(ctx.runner, ws, identity.dir, ctx.log, ctx.initRetryWait);
    await checkProviders(ctx.runner, ws, identity.dir, ctx.allowedProviders);
    // Plans never lock: they write no state, are cancelled on every push, and a lock left by a
    // killed plan would block the next apply. The plan role cannot write a lock object at all.
    const planArgs = ["plan", "-input=false", "-no-color", "-json", "-lock=false", `-out=${ws.planFile}`];
    if (identity.action === "destroy") planArgs.push("-destroy");
    let exitCode: number | undefined;
    if (ctx.detailedExitcode) {
      // 0: no changes, 2: changes; anything else failed.
      const run = await ctx.runner.run([...planArgs, "-detailed-exitcode"], { cwd: ws.cwd, env: ws.env });
      if (run.code !== 0 && run.code !== 2) throw new TerraformStepError("plan", run, identity.dir);
      exitCode = run.code;
    } else {
      await step(ctx.runner, ws, "plan", planArgs, identity.dir);
    }
    const shown = await step(ctx.runner, ws, "show", ["show", "-json", "-no-color", ws.planFile], identity.dir);
    let plan: unknown;
    try {
      plan = JSON.parse(shown.stdout);
    } catch (err) {
      throw new Error(`terraform show -json printed something that is not JSON: ${message(err)}`);
    }
    const summary = summarizePlan(plan);
    // Proton refuses more than 50 outputs or a value over 1024 characters: say so now, not
    // after apply has written state.
    if (identity.action === "apply") checkPlannedOutputs(plan, { includeSensitive: config.report_sensitive_outputs });
    ctx.log(`protonkit: ${logName(identity.dir)}: ${describePlan(summary)}`);
    for (const c of summary.changes) ctx.log(`  ${c.kind.padEnd(7)} ${logName(c.address)}`);
    let section: PlanSection = { dir: identity.dir, sha: ctx.headSha, title, action, summary, ...(exitCode !== undefined ? { exitCode } : {}) };
    if (ctx.policy !== false) {
      // Whatever wrote the Terraform (a template, Proton, a person), the plan is what is checked.
      const suppressions = loadSuppressions(path.join(ctx.repo, POLICY_SUPPRESSIONS_PATH));
      const policy = checkPlan(plan as PlanJson, identity.dir, suppressions);
      for (const line of formatPlanPolicy(policy, identity.dir).trimEnd().split("\n")) ctx.log(`protonkit: ${line}`);
      section = { ...section, policy };
    }
    if (reviewable(section)) ctx.log(`protonkit: ${logName(identity.dir)}: review digest ${reviewRecord(identity.dir, action, summary).digest}`);
    return section;
  } catch (err) {
    const error = failureMessage(message(err));
    ctx.log(`protonkit: plan of ${logName(dir)} failed:\n${error}`);
    return { dir: dir.replace(/\/+$/, ""), sha: ctx.headSha, title, action, error };
  } finally {
    ws?.cleanup();
  }
}

/** Plans every directory in turn. */
export async function planResources(dirs: readonly string[], ctx: PlanContext): Promise<PlanOutcome> {
  const sections: PlanSection[] = [];
  for (const dir of dirs) sections.push(await planResource(dir, ctx));
  return { ok: sections.every((s) => s.error === undefined && (s.policy?.violations.length ?? 0) === 0), sections };
}

/** Where the plan comment goes. */
export interface PublishOptions {
  /** Client and pull request number; absent means print only. */
  readonly github?: {
    readonly client: GitHubClient;
    readonly pr: number;
    /** Login the sticky comment must be from. @default "github-actions[bot]" */
    readonly author?: string;
  };
  /** Also write the body to this file. */
  readonly commentFile?: string;
  /** `$GITHUB_STEP_SUMMARY`, to append the body to. */
  readonly stepSummary?: string;
  /** Head sha the sections belong to. */
  readonly sha: string;
  /** Log sink. */
  readonly log: (line: string) => void;
  /** Sleep between sticky-comment attempts; injectable. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Publishes the sections: sticky PR comment (or the log), comment file, step summary. Resolves to the body. */
export async function publishPlan(sections: readonly PlanSection[], options: PublishOptions): Promise<string> {
  let body = mergeComment(undefined, sections, options.sha);
  if (options.github) {
    const { client, pr } = options.github;
    const isCurrent = (b: string): boolean => {
      const have = parseSections(b);
      return sections.every((s) => have.get(s.dir)?.sha === options.sha);
    };
    let id: number;
    try {
      id = await upsertStickyComment(
        client,
        pr,
        PLAN_COMMENT_MARKER,
        (existing) => (body = mergeComment(existing, sections, options.sha)),
        isCurrent,
        { sleep: options.sleep, author: options.github.author },
      );
    } catch (err) {
      options.log(`protonkit: comment body that could not be posted:\n${body}`);
      throw new ProtonkitError(
        new Problem(`could not update the plan comment on pull request #${pr}: ${message(err)}`, {
          field: "GITHUB_TOKEN / GITHUB_API_URL",
          fix: "give the job `permissions: pull-requests: write` and pass GITHUB_TOKEN; pull requests from forks get no write token",
        }),
      );
    }
    options.log(`protonkit: plan comment ${id} on pull request #${pr} updated`);
  } else {
    options.log(`protonkit: no pull request to comment on (set GITHUB_TOKEN, GITHUB_REPOSITORY and --pr); comment body:\n${body}`);
  }
  if (options.commentFile) fs.writeFileSync(options.commentFile, body);
  if (options.stepSummary) fs.appendFileSync(options.stepSummary, `${mergeComment(undefined, sections, options.sha)}\n`);
  return body;
}

/** What `plan --section-file` hands to `provision comment`. */
export interface SectionFile {
  /** Head commit the sections were planned at. */
  readonly sha: string;
  /** The sections. */
  readonly sections: PlanSection[];
}

/** Writes the sections for the comment job. */
export function writeSectionFile(file: string, data: SectionFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(data)}\n`);
}

/**
 * Reads what the plan job wrote. A missing or unreadable file (the plan job failed before
 * planning, was cancelled or skipped) becomes an error section for `dir`, so the comment says so.
 */
export function readSectionFile(file: string, dir: string, sha: string): SectionFile {
  try {
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as SectionFile;
    if (typeof data.sha === "string" && Array.isArray(data.sections)) return data;
  } catch {
    // below
  }
  return {
    sha,
    sections: [{ dir: dir.replace(/\/+$/, ""), sha, title: "no plan", action: "apply", error: "the plan job produced no summary: it failed before planning, or was cancelled or skipped; see its log" }],
  };
}
