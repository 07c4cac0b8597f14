import * as path from "node:path";
import type { Command } from "commander";
import { writeFilesAtomically } from "../../../generators/write";
import { fail } from "../../errors";
import { terraformSettings } from "../../terraform/cli";
import { failureFix, formatFailures, formatTable, jsonReport } from "../../terraform/test-report";
import { resolveConcurrency, resolveTimeout, runTemplateTests, type TemplateRenderer } from "../../terraform/template-tests";
import type { CommandModule } from "./index";

/** Flags of `protonkit test`. */
export interface TestCommandFlags {
  bundles: string;
  examples: string;
  concurrency?: string;
  timeout?: string;
  report?: string;
  keep?: boolean;
  workDir?: string;
  terraform?: string;
  pluginDir?: string;
  cliConfig?: string;
}

/** `protonkit test [template...]`: the template test runner (see `src/terraform/template-tests.ts`). */
export const testCommand: CommandModule = (program: Command) => {
  program
    .command("test")
    .description(
      "Render every template version with every example spec, then one terraform init (offline, no backend) and one terraform test per " +
        "template version and kind, every spec a run of its own (mocked AWS provider: the template's own .tftest.hcl files plus generated " +
        "baseline assertions on outputs and Proton tags).",
    )
    .argument("[template...]", "templates to test, as <template> or <template>/v<major> (default: all)")
    .option("--bundles <dir>", "bundles root, <template>/v<major>/ inside", "proton-bundles")
    .option("--examples <dir>", "examples root, <template>/specs/*.yaml and <template>/tests/**/*.tftest.hcl inside", "stacks")
    .option("--concurrency <n>", "directories tested at once (env PROTONKIT_TEST_CONCURRENCY; default: CPU count)")
    .option("--timeout <seconds>", "longest one Terraform command may run (env PROTONKIT_TEST_TIMEOUT; default 600)")
    .option("--report <file>", "write a JSON report")
    .option("--keep", "keep the temporary directories for debugging (their root is printed)")
    .option("--work-dir <dir>", "where to create the temporary directories (default: the OS temp directory)")
    .option("--terraform <path>", "Terraform binary (env PROTONKIT_TERRAFORM; default: terraform on PATH)")
    .option("--plugin-dir <dir>", "provider filesystem mirror for terraform init -plugin-dir (env PROTONKIT_PLUGIN_DIR)")
    .option("--cli-config <file>", "Terraform CLI config file (env TF_CLI_CONFIG_FILE)")
    .action(async (templates: string[], flags: TestCommandFlags) => {
      const settings = terraformSettings({ terraform: flags.terraform, pluginDir: flags.pluginDir, cliConfig: flags.cliConfig });
      const concurrency = resolveConcurrency(flags.concurrency);
      const timeoutMs = resolveTimeout(flags.timeout);
      // Loaded here, not at the top: the rest of the CLI starts without the renderer's dependencies.
      const renderer: TemplateRenderer<import("../../render").DeploymentContext> = await import("../../render");
      const run = await runTemplateTests(
        {
          bundlesDir: flags.bundles,
          examplesDir: flags.examples,
          templates,
          concurrency,
          timeoutMs,
          settings,
          keep: flags.keep === true,
          workDir: flags.workDir,
          onResult: (r) => process.stderr.write(`${r.status === "failed" ? "FAIL" : r.status === "passed" ? "ok  " : "skip"} ${r.template} ${r.version} ${r.spec} ${r.resource}\n`),
        },
        { renderer },
      );
      process.stdout.write(`${formatTable(run)}\n`);
      if (run.kept) process.stdout.write(`kept: ${run.workRoot}\n`);
      if (flags.report) writeFilesAtomically(path.dirname(path.resolve(flags.report)), [{ relativePath: path.basename(flags.report), content: jsonReport(run) }]);
      if (!run.ok) {
        process.stderr.write(`\n${formatFailures(run)}\n\n`);
        fail(`${run.summary.failed} of ${run.summary.total} template test(s) failed`, { fix: failureFix(run, settings) });
      }
    });
};
