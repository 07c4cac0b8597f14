import * as path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { syncToolkitCi, syncWorkflow, type FileResult } from "../../../generators/workflow/sync";
import { fail } from "../../errors";
import { fileLines } from "../file-report";
import { writeGithubOutput } from "../../provision/detect";
import { botIdentity, installationToken } from "../../provision/github-app";
import type { CommandModule } from "./index";

interface InitFlags {
  repo: string;
  repository?: string;
  toolkitRepository?: string;
  toolkitRef?: string;
  toolkitTokenSecret?: string;
  mainBranch?: string;
  runsOn?: string;
  timeoutMinutes?: number;
  account?: string;
  region?: string;
  terraformVersion?: string;
  force?: boolean;
  platform?: boolean;
  catalog?: string;
}

interface UpdateFlags {
  repo: string;
  force?: boolean;
  check?: boolean;
  runningToolkitRef?: string;
}

interface ToolkitCiFlags {
  root: string;
  force?: boolean;
  check?: boolean;
}

/** The toolkit repository this CLI runs from. */
const TOOLKIT_ROOT = path.resolve(__dirname, "..", "..", "..");

function wholeNumber(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

/** Prints one line per file (see {@link fileLines}). */
function report(files: readonly FileResult[], check = false): void {
  process.stdout.write(fileLines(files, check));
}

/**
 * `protonkit workflow init|update|toolkit-ci`: generates the GitHub Actions workflow of a
 * provisioning repository (and this repository's own CI workflow). See generators/README.md.
 */
export const workflowCommand: CommandModule = (program: Command) => {
  const workflow = program
    .command("workflow")
    .description("Generate and update the GitHub Actions workflow of a provisioning repository.");

  workflow
    .command("app-token")
    .description(
      "Mint a GitHub App installation token limited to this repository and the permissions given (the App's id in PROTONKIT_APP_ID, its private key in PROTONKIT_APP_PRIVATE_KEY). " +
        "Masks it in the log and writes it to $GITHUB_OUTPUT as `token`, with the App's bot `login` and commit `email`; nothing is printed otherwise.",
    )
    .option("--permission <name=level>", "limit the token, e.g. contents=write (repeatable)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--repository <owner/name>", "the repository (default GITHUB_REPOSITORY)")
    .action(async (flags: { permission: string[]; repository?: string }) => {
      const appId = process.env.PROTONKIT_APP_ID ?? "";
      const privateKey = process.env.PROTONKIT_APP_PRIVATE_KEY ?? "";
      const repository = flags.repository ?? process.env.GITHUB_REPOSITORY ?? "";
      if (!/^[0-9]+$/.test(appId)) fail("PROTONKIT_APP_ID is not an App id", { field: "PROTONKIT_APP_ID", fix: "set workflow.app_id in .protonkit/platform.yaml to the App's numeric id" });
      if (!privateKey.includes("PRIVATE KEY")) fail("PROTONKIT_APP_PRIVATE_KEY holds no PEM private key", { field: "PROTONKIT_APP_PRIVATE_KEY", fix: "store the App's private key (.pem) in the secret named by workflow.app_private_key_secret" });
      if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) fail("the repository is unknown", { field: "--repository", fix: "pass --repository owner/name or set GITHUB_REPOSITORY" });
      const permissions: Record<string, "read" | "write"> = {};
      for (const p of flags.permission) {
        const m = /^([a-z_]+)=(read|write)$/.exec(p);
        if (!m) fail(`expected name=read or name=write, found "${p}"`, { field: "--permission", fix: "pass e.g. --permission contents=write" });
        permissions[m[1]] = m[2] as "read" | "write";
      }
      const apiUrl = process.env.GITHUB_API_URL;
      const { token } = await installationToken({ appId, privateKey, repository, permissions, apiUrl });
      process.stdout.write(`::add-mask::${token}\n`);
      const bot = await botIdentity({ appId, privateKey, apiUrl, token });
      writeGithubOutput(process.env.GITHUB_OUTPUT, { token, login: bot.login, email: bot.email });
    });

  workflow
    .command("init")
    .description(
      "Write the provisioning workflow, the configuration schema, and (when missing) starter .protonkit/provisioning.yaml and .protonkit/workflow.yaml; " +
        "for a platform repository (--platform, or a platform/ folder) one starter .protonkit/platform.yaml (reporting: git) and the platform workflow.",
    )
    .requiredOption("--repo <dir>", "the provisioning repository (top level of a git checkout)")
    .option("--repository <owner/name>", "this provisioning repository as GitHub spells it (required unless .protonkit/workflow.yaml exists)")
    .option("--toolkit-repository <owner/name>", "GitHub repository of the protonkit toolkit the workflow runs (required unless .protonkit/workflow.yaml exists)")
    .option("--toolkit-ref <sha>", "full commit SHA of the toolkit to run (required unless .protonkit/workflow.yaml exists)")
    .option("--toolkit-token-secret <name>", "repository secret holding a token that can read a private toolkit repository")
    .option("--main-branch <branch>", "branch whose pushes apply (default main)")
    .option("--runs-on <label>", "runner label (default ubuntu-latest)")
    .option("--timeout-minutes <n>", "timeout of each plan and apply job (default 60)", wholeNumber)
    .option("--account <id>", "AWS account for the starter configuration's roles and bucket (default: a placeholder)")
    .option("--region <region>", "AWS region for the starter configuration (default eu-west-1)")
    .option("--terraform-version <version>", "Terraform version for the starter configuration (default 1.11.4)")
    .option("--force", "overwrite owned files even when they were edited")
    .option("--platform", "a platform repository: write .protonkit/platform.yaml (default when the repository has a platform/ folder)")
    .option("--catalog <url-or-path>", "a platform repository: the catalog's git repository for .protonkit/platform.yaml's catalog.repository, a URL or a path relative to the repository (default https://github.com/<toolkit repository>.git)")
    .action((flags: InitFlags) => {
      const result = syncWorkflow({
        repo: flags.repo,
        mode: "init",
        force: flags.force,
        platform: flags.platform,
        catalog: flags.catalog,
        settings: {
          repository: flags.repository,
          toolkit_repository: flags.toolkitRepository,
          toolkit_ref: flags.toolkitRef,
          toolkit_token_secret: flags.toolkitTokenSecret,
          main_branch: flags.mainBranch,
          runs_on: flags.runsOn,
          timeout_minutes: flags.timeoutMinutes,
        },
        starter: { account: flags.account, region: flags.region, terraformVersion: flags.terraformVersion },
      });
      report(result.files);
    });

  workflow
    .command("update")
    .description("Re-render the files protonkit owns from .protonkit/workflow.yaml and .protonkit/provisioning.yaml (a platform repository: .protonkit/platform.yaml); edited files are kept unless --force.")
    .requiredOption("--repo <dir>", "the provisioning repository (top level of a git checkout)")
    .option("--force", "overwrite owned files even when they were edited")
    .option("--check", "write nothing; exit 1 when any file would be created, updated or is skipped (the committed workflow is stale)")
    .option(
      "--running-toolkit-ref <sha>",
      "with --check: the toolkit commit running the check (the platform workflow passes its pinned ref); when the configuration pins another commit, that toolkit renders the files and the check passes with a note",
    )
    .action((flags: UpdateFlags) => {
      const result = syncWorkflow({ repo: flags.repo, mode: "update", force: flags.force, check: flags.check });
      if (flags.check && flags.runningToolkitRef !== undefined && flags.runningToolkitRef !== result.settings.toolkit_ref) {
        process.stdout.write(
          `not checked: the configuration pins toolkit ${result.settings.toolkit_ref}, this check runs ${flags.runningToolkitRef}; the workflow files are checked once the new pin is on the main branch\n`,
        );
        return;
      }
      report(result.files, flags.check);
      if (flags.check && !result.inSync) {
        const config = result.platform ? ".protonkit/platform.yaml" : ".protonkit/workflow.yaml and .protonkit/provisioning.yaml";
        process.stderr.write(
          `protonkit: the committed workflow files are stale against ${config} (fix: run \`protonkit workflow update --repo <this repository>\` and commit the files it writes; --force replaces edited ones)\n`,
        );
        process.exitCode = 1;
      }
    });

  workflow
    .command("toolkit-ci")
    .description("Write this toolkit repository's own CI workflow (.github/workflows/ci.yml) from templates/workflows/toolkit-ci.yml.hbs.")
    .option("--root <dir>", "the toolkit repository root", TOOLKIT_ROOT)
    .option("--force", "overwrite the workflow even when it was edited")
    .option("--check", "write nothing; exit 1 when the committed workflow differs")
    .action((flags: ToolkitCiFlags) => {
      const result = syncToolkitCi({ root: flags.root, force: flags.force, check: flags.check });
      report(result.files, flags.check);
      if (flags.check && !result.inSync) process.exitCode = 1;
    });
};
