// Template test benchmark: wall time of `protonkit test` over every template, time per
// template, and the disk the provider takes across all test directories. Called by
// bench/run.ts; runnable alone: `npx ts-node --transpile-only bench/terraform-tests.ts`.
import * as fs from "node:fs";
import * as path from "node:path";
import * as renderer from "../src/render";
import { ProtonkitError } from "../src/errors";
import { terraformSettings } from "../src/terraform/cli";
import { diskUsage, formatBytes } from "../src/terraform/disk";
import { runTemplateTests, type TemplateTestRun } from "../src/terraform/template-tests";

const root = path.join(__dirname, "..");

/** Numbers measured by {@link measureTemplateTests}. */
export interface TemplateTestMeasurements {
  readonly run: TemplateTestRun;
  /** Wall time of the whole run, ms. */
  readonly wallMs: number;
  /** Per template version: resources tested, summed step times and wall span (first start to last end), ms. */
  readonly perTemplate: readonly {
    readonly template: string;
    readonly version: string;
    readonly resources: number;
    readonly initMs: number;
    readonly validateMs: number;
    readonly testMs: number;
    readonly totalMs: number;
  }[];
  /** `du` of every `.terraform/` (links not followed), summed over the test directories. */
  readonly providerBytes: number;
  /** `du` of the whole temporary root after the run (links not followed). */
  readonly workRootBytes: number;
  /** `du` of the provider mirror: what each directory would take if providers were copied. */
  readonly pluginDirBytes?: number;
  /** Directories tested. */
  readonly directories: number;
  /** Median `terraform init` time per directory, ms. */
  readonly medianInitMs: number;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Runs the template tests over `bundles`/`examples` (default: the repository's) and measures them. */
export async function measureTemplateTests(
  bundles = path.join(root, "proton-bundles"),
  examples = path.join(root, "stacks"),
): Promise<TemplateTestMeasurements> {
  const settings = terraformSettings();
  const t0 = Date.now();
  const run = await runTemplateTests({ bundlesDir: bundles, examplesDir: examples, settings, keep: true }, { renderer });
  const wallMs = Date.now() - t0;
  try {
    const tested = run.results.filter((r) => r.status !== "skipped" && r.steps.render.status === "passed");
    const groups = new Map<string, typeof tested>();
    for (const r of tested) groups.set(`${r.template}\u0000${r.version}`, [...(groups.get(`${r.template}\u0000${r.version}`) ?? []), r]);
    const perTemplate = [...groups.entries()].map(([key, rs]) => {
      const [template, version] = key.split("\u0000") as [string, string];
      const sum = (f: (r: (typeof rs)[number]) => number): number => rs.reduce((a, r) => a + f(r), 0);
      return {
        template,
        version,
        resources: rs.length,
        initMs: sum((r) => r.steps.init.durationMs),
        validateMs: sum((r) => r.steps.validate.durationMs),
        testMs: sum((r) => r.steps.test.durationMs),
        totalMs: sum((r) => r.durationMs),
      };
    });
    return {
      run,
      wallMs,
      perTemplate,
      providerBytes: tested.reduce((a, r) => a + (r.providers?.bytes ?? 0), 0),
      workRootBytes: diskUsage(run.workRoot),
      pluginDirBytes: settings.pluginDir ? diskUsage(settings.pluginDir) : undefined,
      directories: tested.length,
      medianInitMs: median(tested.map((r) => r.steps.init.durationMs)),
    };
  } finally {
    fs.rmSync(run.workRoot, { recursive: true, force: true });
  }
}

const s = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * The benchmark bench/run.ts prints: a Markdown table per template version and the totals.
 * Roots default to the repository's; `BENCH_TEMPLATE_BUNDLES` / `BENCH_TEMPLATE_EXAMPLES`
 * point it elsewhere (e.g. a scratch synth). Without Terraform it returns a line saying why it
 * was skipped instead of failing the bench.
 */
export async function benchTemplateTests(): Promise<string> {
  let m: TemplateTestMeasurements;
  try {
    m = await measureTemplateTests(
      process.env.BENCH_TEMPLATE_BUNDLES ? path.resolve(process.env.BENCH_TEMPLATE_BUNDLES) : undefined,
      process.env.BENCH_TEMPLATE_EXAMPLES ? path.resolve(process.env.BENCH_TEMPLATE_EXAMPLES) : undefined,
    );
  } catch (err) {
    if (err instanceof ProtonkitError) return `Template tests: skipped (${err.message})`;
    throw err;
  }
  const { run } = m;
  const out = [
    `Template tests (protonkit test, real Terraform ${run.terraformVersion}, mocked AWS provider, concurrency ${run.concurrency}, providers via ${run.providerSharing}):`,
    "",
    "| template | version | dirs | init (s) | validate (s) | test (s) | total (s) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...m.perTemplate.map((p) => `| ${p.template} | ${p.version} | ${p.resources} | ${s(p.initMs)} | ${s(p.validateMs)} | ${s(p.testMs)} | ${s(p.totalMs)} |`),
    "",
    `- wall time, all templates: ${s(m.wallMs)} s for ${m.directories} directories (${run.summary.passed} passed, ${run.summary.failed} failed, ${run.summary.skipped} without example spec)`,
    `- median terraform init per directory: ${s(m.medianInitMs)} s`,
    `- provider disk across all test directories (du of .terraform/, links not followed): ${formatBytes(m.providerBytes)}` +
      (m.directories > 0 ? ` (${formatBytes(Math.round(m.providerBytes / m.directories))} per directory)` : ""),
    `- whole temporary root: ${formatBytes(m.workRootBytes)}` +
      (m.pluginDirBytes !== undefined ? `; copying the mirror (${formatBytes(m.pluginDirBytes)}) into each directory would take ${formatBytes(m.pluginDirBytes * m.directories)}` : ""),
  ];
  return out.join("\n");
}

if (require.main === module) {
  benchTemplateTests().then(
    (report) => process.stdout.write(`${report}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
