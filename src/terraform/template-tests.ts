import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fail, Problem, ProtonkitError } from "../errors";
import type { TemplateKind } from "../proton/contract";
import {
  BASELINE_TEST_FILE,
  baselineCommand,
  baselineTestFile,
  checkProtonTags,
  DEFAULT_AWS_MOCK_DATA,
  mockedTypes,
  mockTargets,
  summarizeConfig,
  withMocks,
  type ConfigSummary,
  type MockTarget,
  type MockValue,
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
import { arnDefaults } from "./arn-defaults";
import { scanHcl } from "./hcl-scan";
import { configDigest, copyConfig, forLaterSpecs, parseTestJson, specFileName, specVariables, testRuns, withSpecVariables, type TestJson } from "./batch";
import { diskUsage, inspectProviderInstall, type ProviderInstall } from "./disk";
import { Mutex, runPool } from "./pool";
import { SharedProviders, type StartProvider } from "./provider-server";
import { sharedTestDirs, testFileName } from "./shared-tests";

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
  /** Starts a mocked provider once for the run (default: its debug mode, see `./provider-server`). */
  readonly startProvider?: StartProvider;
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
  /**
   * How Terraform is started (default `batched`): `batched` runs one `terraform init` and one
   * `terraform test` per template version and kind, every example spec as its own test files
   * there (see `./batch`); `per-directory` runs init, validate and test in every rendered
   * directory, as protonkit did before (kept to measure against, in `npm run bench`).
   */
  readonly strategy?: TestStrategy;
}

/** See {@link TemplateTestOptions.strategy}. */
export type TestStrategy = "batched" | "per-directory";

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
  readonly testFiles: readonly TestFileUse[];
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

/** One test file a resource ran. */
export interface TestFileUse {
  /** Name inside the test directory. */
  readonly file: string;
  /** Relative to the examples root, or `generated`. */
  readonly source: string;
  /** Mocked provider configurations protonkit added. */
  readonly mocksAdded: readonly string[];
  /** Scenario runs left to the first spec's copy of the file (see `forLaterSpecs` in `./batch`). */
  readonly runsLeftOut?: readonly string[];
}

/** The whole run. */
export interface TemplateTestRun {
  /** How Terraform was started. */
  readonly strategy: TestStrategy;
  /** Terraform processes started (the version check not counted). */
  readonly terraformProcesses: number;
  /** Provider processes started once and shared by every `terraform test` (see `./provider-server`). */
  readonly sharedProviders: number;
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

/**
 * Fails unless `version` (as `terraform version` prints it) runs the generated tests: they
 * use `mock_provider` (1.7) and mocked values from the plan on, `override_during` (1.11).
 */
export function requireMockProviders(version: string, settings: Pick<TerraformSettings, "binary">): void {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return; // an unusual build string: let Terraform itself complain if it must
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > 1 || (major === 1 && minor >= 11)) return;
  fail(`Terraform ${version} at "${settings.binary}" cannot run template tests: their mocked plans (override_during) need Terraform >= 1.11`, {
    field: "--terraform / PROTONKIT_TERRAFORM",
    fix: "install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install), or pass --terraform /path/to/a/newer/terraform",
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
 * A template's test files for one rendered resource. Environments and components read
 * `tests/*.tftest.hcl`; service instances read `tests/*.tftest.hcl` and `tests/instance/`;
 * pipelines read `tests/pipeline/`. Each of those folders may also have a `v<major>/` twin
 * whose files apply to that major version only. Mock data shared by all of them lives in
 * `tests/mocks/<provider>/*.tfmock.hcl` (see {@link withMockData}). Then the tests of the
 * shared modules the template imports, in the same layout (see `./shared-tests`).
 */
export function findTemplateTests(examplesDir: string, tv: TemplateVersion, kind: ResourceKind): string[] {
  const root = path.join(examplesDir, tv.template, "tests");
  const subs: string[] = kind === "service_instance" ? ["", "instance"] : kind === "pipeline" ? ["pipeline"] : [""];
  const files: string[] = [];
  for (const sub of subs) {
    files.push(...listFiles(path.join(root, sub), TFTEST));
    files.push(...listFiles(path.join(root, `v${tv.major}`, sub), TFTEST));
  }
  for (const shared of sharedTestDirs(examplesDir, tv.template)) {
    for (const sub of subs) files.push(...listFiles(path.join(shared, sub), TFTEST));
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
  let processes = 0;
  const rawExec: TerraformExec = deps.terraform ?? ((args, o) => runTerraform(settings, args, o));
  const exec: TerraformExec = (args, o) => {
    processes++;
    return rawExec(args, o);
  };
  const strategy = options.strategy ?? "batched";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const initLock = sharing === "plugin-cache" ? new Mutex() : undefined;
  // A provider the caller attached already (TF_REATTACH_PROVIDERS) is theirs: start none then.
  const providers = strategy === "batched" && !env.TF_REATTACH_PROVIDERS ? new SharedProviders(env, deps.startProvider) : undefined;
  let sharedProviders = 0;

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

    const ctx: JobContext = { examplesDir, exec, env, settings, initLock, mocked, now, timeoutMs, providers };
    if (strategy === "per-directory") {
      await runPool(jobs, concurrency, async (job) => {
        const r = await testResource(job, ctx);
        report(r);
        return r;
      });
    } else {
      // Every group's files first, then the costliest groups first, so no long one starts last.
      const prepared = groupJobs(jobs, workRoot)
        .map((g) => prepareGroup(g, ctx))
        .sort((a, b) => b.cost - a.cost);
      await runPool(prepared, concurrency, async (group) => {
        const rs = await testGroup(group, ctx);
        for (const r of rs) report(r);
        return rs;
      });
    }
  } finally {
    if (providers) {
      sharedProviders = await providers.count();
      await providers.stopAll();
    }
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
    strategy,
    terraformProcesses: processes,
    sharedProviders,
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
 * become the mock's `source` (copied along with `tests/`), and protonkit adds inline defaults
 * for what the template's own mock files do not cover (inline blocks would win over `source`):
 * {@link DEFAULT_AWS_MOCK_DATA} for the data sources the configuration reads, and an ARN-shaped
 * value for every computed ARN attribute of the resources and data sources it uses (see
 * `./arn-defaults`). With `everyType`, every type the configuration uses gets a block, empty if
 * there is nothing to set, so `override_during = plan` covers all of them.
 */
export function withMockData(summary: ConfigSummary, targets: readonly MockTarget[], testsRoot: string, everyType = false): MockTarget[] {
  const used = new Set(summary.resources.map((r) => r.address.split(".").slice(0, -1).join(".")));
  return targets.map((t) => {
    const mockDir = path.join(testsRoot, "mocks", t.name);
    const hasSource = listFiles(mockDir, /\.tfmock\.hcl$/).length > 0;
    const own = hasSource ? mockedTypes(mockDir) : new Set<string>();
    const data: Record<string, Record<string, MockValue>> = {};
    const resources: Record<string, Record<string, MockValue>> = {};
    for (const u of [...used].sort()) {
      if (own.has(u.startsWith("data.") ? u : `resource.${u}`)) continue;
      const type = u.replace(/^data\./, "");
      if (!type.startsWith(`${t.name}_`)) continue;
      const aws = t.name === "aws";
      const defaults = u.startsWith("data.")
        ? { ...(aws ? arnDefaults("data", type) : {}), ...(aws ? (DEFAULT_AWS_MOCK_DATA[type] ?? {}) : {}) }
        : aws
          ? arnDefaults("resource", type)
          : {};
      if (Object.keys(defaults).length === 0 && !everyType) continue;
      (u.startsWith("data.") ? data : resources)[type] = defaults;
    }
    return { ...t, source: hasSource ? `./tests/mocks/${t.name}` : undefined, data, resources };
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
  readonly providers?: SharedProviders;
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
      const file = testFileName(ctx.examplesDir, job.tv.template, source);
      const { text, added } = withMocks(fs.readFileSync(source, "utf8"), targets, (src) => mockedTypes(path.resolve(dir, src)));
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

/** Rendered directories of one template version and kind that share one configuration (see `./batch`). */
interface Group {
  readonly tv: TemplateVersion;
  readonly kind: ResourceKind;
  /** The shared working directory. */
  readonly dir: string;
  /** Each spec's rendered directory, with the key its test files are named by. */
  readonly members: readonly { readonly job: Job; readonly key: string }[];
}

/** Groups jobs by template version, kind and configuration digest, in job order. */
function groupJobs(jobs: readonly Job[], workRoot: string): Group[] {
  const groups = new Map<string, { tv: TemplateVersion; kind: ResourceKind; members: { job: Job; key: string }[] }>();
  for (const job of jobs) {
    const id = `${job.tv.template}\u0000${job.tv.major}\u0000${job.resource.kind}\u0000${configDigest(job.resource.dir)}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { tv: job.tv, kind: job.resource.kind, members: [] }));
    const stem = slug(`${path.basename(job.spec).replace(SPEC_FILE, "")}-${job.resource.name}`);
    let key = stem;
    for (let n = 2; g.members.some((m) => m.key === key); n++) key = `${stem}-${n}`;
    g.members.push({ job, key });
  }
  const used = new Set<string>();
  return [...groups.values()].map((g) => {
    const stem = path.join(workRoot, `${slug(g.tv.template)}-v${g.tv.major}-${g.kind.replace(/_/g, "-")}`);
    let dir = stem;
    for (let n = 2; used.has(dir); n++) dir = `${stem}-${n}`;
    used.add(dir);
    return { ...g, dir };
  });
}

/** True when a test file's outcome (or a run in it) is a failure. */
function fileFailed(json: TestJson, file: string): boolean {
  const f = json.files.get(file);
  if (!f) return false;
  return f.status === "fail" || f.status === "error" || [...f.runs.values()].some((s) => s !== "pass" && s !== "skip");
}

/** A group with its working directory filled: configuration, `tests/`, every spec's test files. */
interface PreparedGroup extends Group {
  readonly testFiles: ReadonlyMap<string, TestFileUse[]>;
  readonly outputs: readonly string[];
  readonly tags: StepResult;
  /** What preparing failed on; nothing runs then. */
  readonly error?: string;
  /** Estimated provider starts of the `terraform test` (see {@link estimateCost}), to run the longest first. */
  readonly cost: number;
  /** Mocked providers no test file configures for real: one shared process may serve them. */
  readonly shareable: readonly string[];
}

/**
 * About how many times `terraform test` starts the provider for a test file: Terraform 1.11
 * starts a fresh provider process for every graph walk, two per run (validate, plan), one more
 * for an apply, and three to destroy what a file applied.
 */
export function estimateCost(text: string): number {
  const runs = testRuns(text);
  const applies = runs.filter((r) => r.command !== "plan").length;
  return runs.length * 2 + applies + (applies > 0 ? 3 : 0);
}

/**
 * Writes a group's working directory: the configuration once, the template's `tests/` tree, and
 * per spec its test files. The first spec runs each template test file whole; later specs run
 * only the runs that check the spec (see `forLaterSpecs` in `./batch`); every spec gets its baseline.
 */
function prepareGroup(group: Group, ctx: JobContext): PreparedGroup {
  const { now } = ctx;
  const dir = group.dir;
  const keys = group.members.map((m) => m.key);
  const testFiles = new Map<string, TestFileUse[]>(keys.map((k) => [k, []]));
  let outputs: readonly string[] = [];
  let tags: StepResult = skipped;
  let cost = 1;
  const real = new Set<string>();
  try {
    fs.mkdirSync(dir, { recursive: true });
    copyConfig((group.members[0] as { job: Job }).job.resource.dir, dir);
    const s0 = now();
    const summary = summarizeConfig(dir);
    outputs = summary.outputs;
    const tagProblems = checkProtonTags(summary);
    tags =
      tagProblems.length === 0
        ? { status: "passed", durationMs: now() - s0 }
        : { status: "failed", durationMs: now() - s0, output: tagProblems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.message}`).join("\n") };
    const testsRoot = path.join(ctx.examplesDir, group.tv.template, "tests");
    const targets = withMockData(summary, mockTargets(summary, ctx.mocked), testsRoot);
    const command = baselineCommand(summary, ctx.mocked);
    const baselineTargets = command === "plan" ? withMockData(summary, mockTargets(summary, ctx.mocked), testsRoot, true) : targets;
    const testDir = path.join(dir, TEST_DIRECTORY);
    fs.mkdirSync(testDir, { recursive: true });
    if (fs.existsSync(testsRoot)) fs.cpSync(testsRoot, path.join(dir, "tests"), { recursive: true });
    const vars = new Map(group.members.map((m) => [m.key, specVariables(m.job.resource.dir, summary.variables)]));
    const write = (key: string, file: string, text: string, use: Omit<TestFileUse, "file">): void => {
      const name = specFileName(key, file);
      fs.writeFileSync(path.join(testDir, name), text);
      testFiles.get(key)?.push({ file: name, ...use });
      cost += estimateCost(text);
      for (const b of scanHcl(text).blocks) if (b.type === "provider" && b.labels[0]) real.add(b.labels[0]);
    };
    for (const source of findTemplateTests(ctx.examplesDir, group.tv, group.kind)) {
      const file = testFileName(ctx.examplesDir, group.tv.template, source);
      const from = path.relative(ctx.examplesDir, source);
      const { text, added } = withMocks(fs.readFileSync(source, "utf8"), targets, (src) => mockedTypes(path.resolve(dir, src)));
      const later = forLaterSpecs(text, summary.variables);
      group.members.forEach((m, i) => {
        const mine = i === 0 ? { text, left: [] } : later;
        if (!mine) return;
        const use = mine.left.length > 0 ? { source: from, mocksAdded: added, runsLeftOut: mine.left } : { source: from, mocksAdded: added };
        write(m.key, file, withSpecVariables(mine.text, vars.get(m.key) ?? {}), use);
      });
    }
    for (const m of group.members) {
      write(m.key, BASELINE_TEST_FILE, baselineTestFile(summary, group.kind, baselineTargets, vars.get(m.key) ?? {}, command), { source: "generated", mocksAdded: [] });
    }
    return { ...group, testFiles, outputs, tags, cost, shareable: ctx.mocked.filter((n) => !real.has(n)) };
  } catch (err) {
    return { ...group, testFiles, outputs, tags, cost, shareable: [], error: errorText(err) };
  }
}

/** One init and one `terraform test` for every spec of a prepared group; one result per spec. */
async function testGroup(group: PreparedGroup, ctx: JobContext): Promise<ResourceTestResult[]> {
  const { now } = ctx;
  const t0 = now();
  const dir = group.dir;
  const { testFiles, outputs, tags } = group;
  let init: StepResult = skipped;
  let test: StepResult = skipped;
  let json: TestJson = { files: new Map(), general: [] };
  let testRun: TerraformRun | undefined;
  let runnerError = group.error;

  if (runnerError === undefined) {
    try {
      const step = async (args: readonly string[], lock?: Mutex, env = ctx.env): Promise<{ run: TerraformRun; result: StepResult }> => {
        const s = now();
        const go = (): Promise<TerraformRun> => ctx.exec(args, { cwd: dir, env, timeoutMs: ctx.timeoutMs });
        const run = lock ? await lock.run(go) : await go();
        return { run, result: run.code === 0 ? { status: "passed", durationMs: now() - s } : { status: "failed", durationMs: now() - s, output: tailOutput(run) } };
      };
      const i = await step(initArgs(ctx.settings, ["-backend=false"]), ctx.initLock);
      init = i.result;
      if (i.run.code === 0) {
        const reattach = await ctx.providers?.reattachFor(dir, group.shareable);
        const env = reattach ? { ...ctx.env, TF_REATTACH_PROVIDERS: reattach } : ctx.env;
        const t = await step(["test", "-no-color", "-json", `-test-directory=${TEST_DIRECTORY}`], undefined, env);
        testRun = t.run;
        test = t.result;
        json = parseTestJson(t.run.stdout);
      }
    } catch (err) {
      runnerError = errorText(err);
    }
  }

  const providers = fs.existsSync(path.join(dir, ".terraform")) ? inspectProviderInstall(dir) : undefined;
  const disk = diskUsage(dir);
  const durationMs = now() - t0;
  return group.members.map((m) => {
    const files = testFiles.get(m.key) ?? [];
    let memberTest: StepResult = test;
    let runs = { passed: 0, failed: 0 };
    if (testRun) {
      for (const f of files) {
        for (const status of json.files.get(f.file)?.runs.values() ?? []) {
          if (status === "pass") runs.passed++;
          else if (status !== "skip") runs.failed++;
        }
      }
      const mine = files.filter((f) => fileFailed(json, f.file));
      const reported = files.some((f) => json.files.has(f.file));
      const failed = mine.length > 0 || json.general.length > 0 || (testRun.code !== 0 && (!reported || testRun.code === 124));
      const detail = [
        ...json.general,
        ...mine.flatMap((f) => {
          const d = json.files.get(f.file)?.diagnostics ?? [];
          return [`${TEST_DIRECTORY}/${f.file}: ${describeRuns(json, f.file)}`, ...d];
        }),
      ];
      if (failed && detail.length === 0) {
        // Nothing attributable in the JSON: Terraform's own words (its JSON lines left out).
        const plain = testRun.stdout.split("\n").filter((l) => !l.startsWith("{")).join("\n");
        detail.push(tailOutput({ stdout: plain, stderr: testRun.stderr }) || tailOutput(testRun));
      }
      memberTest = failed ? { status: "failed", durationMs: test.durationMs, output: detail.join("\n\n") } : { status: "passed", durationMs: test.durationMs };
      if (!failed && runs.passed === 0) runs = { passed: 0, failed: 0 };
    }
    const steps: Record<StepName, StepResult> = { render: m.job.render, init, validate: skipped, test: memberTest, tags };
    if (runnerError !== undefined) {
      const first = STEPS.find((s) => s !== "validate" && steps[s].status === "skipped") ?? "test";
      steps[first] = { status: "failed", durationMs: 0, output: runnerError };
    }
    const status: StepStatus = STEPS.some((s) => steps[s].status === "failed") ? "failed" : "passed";
    return {
      template: group.tv.template,
      version: `v${group.tv.major}`,
      spec: m.job.spec,
      resource: m.job.resource.relativeDir.split(path.sep).join("/") || ".",
      kind: group.kind,
      status,
      steps,
      runs,
      testFiles: files,
      outputs,
      durationMs,
      diskBytes: disk,
      providers,
      dir,
    };
  });
}

function describeRuns(json: TestJson, file: string): string {
  const f = json.files.get(file);
  if (!f) return "not run";
  const bad = [...f.runs.entries()].filter(([, s]) => s !== "pass" && s !== "skip");
  return bad.length > 0 ? bad.map(([r, s]) => `run "${r}" ${s === "pending" ? "did not finish" : s}`).join(", ") : `file ${f.status ?? "failed"}`;
}
