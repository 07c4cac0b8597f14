import * as path from "node:path";
import type { Command } from "commander";
import { migrateConfig, PLATFORM_CONFIG_PATH } from "../../platform/config";
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

const out = (line: string): void => void process.stdout.write(`${line}\n`);

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

  // render and upgrade: registered here.

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
  });

  // status: registered here (src/platform/status*.ts).
  // adopt: registered here (src/platform/adopt*.ts).
};
