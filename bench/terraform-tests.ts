// One `protonkit test` run in-process with a given strategy, for bench/run.ts to time from
// outside (wall time and peak RSS under GNU time). Prints one JSON line: processes, results.
// Usage: node -r ./bin/ts-register.js bench/terraform-tests.ts <batched|per-directory> [template...]
import * as path from "node:path";
import * as renderer from "../src/render";
import { terraformSettings } from "../src/terraform/cli";
import { runTemplateTests, type TestStrategy } from "../src/terraform/template-tests";
import { failureFix, formatFailures } from "../src/terraform/test-report";

const root = path.join(__dirname, "..");
const [strategy, ...templates] = process.argv.slice(2) as [TestStrategy, ...string[]];

const settings = terraformSettings();
runTemplateTests(
  {
    bundlesDir: path.join(root, "proton-bundles"),
    examplesDir: path.join(root, "stacks"),
    templates,
    settings,
    strategy,
  },
  { renderer },
).then(
  (run) => {
    process.stdout.write(
      `${JSON.stringify({ ok: run.ok, strategy: run.strategy, terraformProcesses: run.terraformProcesses, sharedProviders: run.sharedProviders, concurrency: run.concurrency, results: run.summary.total, passed: run.summary.passed })}\n`,
    );
    if (!run.ok) {
      // A failed run times nothing worth comparing: say why, as `protonkit test` would.
      process.stderr.write(`${formatFailures(run)}\nfix: ${failureFix(run, settings)}\n`);
      process.exitCode = 1;
    }
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
