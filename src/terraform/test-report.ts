import type { TerraformSettings } from "./cli";
import { formatBytes } from "./disk";
import { STEPS, type ResourceTestResult, type StepResult, type TemplateTestRun } from "./template-tests";

function cell(step: StepResult): string {
  return step.status === "passed" ? "ok" : step.status === "failed" ? "FAIL" : "-";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The columns of the summary table, in order. VALIDATE is there for the `per-directory`
 * strategy only: the batched one runs no separate `terraform validate` (`test` validates).
 * TIME is the wall time of the Terraform work the row shared (one directory per template
 * version and kind when batched).
 */
export const TABLE_COLUMNS = ["TEMPLATE", "VERSION", "SPEC", "RESOURCE", "INIT", "VALIDATE", "TEST", "TAGS", "RUNS", "TIME"] as const;

function columns(run: Pick<TemplateTestRun, "strategy">): number[] {
  return TABLE_COLUMNS.map((_, i) => i).filter((i) => run.strategy === "per-directory" || TABLE_COLUMNS[i] !== "VALIDATE");
}

/** One row of the summary table (every column of {@link TABLE_COLUMNS}). */
export function tableRow(r: ResourceTestResult): string[] {
  const resource = r.steps.render.status === "failed" ? "(render failed)" : r.status === "skipped" ? "(no example spec)" : r.resource;
  const runs = r.steps.test.status === "skipped" ? "-" : `${r.runs.passed}/${r.runs.passed + r.runs.failed}`;
  return [r.template, r.version, r.spec, resource, cell(r.steps.init), cell(r.steps.validate), cell(r.steps.test), cell(r.steps.tags), runs, seconds(r.durationMs)];
}

/** Aligned plain-text table of every result, then a summary line. */
export function formatTable(run: TemplateTestRun): string {
  const keep = columns(run);
  const rows = [[...TABLE_COLUMNS], ...run.results.map(tableRow)].map((row) => keep.map((i) => row[i] ?? ""));
  const widths = keep.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const lines = rows.map((row: string[]) =>
    row
      .map((v, c) => v.padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const { total, passed, failed, skipped } = run.summary;
  // Batched rows share a directory: count each directory once.
  const dirs = new Map(run.results.map((r, i) => [r.dir ?? String(i), r.providers?.bytes ?? 0]));
  const disk = [...dirs.values()].reduce((a, b) => a + b, 0);
  lines.push(
    "",
    `${failed === 0 ? "PASS" : "FAIL"}: ${passed} passed, ${failed} failed, ${skipped} without example spec, ${total} total in ${seconds(run.durationMs)} ` +
      `(Terraform ${run.terraformVersion}, ${run.terraformProcesses} Terraform processes${run.sharedProviders > 0 ? `, ${run.sharedProviders} shared provider process${run.sharedProviders === 1 ? "" : "es"}` : ""}, ${run.strategy}, concurrency ${run.concurrency}, providers via ${run.providerSharing}, .terraform total ${formatBytes(disk)})`,
  );
  return lines.join("\n");
}

/** For every failed step: a header naming template, version, spec, resource and step, then the useful end of its output. */
export function formatFailures(run: TemplateTestRun): string {
  const blocks: string[] = [];
  for (const r of run.results) {
    for (const s of STEPS) {
      const step = r.steps[s];
      if (step.status !== "failed") continue;
      blocks.push(`--- ${r.template} ${r.version} ${r.spec} ${r.resource}: ${s} failed ---\n${step.output ?? "(no output)"}`);
    }
  }
  return blocks.join("\n\n");
}

/** The JSON report (`--report`): the whole run, with paths as they were and durations in ms. */
export function jsonReport(run: TemplateTestRun): string {
  const body = {
    ok: run.ok,
    strategy: run.strategy,
    terraformProcesses: run.terraformProcesses,
    sharedProviders: run.sharedProviders,
    terraformVersion: run.terraformVersion,
    concurrency: run.concurrency,
    providerSharing: run.providerSharing,
    durationMs: run.durationMs,
    summary: run.summary,
    workRoot: run.kept ? run.workRoot : undefined,
    results: run.results.map((r) => ({
      template: r.template,
      version: r.version,
      spec: r.spec,
      resource: r.resource,
      kind: r.kind,
      status: r.status,
      durationMs: r.durationMs,
      steps: r.steps,
      runs: r.runs,
      testFiles: r.testFiles,
      outputs: r.outputs,
      diskBytes: r.diskBytes,
      providers: r.providers,
      dir: run.kept ? r.dir : undefined,
    })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** True when Terraform's output says it could not reach the provider registry (offline, proxy, DNS). */
export function isRegistryError(output: string): boolean {
  return (
    /Failed to (query available provider packages|install provider|retrieve available versions)|could not connect to registry|registry\.terraform\.io.*(dial tcp|no such host|i\/o timeout|connection refused|TLS handshake)/s.test(
      output,
    )
  );
}

/**
 * The fix line of a failed `protonkit test`, from what actually failed: a render error is the
 * spec's or bundle's (listed above, no Terraform ran); a provider download that failed offline
 * points at the plugin directory; a Terraform failure at its output.
 */
export function failureFix(run: TemplateTestRun, settings: Pick<TerraformSettings, "pluginDir">): string {
  const failed = (s: (typeof STEPS)[number]): ResourceTestResult[] => run.results.filter((r) => r.steps[s].status === "failed");
  const fixes: string[] = [];
  if (failed("render").length > 0) fixes.push("fix the spec, context or bundle problems listed above (rendering failed, so Terraform did not run for them)");
  const init = failed("init");
  if (init.some((r) => isRegistryError(r.steps.init.output ?? ""))) {
    fixes.push(
      settings.pluginDir
        ? `terraform init could not find a provider in the plugin directory ${settings.pluginDir} and tried the registry: add the provider to that mirror (registry.terraform.io/<namespace>/<type>/<version>/<os_arch>/)`
        : "terraform init could not reach the provider registry: offline, point --plugin-dir (or PROTONKIT_PLUGIN_DIR) at a filesystem mirror of the providers (registry.terraform.io/<namespace>/<type>/<version>/<os_arch>/)",
    );
  }
  if (init.length > 0 || failed("validate").length > 0 || failed("test").length > 0) {
    fixes.push("read the Terraform output above; rerun with --keep to inspect the rendered directories");
  }
  if (failed("tags").length > 0) fixes.push("tag every resource through the AWS provider: default_tags { tags = var.proton_tags } (the files and lines are above)");
  return fixes.join("; ") || "see the failures above";
}
