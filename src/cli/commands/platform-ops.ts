import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { fail } from "../../errors";
import { githubEnvironments, loadConfigAt, writeGithubOutput } from "../../provision/detect";
import { baseSinceLastSuccess } from "./provision";
import { changedEntries, recordedOutcome, type OrderEntry } from "../../platform/order-changes";
import { MATRIX_LIMIT, STAGES, planAll, planStage, type Stage } from "../../platform/order";
import { WAVES, deploymentSteps, inWave, isWave, oversizedSteps, stepCounts, type Tier, type Wave } from "../../platform/waves";
import { RECORDS_BRANCH, RecordsStore, readRecords, resolveCommit } from "../../platform/records-store";
import { Catalog } from "../../platform/catalog";
import { loadPlatformConfig } from "../../platform/config";
import { loadDesiredState } from "../../platform/model";
import { statusPage } from "../../platform/page";
import { forwardRecords } from "../../platform/records-forward";
import { resolveRecordsRef } from "../../platform/records-ref";
import { decidePlatformSummary } from "../../platform/workflow-summary";
import { parseNeeds } from "../../provision/summary";
import { GitHubStatusMirror } from "../../provision/github-status";
import { adopt, writeAdopted } from "../../platform/adopt";
import { tryGit } from "../../provision/git";
import { catalogVersions, formatStatus, platformStatus, type PlatformStatus } from "../../platform/status";
import { readArtifacts, type ArtifactRecord } from "../../platform/artifacts";
import { readDriftRecords } from "../../provision/drift";
import type { CommandModule } from "./index";

interface OrderFlags {
  repo: string;
  base: string;
  head: string;
  stage?: string;
  batch?: string;
  records?: string;
  fetch?: string;
  config?: string;
  noConfig?: boolean;
  githubOutput?: boolean;
  wave?: string;
  sinceLastSuccess?: string;
}

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** The `platform` command group: found when another module created it, else created. */
export function platformGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === "platform") ??
    program.command("platform").description("Run a platform from a git repository: desired state, rendering, recorded state, order, status.")
  );
}

/** Environment tiers from the desired state in the checkout (the head being deployed). */
function tiersOf(repo: string): (environment: string) => Tier | undefined {
  const tiers = new Map(loadDesiredState(repo).state.environments.map((e) => [e.name, e.tier]));
  return (environment) => tiers.get(environment);
}

async function order(flags: OrderFlags): Promise<void> {
  const repo = path.resolve(flags.repo);
  const config = flags.noConfig ? undefined : loadConfigAt(repo, flags.head, flags.config);
  const base = flags.sinceLastSuccess ? await baseSinceLastSuccess(repo, flags.base, flags.head, flags.sinceLastSuccess) : flags.base;
  const entries = changedEntries(repo, base, flags.head, config);
  const head = resolveCommit(repo, flags.head);
  if (flags.wave !== undefined && !isWave(flags.wave)) fail(`unknown wave "${flags.wave}"`, { field: "--wave", fix: `use one of ${WAVES.join(", ")}` });
  if (flags.stage === undefined) {
    const stages = planAll(entries).map((s) => ({ stage: s.stage, count: s.run.length, batches: s.batches.length }));
    const counts = stepCounts(entries, tiersOf(repo));
    const steps = deploymentSteps().map((s) => ({ step: s.id, count: counts.get(s.id) ?? 0 }));
    out({ base, head, count: entries.length, stages, steps });
    if (flags.githubOutput) {
      const values: Record<string, string> = { base, head, count: String(entries.length) };
      for (const s of stages) values[`${s.stage}-batches`] = String(s.batches);
      for (const s of steps) values[`${s.step}-count`] = String(s.count);
      writeGithubOutput(process.env.GITHUB_OUTPUT, values);
      // The workflow runs one matrix per step: refuse before anything applies.
      const oversized = oversizedSteps(counts);
      if (oversized.length > 0) {
        fail(`this merge changes more resources than one deployment step can run: ${oversized.join("; ")}`, {
          field: "--github-output",
          fix: `land the change in smaller pull requests (at most ${MATRIX_LIMIT} resources per tier and stage), e.g. one per environment tier`,
        });
      }
    }
    return;
  }
  if (!(STAGES as readonly string[]).includes(flags.stage)) fail(`unknown stage "${flags.stage}"`, { field: "--stage", fix: `use one of ${STAGES.join(", ")}` });
  if (flags.fetch) new RecordsStore({ repo, remote: flags.fetch }).fetch();
  const ref = flags.records ?? (flags.fetch ? `refs/remotes/${flags.fetch}/${RECORDS_BRANCH}` : RECORDS_BRANCH);
  const state = readRecords(repo, ref);
  const wave = flags.wave as Wave | undefined;
  const plan = planStage<OrderEntry>(flags.stage as Stage, wave === undefined ? entries : inWave(entries, wave, tiersOf(repo)), recordedOutcome(state, head));
  for (const s of plan.skipped) process.stderr.write(`protonkit: ${s.item.dir}: ${s.reason}\n`);
  let include: readonly OrderEntry[] = plan.run;
  if (flags.batch !== undefined) {
    if (!/^\d+$/.test(flags.batch)) fail(`expected a batch number, found "${flags.batch}"`, { field: "--batch", fix: "pass 0, 1, ..." });
    include = plan.batches[Number(flags.batch)] ?? [];
  }
  // The GitHub environments the jobs run in, as detect names them.
  include = include.map((e) => ({ ...e, ...githubEnvironments(e.environment) }));
  const result = {
    stage: plan.stage,
    head,
    records: state.commit,
    batches: plan.batches.length,
    include,
    skipped: plan.skipped.map((s) => ({ dir: s.item.dir, kind: s.item.kind, reason: s.reason })),
  };
  out(result);
  if (flags.githubOutput) {
    writeGithubOutput(process.env.GITHUB_OUTPUT, {
      matrix: JSON.stringify({ include }),
      count: String(include.length),
      batches: String(plan.batches.length),
      skipped: JSON.stringify(result.skipped),
      records: state.commit,
    });
  }
}

/** Push attempts of a forward: many record jobs of one step append to the branch at once. */
const FORWARD_ATTEMPTS = 20;

interface StatusFlags {
  repo: string;
  records?: string;
  fetch?: string;
  now?: string;
  json?: boolean;
  drift?: string;
}

function clock(now: string | undefined): Date {
  if (now === undefined) return new Date();
  const d = new Date(now);
  if (Number.isNaN(d.getTime())) fail(`expected an ISO 8601 time, found "${now}"`, { field: "--now", fix: "write e.g. 2026-11-30T12:00:00Z" });
  return d;
}

/** Reads desired state, catalog and records of a platform repository and builds its status. */
export function loadStatus(flags: StatusFlags): PlatformStatus {
  const repo = path.resolve(flags.repo);
  const { state, problems } = loadDesiredState(repo);
  for (const p of problems) process.stderr.write(`protonkit: warning: ${p.toString()} (left out of the status)\n`);
  const config = loadPlatformConfig(repo);
  const catalog = Catalog.open(repo, config.catalog as NonNullable<typeof config.catalog>);
  const ref = resolveRecordsRef(repo, flags);
  if (ref.note) process.stderr.write(`protonkit: warning: ${ref.note}\n`);
  const records = readRecords(repo, ref.ref);
  const artifacts = new Map<string, ArtifactRecord>();
  for (const svc of state.services) {
    const read = readArtifacts(repo, svc.name);
    for (const p of read.problems) process.stderr.write(`protonkit: warning: ${p.toString()} (left out of the status)\n`);
    for (const [instance, record] of read.records) artifacts.set(`${svc.name}/${instance}`, record);
  }
  const drift = flags.drift ? readDriftRecords(path.resolve(flags.drift)) : undefined;
  if (flags.drift && !drift) fail("does not exist", { file: flags.drift, field: "--drift", fix: "pass the file `protonkit provision drift --records` wrote, or leave --drift out to read drift.json on the records branch" });
  return platformStatus(state, catalogVersions(catalog), records, clock(flags.now), { artifacts, ...(drift ? { drift } : {}) });
}

function statusOptions(cmd: Command): Command {
  return cmd
    .option("--repo <dir>", "the platform repository checkout", ".")
    .option("--records <ref>", `records ref (default: <remote>/${RECORDS_BRANCH} with --fetch, else the newer of ${RECORDS_BRANCH} and origin/${RECORDS_BRANCH}, as \`platform render\` reads them)`)
    .option("--fetch <remote>", "fetch the records branch from this remote first")
    .option("--now <time>", "the time ages are computed at, ISO 8601 (default: now)")
    .option("--drift <file>", "drift records to show (default: drift.json on the records branch, as `provision drift --records-branch` writes it)");
}

interface AdoptFlags {
  repo: string;
  bundles: string;
  out: string;
  recordsRemote?: string;
  now?: string;
}

async function adoptCommand(flags: AdoptFlags): Promise<void> {
  const out = path.resolve(flags.out);
  if (tryGit(out, ["rev-parse", "--git-dir"]).code !== 0) {
    fail(`${flags.out} is not a git repository`, { field: "--out", fix: "git init the platform repository first (recorded outputs go to its protonkit/records branch)" });
  }
  const now = clock(flags.now);
  const result = adopt({ repo: path.resolve(flags.repo), bundles: path.resolve(flags.bundles), now: () => now });
  writeAdopted(out, result);
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  for (const f of result.files.keys()) say(`wrote ${f}`);
  if (result.records.length > 0) {
    const res = await new RecordsStore({ repo: out, remote: flags.recordsRemote }).append(result.records);
    say(`recorded the outputs of ${result.records.filter((e) => e.outputs).length} resource(s) and ${result.records.length} deployment(s) on ${RECORDS_BRANCH} at ${res.commit}`);
  }
  say("");
  say(`for .protonkit/platform.yaml: account_id: "${result.config.account_id ?? "?"}", region: ${result.config.region ?? "?"}`);
  for (const [env, account] of Object.entries(result.config.environmentAccounts).sort()) say(`  environments.${env}.account_id: "${account}" (an environment account connection)`);
  say("");
  say(`not recovered or rendered differently (${result.unrecovered.length}):`);
  for (const u of result.unrecovered) say(`- ${u}`);
  say("");
  say("next: protonkit platform render in the platform repository, then compare with Proton's directories (see the README: adopt, verify, switch)");
}

/** `protonkit platform order|status|page|adopt`: the operations side of the platform. */
export const platformOpsCommand: CommandModule = (program: Command) => {
  const platform = platformGroup(program);
  platform
    .command("order")
    .description(
      `Order the resources changed between two commits into stages (${STAGES.join(", ")}) and matrices of at most ${MATRIX_LIMIT}. ` +
        "With --stage, resources whose dependencies failed or did not run in this deployment (per the deployment records) are skipped.",
    )
    .requiredOption("--base <sha>", "base commit (40 zeros: everything at head)")
    .requiredOption("--head <sha>", "head commit being deployed")
    .option("--repo <dir>", "the provisioning repository checkout (git top level)", ".")
    .option("--stage <stage>", "print the matrix of one stage")
    .option("--batch <n>", "with --stage: only batch n (0-based) of the stage")
    .option("--records <ref>", `records ref to read outcomes from (default ${RECORDS_BRANCH}, or <remote>/${RECORDS_BRANCH} with --fetch)`)
    .option("--fetch <remote>", "fetch the records branch from this remote first")
    .option("--config <file>", "configuration file (default: .protonkit/provisioning.yaml at head)")
    .option("--no-config", "leave out roles and regions")
    .option("--wave <tier>", `with --stage: only the resources of this rollout wave (${WAVES.join(", ")}; an environment without tier is in production)`)
    .option("--since-last-success <workflow-file>", "on a push, order from the head of this workflow's last successful run on the branch when it is an ancestor (GITHUB_TOKEN with actions: read); written as base= with --github-output")
    .option("--github-output", "also append matrix, count, batches, skipped and records to $GITHUB_OUTPUT (without --stage: <step>-count per deployment step, refusing a step over the matrix limit)")
    .action((flags: Omit<OrderFlags, "config"> & { config?: string | false }) => {
      const noConfig = flags.config === false;
      return order({ ...flags, config: typeof flags.config === "string" ? flags.config : undefined, noConfig });
    });

  platform
    .command("summary")
    .description("Decide the one required check of a platform repository's run from every job's result (toJSON(needs)).")
    .requiredOption("--needs-env <name>", "environment variable holding toJSON(needs)")
    .requiredOption("--event <name>", "the event: pull_request or push")
    .action((flags: { needsEnv: string; event: string }) => {
      const text = process.env[flags.needsEnv];
      if (!text) fail(`$${flags.needsEnv} is empty`, { field: "--needs-env", fix: "pass the name of a variable set to ${{ toJSON(needs) }}" });
      const verdict = decidePlatformSummary(parseNeeds(text), flags.event);
      for (const line of verdict.lines) process.stderr.write(`protonkit: ${line}\n`);
      if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## protonkit ${verdict.ok ? "passed" : "failed"}\n\n${verdict.lines.map((l) => `- ${l}`).join("\n")}\n`);
      if (!verdict.ok) process.exitCode = 1;
    });

  platform
    .command("records-forward")
    .description(
      "Forward the deployment events an apply job recorded into its outbox (a bare repository seeded with the records branch) to the records branch, with rebase and retry, " +
        "and mirror them to GitHub Deployments and commit statuses when GITHUB_TOKEN and GITHUB_REPOSITORY are set. Run by a job that holds no AWS credentials.",
    )
    .requiredOption("--outbox <dir>", "the outbox folder (repo.git/ and base)")
    .option("--resource <dir>", "refuse events about any other resource directory (the one the apply job ran)")
    .option("--repo <dir>", "a clone of the repository whose records branch receives the events", ".")
    .option("--remote <name>", "the remote to push the records branch to", "origin")
    .action(async (flags: { outbox: string; repo: string; remote: string; resource?: string }) => {
      const repo = path.resolve(flags.repo);
      const log = (line: string): void => void process.stderr.write(`protonkit: ${line}\n`);
      const env = process.env;
      const mirror =
        env.GITHUB_TOKEN && env.GITHUB_REPOSITORY
          ? new GitHubStatusMirror({
              token: env.GITHUB_TOKEN,
              repository: env.GITHUB_REPOSITORY,
              apiUrl: env.GITHUB_API_URL,
              targetUrl: env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
            })
          : undefined;
      const res = await forwardRecords({ repo, outbox: path.resolve(flags.outbox), store: new RecordsStore({ repo, remote: flags.remote, log, attempts: FORWARD_ATTEMPTS }), mirror, log, resource: flags.resource });
      process.stdout.write(res.events.length === 0 ? "nothing recorded in the outbox\n" : `forwarded ${res.events.length} event(s): ${res.commit ?? ""}\n`);
    });

  statusOptions(
    platform
      .command("status")
      .description("Print what is deployed where: every resource's template and version, the latest available, its last deployment, status and age, its last drift check and each instance's deployed artifact (failures first, then drift). Reads only git: no credentials, no network."),
  )
    .option("--json", "print JSON instead of a table")
    .action((flags: StatusFlags) => {
      const status = loadStatus(flags);
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    });

  platform
    .command("adopt")
    .description(
      "Read a provisioning repository that Proton wrote (rendered directories, proton.auto.tfvars.json, .proton/deployment-metadata.json) with the template bundles, " +
        "and write the desired state (platform/) and the recorded outputs that render the same Terraform. Lists what cannot be recovered; never guesses.",
    )
    .requiredOption("--repo <dir>", "the provisioning repository Proton wrote")
    .requiredOption("--bundles <dir>", "the template bundles, <template>/v<major>/ (e.g. the catalog's proton-bundles/)")
    .requiredOption("--out <dir>", "the platform repository (a git repository) to write platform/ into")
    .option("--records-remote <remote>", "push the recorded outputs to this remote's records branch (default: the local branch)")
    .option("--now <time>", "the time written in the records, ISO 8601 (default: now)")
    .action((flags: AdoptFlags) => adoptCommand(flags));

  statusOptions(
    platform
      .command("page")
      .description("Write the status as one static HTML file (no server, no external assets; publishable with GitHub Pages): failures first, versions against the latest, and a picture of the wiring."),
  )
    .requiredOption("--out <file>", "the HTML file to write, e.g. site/index.html")
    .option("--title <text>", "page title", "Platform status")
    .action((flags: StatusFlags & { out: string; title: string }) => {
      const html = statusPage(loadStatus(flags), flags.title);
      const file = path.resolve(flags.out);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, html);
      fs.renameSync(tmp, file);
      process.stderr.write(`protonkit: wrote ${flags.out}\n`);
    });
};
