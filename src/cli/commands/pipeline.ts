import type { Command } from "commander";
import { syncPipeline, type PipelineFlags, type PipelineSyncResult } from "../../../generators/pipeline/sync";
import { fileLines } from "../file-report";
import type { CommandModule } from "./index";

interface InitFlags extends PipelineFlags {
  repo: string;
  platform?: string;
  stage?: string[];
  force?: boolean;
}

interface UpdateFlags {
  repo: string;
  force?: boolean;
  check?: boolean;
  platform?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** One line per file, then what the pipeline builds and in which order it promotes. */
function report(result: PipelineSyncResult, check = false): void {
  process.stdout.write(fileLines(result.files, check));
  const m = result.model;
  process.stdout.write(`build: ${m.settings.artifact === "zip" ? "zip" : m.build.kind === "dockerfile" ? "Dockerfile" : "Cloud Native Buildpacks (Paketo)"}, language ${m.build.language}\n`);
  process.stdout.write(`promotion: ${m.stages.map((s) => `${s.environment}${s.approval ? " (approval)" : ""}`).join(" -> ")}\n`);
  const gated = [...new Set(m.stages.filter((s) => s.approval).map((s) => s.environment))].join(", ");
  const next =
    m.settings.scm === "github"
      ? [
          `give the GitHub environments ${gated || "(none)"} required reviewers`,
          "add the repository secret PROTONKIT_PLATFORM_TOKEN (may push to the platform repository)",
          `add ${[...new Set(m.stages.map((s) => `environment:${s.environment}`))].join(", ")} to the pipeline spec's deploy_refs (the OIDC subject of jobs in an environment)`,
        ]
      : [
          `protect the GitLab environments ${gated || "(none)"} and the branch ${m.settings.main_branch}`,
          "add the masked, protected CI/CD variable PROTONKIT_PLATFORM_TOKEN (may push to the platform repository)",
          `set the pipeline spec's scm: gitlab, gitlab_project: <group/project> and gitlab_deploy_refs: [ref_type:branch:ref:${m.settings.main_branch}] (the roles then trust this project's GitLab CI)`,
        ];
  for (const line of next) process.stdout.write(`next: ${line}\n`);
}

/**
 * `protonkit pipeline init|update`: generates an application repository's delivery pipeline
 * (GitHub Actions or GitLab CI). See generators/README.md.
 */
export const pipelineCommand: CommandModule = (program: Command) => {
  const pipeline = program.command("pipeline").description("Generate and update an application repository's delivery pipeline (GitHub Actions or GitLab CI).");

  pipeline
    .command("init")
    .description("Write .protonkit/pipeline.yaml (when missing), the CI file and the deploy script into an application repository.")
    .requiredOption("--repo <dir>", "the application repository (top level of a git checkout)")
    .option("--service <name>", "the Proton service this repository delivers")
    .option("--scm <github|gitlab>", "where the code lives (default: the pipeline spec's scm, with --platform)")
    .option("--platform <dir>", "a checkout of the platform repository: template, instances, tiers and the unit-test command come from platform/")
    .option("--template <name>", "public-web-service, private-web-service or function-service (from the platform repository when given)")
    .option("--account <id>", "AWS account of the pipeline (ECR repository, pipeline role)")
    .option("--region <region>", "AWS region (default eu-west-1)")
    .option("--platform-repository <owner/name>", "GitHub repository where deployed artifacts are recorded (default, with --platform: workflow.repository of its .protonkit/platform.yaml, else the checkout's origin)")
    .option("--platform-branch <branch>", "branch of the platform repository (default main)")
    .option("--main-branch <branch>", "branch whose pushes build and deploy (default main)")
    .option("--unit-test <command>", "unit-test command (default: the pipeline spec's unit_test_command, else the language's)")
    .option("--artifact <image|zip>", "what a function-service ships (default: zip without a Dockerfile)")
    .option("--package-command <command>", "zip: command that writes the zip")
    .option("--package-path <path>", "zip: the zip it writes (default dist/function.zip)")
    .option("--code-bucket <bucket>", "zip: S3 bucket the zip is uploaded to")
    .option("--stage <env:instance:tier[:account]>", "a deployment (repeatable; instead of --platform)", collect)
    .option("--force", "overwrite owned files even when they were edited")
    .action((flags: InitFlags) => {
      const { repo, platform, stage, force, ...rest } = flags;
      report(syncPipeline({ repo, mode: "init", platform, force, flags: { ...rest, stages: stage } }));
    });

  pipeline
    .command("update")
    .description("Re-render the files protonkit owns from .protonkit/pipeline.yaml; edited files are kept unless --force.")
    .requiredOption("--repo <dir>", "the application repository (top level of a git checkout)")
    .option("--force", "overwrite owned files even when they were edited")
    .option("--platform <dir>", "a checkout of the platform repository: the pipeline spec's unit_test_command, when set, wins over unit_test")
    .option("--check", "write nothing; exit 1 when any file would be created, updated or is skipped")
    .action((flags: UpdateFlags) => {
      const result = syncPipeline({ repo: flags.repo, mode: "update", platform: flags.platform, force: flags.force, check: flags.check });
      report(result, flags.check);
      if (flags.check && !result.inSync) process.exitCode = 1;
    });
};
