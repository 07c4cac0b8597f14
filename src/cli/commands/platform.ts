import * as path from "node:path";
import type { Command } from "commander";
import { migrateConfig, PLATFORM_CONFIG_PATH } from "../../platform/config";
import type { RenderedPlatform } from "../../platform";
import { recordsLabel, renderPlatform, upgradePlatform } from "../../platform";
import { RECORDS_BRANCH } from "../../platform/records-store";
import { fail } from "../../errors";
import type { CommandModule } from "./index";

/** Flags every `platform` subcommand takes. */
interface RepoFlags {
  repo: string;
}

interface MigrateFlags extends RepoFlags {
  catalogRepository?: string;
  catalogRef?: string;
  bundles?: string;
  accountId?: string;
  region?: string;
}

interface RenderFlags extends RepoFlags {
  check?: boolean;
  records?: string;
  fetch?: boolean;
}

interface UpgradeFlags extends RepoFlags {
  template?: string;
  service?: string;
  environment?: string;
  major?: string;
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** What a render did (or, with --check, found), one line per resource directory that changed. */
function printPlan(plan: RenderedPlatform, check: boolean): void {
  // The ref is named unless it is the local branch, the usual case.
  const ref = plan.recordsRef && plan.recordsRef.ref !== RECORDS_BRANCH ? plan.recordsRef : undefined;
  out(`catalog at ${plan.catalogCommit.slice(0, 12)}, records at ${recordsLabel(plan, ref)}`);
  if (plan.recordsRef?.note) process.stderr.write(`protonkit: warning: ${plan.recordsRef.note}\n`);
  const changed = new Set([...plan.writes.keys(), ...plan.removes].map((p) => p.replace(/\/(\.proton\/)?[^/]+$/, "")));
  for (const r of plan.resources) {
    if (!changed.has(r.dir)) continue;
    out(r.deleted ? `deleting ${r.dir}/ (isResourceDeleted: the apply destroys it)` : `${check ? "stale" : "wrote"} ${r.dir}/ (${r.kind} ${r.name}, ${r.version ?? ""})`);
  }
  for (const dir of plan.removed) out(`removed ${dir}/ (its destroy is recorded)`);
  for (const p of plan.pending) out(`pending ${p.dir}/: ${p.reason}`);
  for (const w of plan.warnings) process.stderr.write(`protonkit: warning: ${w}\n`);
  out(`${plan.writes.size} file${plan.writes.size === 1 ? "" : "s"} ${check ? "differ" : "written"}, ${plan.removes.length} removed; ${plan.resources.length} resource directories`);
}

function repoOption(cmd: Command): Command {
  return cmd.option("--repo <dir>", "the platform repository checkout", ".");
}

/**
 * `protonkit platform`: the platform repository (desired state under platform/, rendered
 * Terraform in Proton's layout, recorded state). Each subcommand is one function below;
 * `status` and `adopt` register theirs in the marked places.
 */
export const platformCommand: CommandModule = (program: Command) => {
  const platform =
    program.commands.find((c) => c.name() === "platform") ??
    program.command("platform").description("The platform repository: desired state under platform/, rendered into Proton's provisioning layout, with recorded outputs and deployments.");

  repoOption(
    platform
      .command("render")
      .description(
        "Render every environment, service instance, pipeline and component of platform/ into Proton's provisioning layout, from the catalog's published versions and the recorded outputs. " +
          "Writes only files that change; refuses the whole run on any problem, listing every one, and writes nothing.",
      )
      .option("--check", "write nothing; fail when the committed render differs from the desired state")
      .option("--records <ref>", `the records branch or commit to read outputs and deployments from (default: the newer of ${RECORDS_BRANCH} and origin/${RECORDS_BRANCH}, as \`platform status\` reads them)`)
      .option("--fetch", "fetch a catalog given by URL before rendering (otherwise the cached clone is used)"),
  ).action((flags: RenderFlags) => {
    const plan = renderPlatform({ root: path.resolve(flags.repo), check: flags.check, recordsRef: flags.records, fetch: flags.fetch });
    printPlan(plan, flags.check === true);
  });

  repoOption(
    platform
      .command("upgrade")
      .description(
        "Edit the desired state to newer template versions, keeping comments: pinned versions move to their major's newest minor, or with --major every selected resource moves to that major. " +
          "A major upgrade first checks every affected spec against the new schema and lists each field that no longer fits; nothing is changed then.",
      )
      .option("--template <name>", "only resources of this template")
      .option("--service <name>", "only this service")
      .option("--environment <name>", "only this environment and the service instances in it")
      .option("--major <n>", "move to this major version"),
  ).action((flags: UpgradeFlags) => {
    if (flags.major !== undefined && !/^[1-9]\d*$/.test(flags.major)) fail(`expected a major version number, found "${flags.major}"`, { field: "--major", fix: "pass e.g. --major 2" });
    const plan = upgradePlatform(path.resolve(flags.repo), { template: flags.template, service: flags.service, environment: flags.environment, major: flags.major === undefined ? undefined : Number(flags.major) });
    for (const c of plan.changes) out(`${c.file}: ${c.field}: "${c.from}" -> "${c.to}"`);
    out(plan.changes.length === 0 ? "nothing to upgrade" : "run `protonkit platform render` to render the new versions");
  });

  repoOption(
    platform
      .command("migrate-config")
      .description(`Merge .protonkit/provisioning.yaml and .protonkit/workflow.yaml into ${PLATFORM_CONFIG_PATH} (comments kept) and remove them.`)
      .option("--catalog-repository <path-or-url>", "catalog.repository: the catalog's git repository (a path relative to the repository, or a URL)")
      .option("--catalog-ref <ref>", "catalog.ref: the branch whose history publishes versions", "main")
      .option("--bundles <dir>", "catalog.bundles: bundles folder in the catalog repository", "proton-bundles")
      .option("--account-id <id>", "account_id: the account in every resource ARN")
      .option("--region <region>", "region: the region in every resource ARN"),
  ).action((flags: MigrateFlags) => {
    migrateConfig(path.resolve(flags.repo), flags);
    out(`wrote ${PLATFORM_CONFIG_PATH}; removed the older files`);
    // The committed workflow is still the provisioning one until it is re-rendered.
    out(`next: run \`protonkit workflow update --repo ${flags.repo}\` and commit .protonkit/ and .github/workflows/ (the workflow gains the platform's jobs: validate, order, propagate)`);
  });

  // status: registered here (src/platform/status*.ts).
  // adopt: registered here (src/platform/adopt*.ts).
};
