import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { fail } from "../../errors";
import { CODEOWNERS_PATH, renderCodeowners, serviceOwners } from "../../platform/codeowners";
import { checkEntitlements, formatResult } from "../../platform/entitlement-rules";
import { TeamsGitHub, pullRequestFacts, showAt } from "../../platform/pull-request";
import { entitlementsFromConfigText } from "../../platform/teams";
import { finish, isInSync, planOwned } from "../../../generators/workflow/sync";
import type { CommandModule } from "./index";

const CONFIG = ".protonkit/platform.yaml";

function positive(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError("expected a pull request number");
  return Number(value);
}

interface CheckFlags {
  repo: string;
  pr: number;
  repository?: string;
  apiUrl?: string;
}

interface CodeownersFlags {
  repo: string;
  force?: boolean;
  check?: boolean;
}

/**
 * `protonkit entitlements check|codeowners`: the platform repository's team checks on pull
 * requests, and its generated CODEOWNERS.
 */
export const entitlementsCommand: CommandModule = (program: Command) => {
  const cmd = program.command("entitlements").description("Team entitlements of the platform repository: pull-request checks and the generated CODEOWNERS.");

  cmd
    .command("check")
    .description(
      "Check a pull request to the platform repository: authors in the owning team (else its approval), the team entitled to the template and the environments. " +
        "Teams come from .protonkit/platform.yaml at the pull request's base commit; membership from GitHub (GITHUB_TOKEN: an App token that can read team membership).",
    )
    .requiredOption("--pr <number>", "the pull request number", positive)
    .option("--repo <dir>", "a checkout of the platform repository holding the base and head commits", ".")
    .option("--repository <owner/name>", "the platform repository on GitHub (default GITHUB_REPOSITORY)")
    .option("--api-url <url>", "GitHub API URL (default GITHUB_API_URL, else https://api.github.com)")
    .action(async (flags: CheckFlags) => {
      const token = process.env.GITHUB_TOKEN ?? "";
      const repository = flags.repository ?? process.env.GITHUB_REPOSITORY ?? "";
      if (token === "") fail("GITHUB_TOKEN is not set", { field: "GITHUB_TOKEN", fix: "pass an App installation token that can read pull requests and organisation team membership" });
      if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) fail("the platform repository is unknown", { field: "--repository", fix: "pass --repository owner/name or set GITHUB_REPOSITORY" });
      const github = new TeamsGitHub({ token, repository, apiUrl: flags.apiUrl ?? process.env.GITHUB_API_URL });
      const facts = await pullRequestFacts(github, flags.repo, flags.pr);
      // Never from the pull request: a pull request could otherwise entitle itself.
      const text = showAt(flags.repo, facts.base, CONFIG);
      if (text === undefined) fail(`no ${CONFIG} at the base commit ${facts.base}`, { file: CONFIG, fix: "add the platform configuration with its entitlements on the main branch first" });
      const entitlements = entitlementsFromConfigText(text, `${CONFIG} (base ${facts.base.slice(0, 12)})`);
      if (!entitlements) fail("has no entitlements", { file: CONFIG, field: "entitlements", fix: "add entitlements: { platform_team, automation, teams } on the main branch first" });
      const result = await checkEntitlements(entitlements, facts, github.isMember);
      process.stdout.write(formatResult(result));
      if (result.refusals.length > 0) process.exitCode = 1;
    });

  cmd
    .command("codeowners")
    .description("Write .github/CODEOWNERS: each service file and the directories its render writes (instances, pipeline, components) to its owning team, environments and configuration to the platform team.")
    .option("--repo <dir>", "the platform repository", ".")
    .option("--force", "overwrite the file even when it was edited")
    .option("--check", "write nothing; exit 1 when the committed file differs")
    .action((flags: CodeownersFlags) => {
      const root = path.resolve(flags.repo);
      const configFile = path.join(root, CONFIG);
      if (!fs.existsSync(configFile)) fail("does not exist", { file: CONFIG, fix: "run in the platform repository, or pass --repo" });
      const entitlements = entitlementsFromConfigText(fs.readFileSync(configFile, "utf8"), CONFIG);
      if (!entitlements) fail("has no entitlements", { file: CONFIG, field: "entitlements", fix: "add entitlements: { platform_team, automation, teams }" });
      const body = renderCodeowners(entitlements, serviceOwners(root));
      const files = finish(root, [planOwned(root, { path: CODEOWNERS_PATH, body, style: "hash-comment", note: "written by `protonkit entitlements codeowners`; change owners or entitlements and run it again" }, flags.force ?? false)], flags.check ?? false);
      for (const f of files) process.stdout.write(`${f.status.padEnd(9)} ${f.path}${f.reason ? ` (${f.reason})` : ""}\n`);
      if (flags.check && !isInSync(files)) process.exitCode = 1;
    });
};
