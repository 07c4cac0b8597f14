import { formatBytes } from "./disk";
import { STEPS, type ResourceTestResult, type StepResult, type TemplateTestRun } from "./template-tests";

function cell(step: StepResult): string {
  return step.status === "passed" ? "ok" : step.status === "failed" ? "FAIL" : "-";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The columns of the summary table, in order. */
export const TABLE_COLUMNS = ["TEMPLATE", "VERSION", "SPEC", "RESOURCE", "INIT", "VALIDATE", "TEST", "TAGS", "RUNS", "TIME"] as const;

/** One row of the summary table. */
export function tableRow(r: ResourceTestResult): string[] {
  const resource = r.steps.render.status === "failed" ? "(render failed)" : r.status === "skipped" ? "(no example spec)" : r.resource;
  const runs = r.steps.test.status === "skipped" ? "-" : `${r.runs.passed}/${r.runs.passed + r.runs.failed}`;
  return [r.template, r.version, r.spec, resource, cell(r.steps.init), cell(r.steps.validate), cell(r.steps.test), cell(r.steps.tags), runs, seconds(r.durationMs)];
}

/** Aligned plain-text table of every result, then a summary line. */
export function formatTable(run: TemplateTestRun): string {
  const rows = [[...TABLE_COLUMNS], ...run.results.map(tableRow)];
  const widths = TABLE_COLUMNS.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const lines = rows.map((row) =>
    row
      .map((v, c) => v.padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const { total, passed, failed, skipped } = run.summary;
  const disk = run.results.reduce((a, r) => a + (r.providers?.bytes ?? 0), 0);
  lines.push(
    "",
    `${failed === 0 ? "PASS" : "FAIL"}: ${passed} passed, ${failed} failed, ${skipped} without example spec, ${total} total in ${seconds(run.durationMs)} ` +
      `(Terraform ${run.terraformVersion}, concurrency ${run.concurrency}, providers via ${run.providerSharing}, .terraform total ${formatBytes(disk)})`,
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
