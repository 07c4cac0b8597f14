import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fail, Problem, ProtonkitError } from "../errors";
import type { TemplateKind } from "../proton/contract";
import {
  BASELINE_TEST_FILE,
  baselineTestFile,
  checkProtonTags,
  DEFAULT_AWS_MOCK_DATA,
  mockedTypes,
  mockTargets,
  summarizeConfig,
  withMocks,
  type ConfigSummary,
  type MockTarget,
  type ResourceKind,
} from "./baseline";
import {
  initArgs,
  offlineTestEnv,
  runTerraform,
  terraformVersion,
  type TerraformRun,
  type TerraformSettings,
} from "./cli";
import { diskUsage, inspectProviderInstall, type ProviderInstall } from "./disk";
import { Mutex, runPool } from "./pool";

/** Options of the renderer's `render()` this runner calls (see `src/render`). */
export interface RenderCall<C> {
  readonly bundleDir: string;
  readonly specFile: string;
  readonly name: string;
  readonly outDir: string;
  readonly context?: C;
}

/** One directory the renderer wrote (see `src/render`). */
export interface RenderedDirectory {
  readonly kind: ResourceKind;
  readonly name: string;
  /** Absolute path. */
  readonly dir: string;
  /** Path under the render output directory, e.g. `prod/api-web`. */
  readonly relativeDir: string;
}

/** The part of a bundle the runner needs (see `readBundle` in `src/render`). */
export interface BundleInfo {
  readonly templateName: string;
  readonly major: number | string;
  readonly kind: TemplateKind;
}

/**
 * The renderer surface the runner uses, as exported by `src/render`. The CLI passes the real
 * module; unit tests may pass a fake. `C` is the renderer's deployment context type.
 */
export interface TemplateRenderer<C> {
  render(options: RenderCall<C>): readonly RenderedDirectory[];
  loadContextFile(file: string): C;
  readBundle(dir: string): BundleInfo;
}

/** Runs one Terraform command; the default is {@link runTerraform} with the run's settings. */
export type TerraformExec = (
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
) => Promise<TerraformRun>;

/** What {@link runTemplateTests} needs from outside; everything but the renderer has a real default. */
export interface TemplateTestDeps<C> {
  readonly renderer: TemplateRenderer<C>;
  /** Runs Terraform (default: spawn the configured binary). */
  readonly terraform?: TerraformExec;
  /** Checks Terraform is usable and returns its version (default: `terraform version`). */
  readonly checkTerraform?: (settings: TerraformSettings) => string;
  /** Milliseconds clock (default `Date.now`). */
  readonly now?: () => number;
}

/** Inputs of {@link runTemplateTests}. */
export interface TemplateTestOptions {
  /** Root of the committed bundles: `<bundles>/<template>/v<major>/`. */
  readonly bundlesDir: string;
  /** Root of the examples: `<examples>/<template>/{specs,tests}/`. */
  readonly examplesDir: string;
  /** `<template>` or `<template>/v<major>` to test; all when empty. */
  readonly templates?: readonly string[];
  /** Resource directories tested at once (default: CPU count). */
  readonly concurrency?: number;
  /** How to run Terraform. */
  readonly settings: TerraformSettings;
  /** Keep the temporary directories (their root is in the result). */
  readonly keep?: boolean;
  /** Where the temporary root is created (default: the OS temp directory). */
  readonly workDir?: string;
  /** Providers replaced by `mock_provider` (default `["aws"]`). */
  readonly mockProviders?: readonly string[];
  /** Longest one Terraform command may run, ms (default {@link DEFAULT_TIMEOUT_MS}); a slower one fails its step. */
  readonly timeoutMs?: number;
  /** Base environment for Terraform (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Called as each resource finishes, in completion order. */
  readonly onResult?: (result: ResourceTestResult) => void;
}

/** Outcome of one step. */
export type StepStatus = "passed" | "failed" | "skipped";

/** One step (render, init, validate, test, tags) of one resource. */
export interface StepResult {
  readonly status: StepStatus;
  readonly durationMs: number;
  /** On failure: the useful end of the output (Terraform's, or the problem found). */
  readonly output?: string;
}

/** The steps every resource goes through, in order. */
export const STEPS = ["render", "init", "validate", "test", "tags"] as const;
/** Name of one step. */
export type StepName = (typeof STEPS)[number];

/** The result for one rendered resource directory (or one spec that failed to render). */
export interface ResourceTestResult {
  /** Template folder name under the bundles root. */
  readonly template: string;
  /** `v<major>`. */
  readonly version: string;
  /** Spec file, relative to the examples root. */
  readonly spec: string;
  /** Rendered directory relative to the render output (`-` when rendering failed). */
  readonly resource: string;
  readonly kind?: ResourceKind;
  /** `failed` when any step failed; `skipped` when there was nothing to run (no spec). */
  readonly status: StepStatus;
  readonly steps: Readonly<Record<StepName, StepResult>>;
  /** `terraform test` run counts (template runs plus the baseline run). */
  readonly runs: { readonly passed: number; readonly failed: number };
  /** Test files run, as named inside the test directory, with their source (relative to the examples root, or `generated`). */
  readonly testFiles: readonly { readonly file: string; readonly source: string; readonly mocksAdded: readonly string[] }[];
  /** Outputs asserted by the baseline. */
  readonly outputs: readonly string[];
  /** Wall time of the resource's steps. */
  readonly durationMs: number;
  /** Disk use of the resource's directory after the run (links not followed). */
  readonly diskBytes: number;
  /** How `terraform init` installed providers there. */
  readonly providers?: ProviderInstall;
  /** Absolute path of the tested directory (gone unless the run kept it). */
  readonly dir?: string;
}

/** The whole run. */
export interface TemplateTestRun {
  /** True when nothing failed. */
  readonly ok: boolean;
  readonly terraformVersion: string;
  readonly concurrency: number;
  /** Temporary root of every tested directory. */
  readonly workRoot: string;
  /** Whether `workRoot` was kept. */
  readonly kept: boolean;
  /** How providers were shared: `plugin-dir` (links into the mirror) or `plugin-cache` (links into one cache). */
  readonly providerSharing: "plugin-dir" | "plugin-cache";
  readonly durationMs: number;
  /** Results sorted by template, version, spec, resource. */
  readonly results: readonly ResourceTestResult[];
  readonly summary: { readonly total: number; readonly passed: number; readonly failed: number; readonly skipped: number };
}

/** Default limit for one Terraform command: 10 minutes. */
export const DEFAULT_TIMEOUT_MS = 600_000;

/** Resolves `--timeout <seconds>` / `PROTONKIT_TEST_TIMEOUT` to milliseconds. */
export function resolveTimeout(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = flag ?? env.PROTONKIT_TEST_TIMEOUT;
  if (raw === undefined || raw === "") return DEFAULT_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    fail(`timeout must be a positive number of seconds, got ${JSON.stringify(raw)}`, {
      field: flag !== undefined ? "--timeout" : "PROTONKIT_TEST_TIMEOUT",
      fix: "pass e.g. --timeout 300",
    });
  }
  return Math.round(n * 1000);
}

/** Name of the test directory the runner fills inside each rendered directory. */
export const TEST_DIRECTORY = "protonkit-tests";

/** Resolves `--concurrency` / `PROTONKIT_TEST_CONCURRENCY`, defaulting to the CPU count. */
export function resolveConcurrency(flag: string | number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = flag ?? env.PROTONKIT_TEST_CONCURRENCY;
  if (raw === undefined || raw === "") return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  const n = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    fail(`concurrency must be a positive whole number, got ${JSON.stringify(raw)}`, {
      field: flag !== undefined ? "--concurrency" : "PROTONKIT_TEST_CONCURRENCY",
      fix: "pass e.g. --concurrency 4, or unset it to use the CPU count",
    });
  }
  return n;
}

/** Fails unless `version` (as `terraform version` prints it) supports `mock_provider` (1.7+). */
export function requireMockProviders(version: string, settings: Pick<TerraformSettings, "binary">): void {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return; // an unusual build string: let Terraform itself complain if it must
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > 1 || (major === 1 && minor >= 7)) return;
  fail(`Terraform ${version} at "${settings.binary}" cannot run template tests: mock_provider needs Terraform >= 1.7`, {
    field: "--terraform / PROTONKIT_TERRAFORM",
    fix: "install Terraform >= 1.7 (https://developer.hashicorp.com/terraform/install), or pass --terraform /path/to/a/newer/terraform",
  });
}

/** One major version of one template, found under the bundles root. */
export interface TemplateVersion {
  readonly template: string;
  readonly major: string;
  readonly bundleDir: string;
}

/** Lists `<bundles>/<template>/v<major>/` folders, sorted, filtered by `selectors` (`name` or `name/vN`). */
export function findTemplateVersions(bundlesDir: string, selectors: readonly string[] = []): TemplateVersion[] {
  if (!fs.existsSync(bundlesDir) || !fs.statSync(bundlesDir).isDirectory()) {
    fail(`bundles directory ${bundlesDir} does not exist`, {
      field: "--bundles",
      fix: "run `npm run synth` to write proton-bundles/, or pass --bundles <dir>",
    });
  }
  const all: TemplateVersion[] = [];
  for (const template of fs.readdirSync(bundlesDir).sort()) {
    const tdir = path.join(bundlesDir, template);
    if (template.startsWith(".") || !fs.statSync(tdir).isDirectory()) continue;
    for (const v of fs.readdirSync(tdir)) {
      const m = /^v([0-9]+)$/.exec(v);
      if (!m || !fs.statSync(path.join(tdir, v)).isDirectory()) continue;
      all.push({ template, major: m[1] as string, bundleDir: path.join(tdir, v) });
    }
  }
  all.sort((a, b) => a.template.localeCompare(b.template) || Number(a.major) - Number(b.major));
  if (selectors.length === 0) return all;
  const problems: Problem[] = [];
  const picked = new Set<TemplateVersion>();
  for (const sel of selectors) {
    const [name, ver] = sel.replace(/\/+$/, "").split("/");
    const hits = all.filter((tv) => tv.template === name && (ver === undefined || `v${tv.major}` === ver));
    if (hits.length === 0) {
      problems.push(
        new Problem(`no template version "${sel}" under ${bundlesDir}`, {
          field: "template",
          fix: `pick one of: ${[...new Set(all.map((tv) => tv.template))].join(", ") || "(none)"}; a version is written <template>/v<major>`,
        }),
      );
    }
    for (const h of hits) picked.add(h);
  }
  if (problems.length > 0) throw new ProtonkitError(problems, `${problems.length} unknown template selector(s)`);
  return all.filter((tv) => picked.has(tv));
}

const SPEC_FILE = /\.ya?ml$/;
const CONTEXT_FILE = /^context\.ya?ml$/;
const TFTEST = /\.tftest\.hcl$/;

function listFiles(dir: string, pattern: RegExp): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && pattern.test(e.name))
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** Example specs of a template version: `specs/*.yaml` plus `specs/v<major>/*.yaml`, without `context.yaml`. */
export function findSpecs(examplesDir: string, tv: TemplateVersion): { specs: string[]; context?: string } {
  const base = path.join(examplesDir, tv.template, "specs");
  const versioned = path.join(base, `v${tv.major}`);
  const specs = [...listFiles(base, SPEC_FILE), ...listFiles(versioned, SPEC_FILE)].filter((f) => !CONTEXT_FILE.test(path.basename(f)));
  const context = [...listFiles(versioned, CONTEXT_FILE), ...listFiles(base, CONTEXT_FILE)][0];
  return { specs, context };
}

/**
 * A template's own test files for one rendered resource. Environments and components read
 * `tests/*.tftest.hcl`; service instances read `tests/*.tftest.hcl` and `tests/instance/`;
 * pipelines read `tests/pipeline/`. Each of those folders may also have a `v<major>/` twin
 * whose files apply to that major version only. Mock data shared by all of them lives in
 * `tests/mocks/<provider>/*.tfmock.hcl` (see {@link withMockData}).
 */
export function findTemplateTests(examplesDir: string, tv: TemplateVersion, kind: ResourceKind): string[] {
  const root = path.join(examplesDir, tv.template, "tests");
  const subs: string[] = kind === "service_instance" ? ["", "instance"] : kind === "pipeline" ? ["pipeline"] : [""];
  const files: string[] = [];
  for (const sub of subs) {
    files.push(...listFiles(path.join(root, sub), TFTEST));
    files.push(...listFiles(path.join(root, `v${tv.major}`, sub), TFTEST));
  }
  return files;
}

/** The useful end of a Terraform run's output: the last lines of stdout, then of stderr. */
export function tailOutput(run: Pick<TerraformRun, "stdout" | "stderr">, maxLines = 40): string {
  const tail = (s: string, n: number): string => {
    const lines = s.replace(/\s+$/, "").split("\n");
    while (lines.length > 0 && (lines[0] ?? "").trim() === "") lines.shift();
    return lines.length > n ? [`... (${lines.length - n} lines before)`, ...lines.slice(-n)].join("\n") : lines.join("\n");
  };
  const parts: string[] = [];
  if (run.stdout.trim()) parts.push(tail(run.stdout, Math.ceil(maxLines / 2)));
  if (run.stderr.trim()) parts.push(tail(run.stderr, maxLines));
  return parts.join("\n");
}

/** Parses `Success! 2 passed, 0 failed.` / `Failure! 1 passed, 1 failed.` from `terraform test`. */
export function parseTestCounts(stdout: string): { passed: number; failed: number } {
  const all = [...stdout.matchAll(/(?:Success|Failure)! ([0-9]+) passed, ([0-9]+) failed/g)];
  const m = all[all.length - 1];
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 0 };
}

function slug(s: string): string {
  return s.replace(/[^0-9A-Za-z_-]+/g, "-").replace(/^-+|-+$/g, "") || "x";
}

/** A valid Proton resource name from a spec file name (`prod.yaml` -> `prod`). */
export function specResourceName(specFile: string): string {
  const base = path.basename(specFile).replace(SPEC_FILE, "");
  const name = base.replace(/[^0-9A-Za-z_-]+/g, "-").replace(/^[^0-9A-Za-z]+/, "");
  return (name || "example").slice(0, 100);
}

const skipped: StepResult = { status: "skipped", durationMs: 0 };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Job {
  readonly tv: TemplateVersion;
  readonly spec: string;
  readonly resource: RenderedDirectory;
  readonly render: StepResult;
}

/**
 * Tests every template version under `options.bundlesDir` against every example spec under
 * `options.examplesDir`: render, then per rendered directory `terraform init` (offline, no
 * backend, providers shared), `validate`, and `test` with mocked providers running the
 * template's own `.tftest.hcl` files and the generated baseline (see `./baseline`). Directories
 * run in parallel, at most `concurrency` at a time. Never throws for a failing template (it is
 * in the result); throws {@link ProtonkitError} when the run cannot start (no Terraform, no
 * bundles, unknown template).
 */
export async function runTemplateTests<C>(options: TemplateTestOptions, deps: TemplateTestDeps<C>): Promise<TemplateTestRun> {
  const now = deps.now ?? Date.now;
  const started = now();
  const settings = options.settings;
  const bundlesDir = path.resolve(options.bundlesDir);
  const examplesDir = path.resolve(options.examplesDir);
  const versions = findTemplateVersions(bundlesDir, options.templates ?? []);
  const concurrency = options.concurrency ?? resolveConcurrency(undefined, options.env ?? process.env);
  const tfVersion = (deps.checkTerraform ?? terraformVersion)(settings);
  requireMockProviders(tfVersion, settings);
  const mocked = options.mockProviders ?? ["aws"];

  const workParent = path.resolve(options.workDir ?? os.tmpdir());
  fs.mkdirSync(workParent, { recursive: true });
  const workRoot = fs.mkdtempSync(path.join(workParent, "protonkit-test-"));

  // One provider installation for all directories. With a plugin directory (an unpacked
  // filesystem mirror) `terraform init -plugin-dir` links each provider package into the
  // mirror. Without one, every init goes through a single plugin cache, serialized (the cache
  // is not safe for concurrent writers), and links from there.
  const baseEnv = options.env ?? process.env;
  const sharing: TemplateTestRun["providerSharing"] = settings.pluginDir ? "plugin-dir" : "plugin-cache";
  const extraEnv: NodeJS.ProcessEnv = {};
  if (sharing === "plugin-cache") {
    const cache = baseEnv.TF_PLUGIN_CACHE_DIR || path.join(workRoot, ".plugin-cache");
    fs.mkdirSync(cache, { recursive: true });
    extraEnv.TF_PLUGIN_CACHE_DIR = cache;
    extraEnv.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true";
  }
  const env = offlineTestEnv(settings, baseEnv, extraEnv);
  const exec: TerraformExec = deps.terraform ?? ((args, o) => runTerraform(settings, args, o));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const initLock = sharing === "plugin-cache" ? new Mutex() : undefined;

  const results: ResourceTestResult[] = [];
  const report = (r: ResourceTestResult): void => {
    results.push(r);
    options.onResult?.(r);
  };
  const jobs: Job[] = [];

  try {
    for (const tv of versions) {
      const version = `v${tv.major}`;
      const base = { template: tv.template, version, runs: { passed: 0, failed: 0 }, testFiles: [], outputs: [], diskBytes: 0 };
      const failRender = (spec: string, t0: number, message: string): void =>
        report({
          ...base,
          spec,
          resource: "-",
          status: "failed",
          steps: { render: { status: "failed", durationMs: now() - t0, output: message }, init: skipped, validate: skipped, test: skipped, tags: skipped },
          durationMs: now() - t0,
        });
      try {
        deps.renderer.readBundle(tv.bundleDir);
      } catch (err) {
        failRender("-", now(), `bundle ${tv.bundleDir}: ${errorText(err)}`);
        continue;
      }
      const found = findSpecs(examplesDir, tv);
      if (found.specs.length === 0) {
        report({
          ...base,
          spec: "-",
          resource: "-",
          status: "skipped",
          steps: { render: skipped, init: skipped, validate: skipped, test: skipped, tags: skipped },
          durationMs: 0,
        });
        continue;
      }
      let context: C | undefined;
      if (found.context) {
        const t0 = now();
        try {
          context = deps.renderer.loadContextFile(found.context);
        } catch (err) {
          failRender(path.relative(examplesDir, found.context), t0, errorText(err));
          continue;
        }
      }
      for (const specFile of found.specs) {
        const spec = path.relative(examplesDir, specFile);
        const t0 = now();
        const stem = path.join(workRoot, `${slug(tv.template)}-${version}-${slug(path.basename(specFile).replace(SPEC_FILE, ""))}`);
        let outDir = stem;
        for (let n = 2; fs.existsSync(outDir); n++) outDir = `${stem}-${n}`; // specs/x.yaml and specs/v1/x.yaml
        let rendered: readonly RenderedDirectory[];
        try {
          rendered = deps.renderer.render({ bundleDir: tv.bundleDir, specFile, name: specResourceName(specFile), outDir, context });
        } catch (err) {
          failRender(spec, t0, errorText(err));
          continue;
        }
        const render: StepResult = { status: "passed", durationMs: now() - t0 };
        if (rendered.length === 0) {
          failRender(spec, t0, "the renderer produced no resource directory for this spec");
          continue;
        }
        for (const resource of [...rendered].sort((a, b) => a.relativeDir.localeCompare(b.relativeDir))) {
          jobs.push({ tv, spec, resource, render });
        }
      }
    }

    await runPool(jobs, concurrency, async (job) => {
      const r = await testResource(job, { examplesDir, exec, env, settings, initLock, mocked, now, timeoutMs });
      report(r);
      return r;
    });
  } finally {
    if (!options.keep) fs.rmSync(workRoot, { recursive: true, force: true });
  }

  const sorted = [...results].sort(
    (a, b) =>
      a.template.localeCompare(b.template) ||
      Number(a.version.slice(1)) - Number(b.version.slice(1)) ||
      a.spec.localeCompare(b.spec) ||
      a.resource.localeCompare(b.resource),
  );
  const count = (s: StepStatus): number => sorted.filter((r) => r.status === s).length;
  const summary = { total: sorted.length, passed: count("passed"), failed: count("failed"), skipped: count("skipped") };
  return {
    ok: summary.failed === 0,
    terraformVersion: tfVersion,
    concurrency,
    workRoot,
    kept: options.keep === true,
    providerSharing: sharing,
    durationMs: now() - started,
    results: sorted,
    summary,
  };
}

/**
 * Completes the mocks protonkit writes: a template's `tests/mocks/<provider>/*.tfmock.hcl`
 * become the mock's `source` (copied along with `tests/`), and protonkit's
 * {@link DEFAULT_AWS_MOCK_DATA} is added inline for the data sources the configuration reads
 * and the template's own mock files do not cover (inline blocks would win over `source`).
 */
export function withMockData(summary: ConfigSummary, targets: readonly MockTarget[], testsRoot: string): MockTarget[] {
  const used = new Set(summary.resources.map((r) => r.address.split(".").slice(0, -1).join(".")));
  return targets.map((t) => {
    const mockDir = path.join(testsRoot, "mocks", t.name);
    const hasSource = listFiles(mockDir, /\.tfmock\.hcl$/).length > 0;
    const own = hasSource ? mockedTypes(mockDir) : new Set<string>();
    const defaults = t.name === "aws" ? DEFAULT_AWS_MOCK_DATA : {};
    const data = Object.fromEntries(Object.entries(defaults).filter(([type]) => used.has(`data.${type}`) && !own.has(`data.${type}`)));
    return { ...t, source: hasSource ? `./tests/mocks/${t.name}` : undefined, data };
  });
}

interface JobContext {
  readonly examplesDir: string;
  readonly exec: TerraformExec;
  readonly env: NodeJS.ProcessEnv;
  readonly settings: TerraformSettings;
  readonly initLock?: Mutex;
  readonly mocked: readonly string[];
  readonly now: () => number;
  readonly timeoutMs: number;
}

async function testResource(job: Job, ctx: JobContext): Promise<ResourceTestResult> {
  const { now } = ctx;
  const t0 = now();
  const dir = job.resource.dir;
  const steps: Record<StepName, StepResult> = { render: job.render, init: skipped, validate: skipped, test: skipped, tags: skipped };
  const testFiles: { file: string; source: string; mocksAdded: string[] }[] = [];
  let runs = { passed: 0, failed: 0 };
  let outputs: readonly string[] = [];

  const step = async (name: "init" | "validate" | "test", args: readonly string[]): Promise<TerraformRun> => {
    const s0 = now();
    const go = (): Promise<TerraformRun> => ctx.exec(args, { cwd: dir, env: ctx.env, timeoutMs: ctx.timeoutMs });
    const run = name === "init" && ctx.initLock ? await ctx.initLock.run(go) : await go();
    steps[name] = run.code === 0 ? { status: "passed", durationMs: now() - s0 } : { status: "failed", durationMs: now() - s0, output: tailOutput(run) };
    return run;
  };

  try {
    // Static analysis and the test directory come first, so a broken file fails before Terraform runs.
    const s0 = now();
    const summary = summarizeConfig(dir);
    outputs = summary.outputs;
    const tagProblems = checkProtonTags(summary);
    steps.tags =
      tagProblems.length === 0
        ? { status: "passed", durationMs: now() - s0 }
        : {
            status: "failed",
            durationMs: now() - s0,
            output: tagProblems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.message}`).join("\n"),
          };
    const testsRoot = path.join(ctx.examplesDir, job.tv.template, "tests");
    const targets = withMockData(summary, mockTargets(summary, ctx.mocked), testsRoot);
    const testDir = path.join(dir, TEST_DIRECTORY);
    fs.mkdirSync(testDir, { recursive: true });
    if (fs.existsSync(testsRoot)) {
      // Helper modules and mock data referenced as ./tests/... resolve as they do beside the stack.
      fs.cpSync(testsRoot, path.join(dir, "tests"), { recursive: true });
    }
    for (const source of findTemplateTests(ctx.examplesDir, job.tv, job.resource.kind)) {
      const rel = path.relative(testsRoot, source);
      const file = rel.split(path.sep).join("-");
      const { text, added } = withMocks(fs.readFileSync(source, "utf8"), targets);
      fs.writeFileSync(path.join(testDir, file), text);
      testFiles.push({ file, source: path.relative(ctx.examplesDir, source), mocksAdded: added });
    }
    fs.writeFileSync(path.join(testDir, BASELINE_TEST_FILE), baselineTestFile(summary, job.resource.kind, targets));
    testFiles.push({ file: BASELINE_TEST_FILE, source: "generated", mocksAdded: [] });

    const init = await step("init", initArgs(ctx.settings, ["-backend=false"]));
    if (init.code === 0) {
      const validate = await step("validate", ["validate", "-no-color"]);
      if (validate.code === 0) {
        const test = await step("test", ["test", "-no-color", `-test-directory=${TEST_DIRECTORY}`]);
        runs = parseTestCounts(test.stdout);
      }
    }
  } catch (err) {
    // A runner-side failure (unreadable file, ...) belongs to this resource only.
    const failed = STEPS.find((s) => steps[s].status === "skipped") ?? "test";
    steps[failed] = { status: "failed", durationMs: 0, output: errorText(err) };
  }

  const providers = fs.existsSync(path.join(dir, ".terraform")) ? inspectProviderInstall(dir) : undefined;
  const status: StepStatus = STEPS.some((s) => steps[s].status === "failed") ? "failed" : "passed";
  return {
    template: job.tv.template,
    version: `v${job.tv.major}`,
    spec: job.spec,
    resource: job.resource.relativeDir.split(path.sep).join("/") || ".",
    kind: job.resource.kind,
    status,
    steps,
    runs,
    testFiles,
    outputs,
    durationMs: now() - t0,
    diskBytes: diskUsage(dir),
    providers,
    dir,
  };
}
