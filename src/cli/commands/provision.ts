import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { fail } from "../../errors";
import { terraformSettings, type TerraformFlags } from "../../terraform/cli";
import { applyResource, defaultStateDir, reportFailure, type ApplyContext } from "../../provision/apply";
import { PLATFORM_CONFIG_PATH, loadProvisioningConfig, loadRepositoryConfig, type ProvisioningConfig } from "../../provision/config";
import { detectChanges, loadConfigAt, writeGithubOutput } from "../../provision/detect";
import { tryGit } from "../../provision/git";
import { logName, neutralizeCommands } from "../../provision/log";
import { GitHubClient } from "../../provision/github";
import { reviewable, type PlanSection } from "../../provision/comment";
import { findReview } from "../../provision/review";
import { GitHubIssues, driftResultsFromSections, type DriftOutcome, nextDriftRecords, parseDriftResults, readDriftRecords, reconcileDrift, writeDriftRecords } from "../../provision/drift";
import { RecordsStore } from "../../platform/records-store";
import { checkPlan, formatPlanPolicy, type PlanJson } from "../../provision/plan-policy";
import { POLICY_SUPPRESSIONS_PATH, loadSuppressions } from "../../provision/plan-policy-suppressions";
import { planResources, publishPlan, readSectionFile, writeSectionFile } from "../../provision/plan";
import { decideSummary, parseNeeds } from "../../provision/summary";
import { createReporter } from "../../provision/reporter";
import { normalizeDir, resolveResource } from "../../provision/resource";
import { supersededBy } from "../../provision/stale";
import { cliRunner, interruptTerraform } from "../../provision/terraform";
import type { CommandModule } from "./index";

/** Flags every `provision` subcommand takes. */
interface CommonFlags {
  repo: string;
  config?: string | false;
  dryRun?: boolean;
}

interface DetectFlags extends CommonFlags {
  base: string;
  head: string;
}

interface DirFlags extends CommonFlags, TerraformFlags {
  dir: string;
  stateDir?: string;
}

interface PlanFlags extends CommonFlags, TerraformFlags {
  dir: string[];
  policy: boolean;
  detailedExitcode?: boolean;
  pr?: string;
  comment: boolean;
  commentFile?: string;
  commentAuthor?: string;
  sectionFile?: string;
  headSha?: string;
}

interface ReportFailureFlags extends CommonFlags {
  dir: string;
  message: string;
  force?: boolean;
  stateDir?: string;
}

// Every line goes through the guard: nothing read from the repository or printed by Terraform
// can become a workflow command.
const log = (line: string): void => void process.stderr.write(`${neutralizeCommands(line)}\n`);

function configLoader(flags: CommonFlags): () => ProvisioningConfig {
  const repo = path.resolve(flags.repo);
  if (typeof flags.config === "string") return () => loadProvisioningConfig(path.resolve(flags.config as string));
  return () => loadRepositoryConfig(repo);
}

function common(cmd: Command): Command {
  return cmd
    .option("--repo <dir>", "the provisioning repository checkout", ".")
    .option("--config <file>", `configuration file (default <repo>/${PLATFORM_CONFIG_PATH}, else the older <repo>/.protonkit/provisioning.yaml)`)
    .option("--dry-run", "no cloud calls: local backend instead of S3, print instead of notifying Proton or commenting, never apply");
}

function terraformFlags(cmd: Command): Command {
  return cmd
    .option("--terraform <bin>", "Terraform binary (PROTONKIT_TERRAFORM, else terraform on PATH)")
    .option("--plugin-dir <dir>", "provider filesystem mirror for terraform init -plugin-dir (PROTONKIT_PLUGIN_DIR)")
    .option("--cli-config <file>", "Terraform CLI config file (TF_CLI_CONFIG_FILE)");
}

function readEvent(): Record<string, unknown> | undefined {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file || !fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function prFrom(flag: string | undefined, event: Record<string, unknown> | undefined): number | undefined {
  if (flag !== undefined) {
    if (!/^[1-9][0-9]*$/.test(flag)) fail(`expected a pull request number, found "${flag}"`, { field: "--pr" });
    return Number(flag);
  }
  const pr = (event?.pull_request as { number?: unknown } | undefined)?.number;
  return typeof pr === "number" ? pr : undefined;
}

function headShaFrom(flag: string | undefined, event: Record<string, unknown> | undefined, repo: string): string {
  if (flag) return flag;
  const sha = ((event?.pull_request as { head?: { sha?: unknown } } | undefined)?.head ?? {}).sha;
  if (typeof sha === "string") return sha;
  const res = tryGit(repo, ["rev-parse", "HEAD"]);
  return res.code === 0 ? res.stdout.trim() : "unknown";
}

function applyContext(flags: DirFlags | ReportFailureFlags, withTerraform: boolean): ApplyContext {
  const dryRun = flags.dryRun === true;
  const settings = withTerraform ? terraformSettings(flags as TerraformFlags) : { binary: "terraform" };
  return {
    repo: path.resolve(flags.repo),
    loadConfig: configLoader(flags),
    reporterFor: (reporting) => createReporter({ reporting, dryRun, log, repo: path.resolve(flags.repo) }),
    runner: cliRunner(settings),
    settings,
    dryRun,
    stateDir: flags.stateDir ? path.resolve(flags.stateDir) : defaultStateDir(),
    log,
  };
}

/**
 * A push whose run GitHub cancelled while it was pending (one pending run per concurrency
 * group) would never be applied if the next run diffed from its own `before`: on a push, the
 * diff starts at the last successful run's head instead, when that is an ancestor.
 */
export async function baseSinceLastSuccess(repo: string, base: string, head: string, workflowFile: string): Promise<string> {
  const token = process.env.GITHUB_TOKEN;
  const repository = process.env.GITHUB_REPOSITORY;
  const branch = process.env.GITHUB_REF_NAME;
  if (process.env.GITHUB_EVENT_NAME !== "push" || !token || !repository || !branch) return base;
  try {
    const client = new GitHubClient({ token, repository, apiUrl: process.env.GITHUB_API_URL || undefined });
    const sha = await client.lastSuccessfulRunSha(workflowFile, branch);
    if (!sha) {
      log(`protonkit: no successful run of ${logName(workflowFile)} on ${logName(branch)} yet; diffing from ${base.slice(0, 12)}`);
      return base;
    }
    if (tryGit(repo, ["merge-base", "--is-ancestor", sha, head]).code !== 0) {
      log(`protonkit: the last successful run's commit ${sha.slice(0, 12)} is not an ancestor of ${head.slice(0, 12)}; diffing from ${base.slice(0, 12)}`);
      return base;
    }
    if (sha !== base) log(`protonkit: diffing from ${sha.slice(0, 12)}, the last successful run on ${logName(branch)} (the push's own base is ${base.slice(0, 12)})`);
    return sha;
  } catch (err) {
    log(`protonkit: warning: could not look up the last successful run (${err instanceof Error ? err.message : String(err)}); diffing from ${base.slice(0, 12)}`);
    return base;
  }
}

/** The review lookup of `apply --check-reviewed`: the GitHub API, never the pull request's files. */
function reviewLookup(ctx: ApplyContext, author: string | undefined): NonNullable<ApplyContext["review"]> {
  const token = process.env.GITHUB_TOKEN;
  const repository = process.env.GITHUB_REPOSITORY;
  if (!token || !repository) {
    fail("GITHUB_TOKEN and GITHUB_REPOSITORY must be set to find the reviewed plan", {
      field: "--check-reviewed",
      fix: "pass GITHUB_TOKEN (with pull-requests: read) to the apply step, or leave out --check-reviewed outside a workflow",
    });
  }
  const client = new GitHubClient({ token, repository, apiUrl: process.env.GITHUB_API_URL || undefined });
  return (identity) =>
    findReview(client, {
      repo: ctx.repo,
      dir: identity.dir,
      resourceAction: identity.action,
      // The pushed branch is the main branch (the workflow applies only there).
      mainBranch: process.env.GITHUB_REF_NAME || ctx.loadConfig().main_branch,
      author: author || process.env.PROTONKIT_COMMENT_AUTHOR || undefined,
    });
}

function sectionsOf(text: string, file: string): PlanSection[] {
  try {
    const data = JSON.parse(text) as { sections?: unknown };
    if (Array.isArray(data.sections)) return data.sections as PlanSection[];
  } catch {
    // below
  }
  fail("not a section file", { file, fix: "pass the file `protonkit provision plan --section-file` wrote" });
}

/** `protonkit provision`: the provisioning runtime the generated workflow runs (see src/provision/README.md). */
export const provisionCommand: CommandModule = (program: Command) => {
  const provision = program
    .command("provision")
    .description("Run the self-managed provisioning loop in a provisioning repository: detect changed resources, plan, apply or destroy, report to Proton.");

  common(
    provision
      .command("detect")
      .description("Print the GitHub job matrix of resources changed between two commits (also matrix= and count= to $GITHUB_OUTPUT).")
      .requiredOption("--base <sha>", "base commit (40 zeros: every resource at head)")
      .requiredOption("--head <sha>", "head commit"),
  )
    .option("--no-config", "do not resolve roles and region from the configuration")
    .option("--since-last-success <workflow-file>", "on a push, diff from the head of this workflow's last successful run on the branch when it is an ancestor (GITHUB_TOKEN with actions: read)")
    .action(async (flags: DetectFlags & { sinceLastSuccess?: string }) => {
      const repo = path.resolve(flags.repo);
      const config =
        flags.config === false ? undefined : loadConfigAt(repo, flags.head, typeof flags.config === "string" ? path.resolve(flags.config) : undefined);
      let base = flags.base;
      if (flags.sinceLastSuccess) base = await baseSinceLastSuccess(repo, base, flags.head, flags.sinceLastSuccess);
      const matrix = detectChanges({ repo, base, head: flags.head, config, warn: (w) => log(`protonkit: warning: ${w}`) });
      const json = JSON.stringify(matrix);
      process.stdout.write(`${json}\n`);
      writeGithubOutput(process.env.GITHUB_OUTPUT, { matrix: json, count: String(matrix.include.length) });
      log(`protonkit: ${matrix.include.length} changed resource${matrix.include.length === 1 ? "" : "s"}${matrix.include.map((e) => `\n  ${e.action.padEnd(7)} ${e.kind.padEnd(16)} ${logName(e.dir)}`).join("")}`);
    });

  common(
    provision
      .command("resolve")
      .description("Print what protonkit derives for one resource directory: kind, names, environment, configuration entry, backend, region.")
      .requiredOption("--dir <dir>", "resource directory, relative to --repo"),
  )
    .option("--github-output", "also append kind, environment, action, region, roles and backend to $GITHUB_OUTPUT")
    .action((flags: DirFlags & { githubOutput?: boolean }) => {
      const r = resolveResource(path.resolve(flags.repo), flags.dir, configLoader(flags)());
      const { metadata: _m, absDir: _a, ...shown } = r;
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      if (flags.githubOutput) {
        writeGithubOutput(process.env.GITHUB_OUTPUT, {
          kind: r.kind,
          environment: r.environment,
          action: r.action,
          region: r.region,
          plan_role_arn: r.config.plan_role_arn,
          apply_role_arn: r.config.apply_role_arn,
          backend_bucket: r.backend.bucket,
          backend_key: r.backend.key,
        });
      }
    });

  terraformFlags(
    common(
      provision
        .command("plan")
        .description("Plan resource directories and update the sticky pull-request comment (<!-- protonkit:plan -->). Exit 1 when a plan fails.")
        .requiredOption("--dir <dir...>", "resource directories, relative to --repo (repeatable)"),
    ),
  )
    .option("--pr <number>", "pull request to comment on (default: from $GITHUB_EVENT_PATH)")
    .option("--no-comment", "do not post to the pull request")
    .option("--comment-file <file>", "also write the comment body to this file")
    .option("--section-file <file>", "also write the sections as JSON, for `provision comment` in a job without AWS credentials")
    .option("--comment-author <login>", "login the sticky comment is ours from (PROTONKIT_COMMENT_AUTHOR, default github-actions[bot])")
    .option("--head-sha <sha>", "commit the plan is for (default: the event's pull_request.head.sha, else HEAD)")
    .option("--no-policy", "do not run the guardrail rules on the plans (drift checks)")
    .option("--detailed-exitcode", "plan with -detailed-exitcode and record its status in the sections (drift checks)")
    .action(async (flags: PlanFlags) => {
      const repo = path.resolve(flags.repo);
      const event = readEvent();
      const dryRun = flags.dryRun === true;
      const settings = terraformSettings(flags);
      const sha = headShaFrom(flags.headSha, event, repo);
      // A cancelled plan stops Terraform (it holds no lock: plans run with -lock=false) and
      // still publishes what it has.
      const onSignal = (sig: NodeJS.Signals): void => {
        const n = interruptTerraform();
        log(`protonkit: ${sig} received; interrupted ${n} Terraform process(es)`);
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const outcome = await planResources(flags.dir, {
        repo,
        loadConfig: configLoader(flags),
        runner: cliRunner(settings),
        settings,
        dryRun,
        headSha: sha,
        log,
        policy: flags.policy,
        detailedExitcode: flags.detailedExitcode === true,
      });
      const pr = prFrom(flags.pr, event);
      const token = process.env.GITHUB_TOKEN;
      const repository = process.env.GITHUB_REPOSITORY;
      const github =
        !dryRun && flags.comment && pr !== undefined && token && repository
          ? {
              client: new GitHubClient({ token, repository, apiUrl: process.env.GITHUB_API_URL || undefined }),
              pr,
              author: flags.commentAuthor || process.env.PROTONKIT_COMMENT_AUTHOR || undefined,
            }
          : undefined;
      await publishPlan(outcome.sections, { github, commentFile: flags.commentFile, stepSummary: process.env.GITHUB_STEP_SUMMARY, sha, log });
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (flags.sectionFile) writeSectionFile(flags.sectionFile, { sha, sections: outcome.sections });
      if (!outcome.ok) {
        log(`protonkit: ${outcome.sections.filter((s) => !reviewable(s)).length} plan(s) failed or violate the policy`);
        process.exitCode = 1;
      }
    });

  common(
    provision
      .command("comment")
      .description("Publish the sections a plan wrote with --section-file to the sticky pull-request comment (a job without AWS credentials runs this).")
      .requiredOption("--dir <dir>", "the resource directory the plan job planned")
      .requiredOption("--section-file <file>", "the plan job's --section-file"),
  )
    .option("--pr <number>", "pull request to comment on (default: from $GITHUB_EVENT_PATH)")
    .option("--head-sha <sha>", "commit the plan is for (default: the event's pull_request.head.sha, else HEAD)")
    .option("--comment-author <login>", "login the sticky comment is ours from (PROTONKIT_COMMENT_AUTHOR, default github-actions[bot])")
    .action(async (flags: CommonFlags & { dir: string; sectionFile: string; pr?: string; headSha?: string; commentAuthor?: string }) => {
      const repo = path.resolve(flags.repo);
      const event = readEvent();
      const sha = headShaFrom(flags.headSha, event, repo);
      const file = readSectionFile(flags.sectionFile, flags.dir, sha);
      const pr = prFrom(flags.pr, event);
      const token = process.env.GITHUB_TOKEN;
      const repository = process.env.GITHUB_REPOSITORY;
      const github =
        flags.dryRun !== true && pr !== undefined && token && repository
          ? {
              client: new GitHubClient({ token, repository, apiUrl: process.env.GITHUB_API_URL || undefined }),
              pr,
              author: flags.commentAuthor || process.env.PROTONKIT_COMMENT_AUTHOR || undefined,
            }
          : undefined;
      await publishPlan(file.sections, { github, stepSummary: process.env.GITHUB_STEP_SUMMARY, sha: file.sha, log });
      if (file.sections.some((s) => !reviewable(s))) process.exitCode = 1;
    });

  provision
    .command("summary")
    .description("Decide the one required check of a run from the jobs' results (toJSON(needs)): fails on a failed, missing or skipped plan, a configuration error or a failed apply.")
    .requiredOption("--needs-env <name>", "environment variable holding toJSON(needs)")
    .requiredOption("--event <name>", "the event: pull_request or push")
    .action((flags: { needsEnv: string; event: string }) => {
      const text = process.env[flags.needsEnv];
      if (!text) fail(`$${flags.needsEnv} is empty`, { field: "--needs-env", fix: "pass the name of a variable set to ${{ toJSON(needs) }}" });
      const verdict = decideSummary(parseNeeds(text), flags.event);
      for (const line of verdict.lines) log(`protonkit: ${line}`);
      if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## protonkit ${verdict.ok ? "passed" : "failed"}\n\n${verdict.lines.map((l) => `- ${l}`).join("\n")}\n`);
      if (!verdict.ok) process.exitCode = 1;
    });

  terraformFlags(
    common(
      provision
        .command("apply")
        .description("Report IN_PROGRESS, apply (or destroy a deleted resource), then always report SUCCEEDED with outputs or FAILED with the error. Exit 1 on any failure.")
        .requiredOption("--dir <dir>", "resource directory, relative to --repo"),
    ),
  )
    .option("--state-dir <dir>", "where to mark that a final status was reported (default $RUNNER_TEMP/protonkit)")
    .option("--newest-of <ref>", "skip (exit 0, recorded) when a newer commit of <ref> changed the directory: applies follow commit order")
    .option(
      "--check-reviewed",
      "re-plan, and apply that saved plan only when its actions equal the plan reviewed in the merged pull request (the bot's sticky comment, read with GITHUB_TOKEN: pull-requests: read); else report FAILED with the difference",
    )
    .option("--comment-author <login>", "login the plan comment is trusted from (PROTONKIT_COMMENT_AUTHOR, default github-actions[bot])")
    .action(async (flags: DirFlags & { newestOf?: string; checkReviewed?: boolean; commentAuthor?: string }) => {
      if (flags.newestOf) {
        const repo = path.resolve(flags.repo);
        const dir = normalizeDir(repo, flags.dir);
        const newer = supersededBy(repo, "HEAD", flags.newestOf, dir);
        if (newer) {
          const note = `protonkit: apply of ${logName(dir)} at ${newer.head.slice(0, 12)} skipped: ${newer.newer.slice(0, 12)} on ${logName(flags.newestOf)} changed it again, and its run applies it (applies follow commit order)`;
          log(note);
          if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${note}\n`);
          writeGithubOutput(process.env.GITHUB_OUTPUT, { skipped: "true", superseded_by: newer.newer });
          return;
        }
      }
      // A cancelled job gets SIGINT then SIGTERM: interrupt Terraform (graceful, then hard),
      // let it stop, and still report FAILED.
      let cancelled: string | undefined;
      const onSignal = (sig: NodeJS.Signals): void => {
        cancelled ??= sig;
        const n = interruptTerraform();
        log(`protonkit: ${sig} received; interrupted ${n} Terraform process(es); FAILED will be reported`);
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      let result;
      try {
        const ctx = applyContext(flags, true);
        result = await applyResource(flags.dir, { ...ctx, cancelled: () => cancelled, ...(flags.checkReviewed ? { review: reviewLookup(ctx, flags.commentAuthor) } : {}) });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      log(`protonkit: ${result.status}${result.ok ? "" : " (job fails)"}`);
      if (!result.ok) process.exitCode = 1;
    });

  provision
    .command("policy")
    .description("Run the guardrail rules on `terraform show -json <planfile>` of one resource directory; exit 1 on an unsuppressed violation.")
    .requiredOption("--plan-json <file>", "output of terraform show -json <planfile>")
    .requiredOption("--dir <dir>", "the resource directory the plan is of (matched against suppression directory globs)")
    .option("--repo <dir>", "the provisioning repository checkout", ".")
    .option("--suppressions <file>", `suppressions file (default <repo>/${POLICY_SUPPRESSIONS_PATH}, optional there)`)
    .action((flags: { planJson: string; dir: string; repo: string; suppressions?: string }) => {
      let plan: PlanJson;
      try {
        plan = JSON.parse(fs.readFileSync(flags.planJson, "utf8")) as PlanJson;
      } catch (err) {
        fail(`cannot read the plan JSON: ${err instanceof Error ? err.message : String(err)}`, { file: flags.planJson, fix: "pass the output of terraform show -json <planfile>" });
      }
      const suppressions = flags.suppressions
        ? loadSuppressions(path.resolve(flags.suppressions), { required: true })
        : loadSuppressions(path.join(path.resolve(flags.repo), POLICY_SUPPRESSIONS_PATH));
      const result = checkPlan(plan, flags.dir, suppressions);
      const text = formatPlanPolicy(result, flags.dir);
      process.stdout.write(neutralizeCommands(text));
      if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, text);
      if (result.violations.length > 0) process.exitCode = 1;
    });

  provision
    .command("drift")
    .description("From per-resource results of terraform plan -detailed-exitcode, open or update one issue per drifted resource and close it when the drift is gone; write drift records. Exit 1 when a check failed.")
    .option("--results <file>", 'JSON list of { "dir", "exitCode": 0|1|2, "summary" } (terraform plan -detailed-exitcode per resource)')
    .option("--section-file <file>", "instead of --results: the --section-file of `provision plan` (a failed plan is an error, resource changes are drift)")
    .option("--dir <dir>", "with --section-file: the resource the plan job checked (a missing or unreadable file is then a failed check of it, not an error)")
    .option("--records <file>", "drift record file to update (one entry per resource: status, checkedAt, since, issue)")
    .option("--records-branch [remote]", "also record the drift on the records branch (drift.json on protonkit/records, where `platform status` reads it), pushed to <remote> when given")
    .option("--issue-author <login>", "login our drift issues are written by (PROTONKIT_COMMENT_AUTHOR, default github-actions[bot])")
    .option("--dry-run", "no GitHub calls: print what would be done")
    .action(async (flags: { results?: string; sectionFile?: string; dir?: string; records?: string; recordsBranch?: string | boolean; issueAuthor?: string; dryRun?: boolean }) => {
      const file = flags.results ?? flags.sectionFile;
      if (!file || (flags.results && flags.sectionFile)) fail("pass exactly one of --results and --section-file", { field: "--results", fix: "name the file the drift job wrote" });
      let text = "";
      try {
        // The plan job may have failed before writing its section: a failed check of --dir.
        text = flags.sectionFile && flags.dir ? JSON.stringify(readSectionFile(flags.sectionFile, flags.dir, "unknown")) : fs.readFileSync(file, "utf8");
      } catch (err) {
        fail(`cannot read the drift results: ${err instanceof Error ? err.message : String(err)}`, { file, fix: "pass the file the drift job wrote" });
      }
      const results = flags.results ? parseDriftResults(text, file) : driftResultsFromSections(sectionsOf(text, file));
      const previous = flags.records ? readDriftRecords(path.resolve(flags.records)) : undefined;
      const token = process.env.GITHUB_TOKEN;
      const repository = process.env.GITHUB_REPOSITORY;
      if (!flags.dryRun && (!token || !repository)) fail("GITHUB_TOKEN and GITHUB_REPOSITORY must be set", { field: "--results", fix: "run in a workflow with issues: write, or pass --dry-run" });
      const api = flags.dryRun || !token || !repository
        ? undefined
        : new GitHubIssues({ token, repository, apiUrl: process.env.GITHUB_API_URL || undefined });
      const outcomes: DriftOutcome[] = api
        ? await reconcileDrift(results, { api, author: flags.issueAuthor || process.env.PROTONKIT_COMMENT_AUTHOR || undefined, log })
        : results.map((r) => ({ dir: r.dir, status: r.exitCode === 2 ? ("drifted" as const) : r.exitCode === 0 ? ("in-sync" as const) : ("error" as const), issueAction: "none" as const }));
      const lines = outcomes.map((o) => `- \`${o.dir}\`: ${o.status}${o.issue !== undefined ? ` (issue #${o.issue} ${o.issueAction})` : ""}`);
      process.stdout.write(neutralizeCommands(`${lines.join("\n")}\n`));
      if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## Drift\n\n${lines.join("\n")}\n`);
      const now = new Date();
      if (flags.records) writeDriftRecords(path.resolve(flags.records), nextDriftRecords(previous, outcomes, now));
      if (flags.recordsBranch !== undefined) {
        const store = new RecordsStore({ repo: process.cwd(), remote: typeof flags.recordsBranch === "string" ? flags.recordsBranch : undefined, log });
        const res = await store.recordDrift((before) => nextDriftRecords(before, outcomes, now));
        log(`protonkit: recorded the drift of ${outcomes.length} resource(s) on ${store.branch} at ${res.commit}`);
      }
      if (outcomes.some((o) => o.status === "error")) process.exitCode = 1;
    });

  common(
    provision
      .command("report-failure")
      .description("Report FAILED for a resource whose job was cancelled or crashed (run under if: failure() || cancelled()); skipped when apply already reported.")
      .requiredOption("--dir <dir>", "resource directory, relative to --repo")
      .requiredOption("--message <text>", "status message (its last 4000 characters are sent)"),
  )
    .option("--force", "report even when apply already reported a final status")
    .option("--state-dir <dir>", "where apply marked a reported final status (default $RUNNER_TEMP/protonkit)")
    .action(async (flags: ReportFailureFlags) => {
      await reportFailure(flags.dir, flags.message, applyContext(flags, false), { force: flags.force });
    });
};
