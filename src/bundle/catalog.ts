import * as path from "node:path";
import { App } from "cdktf";
import type { Construct } from "constructs";
import type { ProtonTemplate } from "../authoring/template";
import { assertGuardrails, listSuppressions } from "../guardrails";
import { updateCatalogSection } from "./catalog-docs";
import { stackJson, synthesizeApp, withoutTokenStackTraces } from "./synth";
import { BundleHooks, SynthResult, writeBundles } from "./writer";

/** Options of {@link synthesizeCatalog}. */
export interface CatalogSynthOptions {
  /** Template classes, in the order they are instantiated. */
  readonly templates: readonly (new (scope: Construct) => ProtonTemplate)[];
  /** Repository root; bundles go to `<root>/proton-bundles`, tarballs to `<root>/dist`. */
  readonly root: string;
  /** Where bundles go instead of `<root>/proton-bundles`. */
  readonly bundlesDir?: string;
  /** Where tarballs go; `null` to skip them. */
  readonly distDir?: string | null;
  /** cdktf's output folder; defaults to `CDKTF_OUTDIR` (set by `cdktf synth`) or `<root>/cdktf.out`. */
  readonly outdir?: string;
  /** Only compare with what is on disk. */
  readonly check?: boolean;
  /** A README whose catalog table is kept current (checked with `check`). */
  readonly readme?: string;
  /** Defaults to {@link GUARDRAIL_HOOKS}. */
  readonly hooks?: BundleHooks;
}

/** Every stack must pass the guardrails; suppressions are listed in the bundle README. */
export const GUARDRAIL_HOOKS: BundleHooks = {
  check: (template) => {
    for (const stack of template.stacks.values()) assertGuardrails(stack, stackJson(stack));
  },
  suppressions: (template) => listSuppressions(template),
};

/**
 * The whole synth: instantiate every template in one cdktf app, run `app.synth()` (aspects,
 * validations, cdktf.out for the cdktf CLI), then write versioned Proton bundles.
 */
export function synthesizeCatalog(options: CatalogSynthOptions): Promise<SynthResult[]> {
  return withoutTokenStackTraces(async () => {
    const app = new App({ outdir: options.outdir ?? (process.env.CDKTF_OUTDIR || path.join(options.root, "cdktf.out")) });
    const templates = options.templates.map((T) => new T(app));
    synthesizeApp(app);
    const results = await writeBundles(templates, {
      bundlesDir: options.bundlesDir ?? path.join(options.root, "proton-bundles"),
      distDir: options.distDir === null ? undefined : (options.distDir ?? path.join(options.root, "dist")),
      check: options.check,
      hooks: options.hooks ?? GUARDRAIL_HOOKS,
    });
    if (options.readme) updateCatalogSection(options.readme, templates, options.check === true);
    return results;
  });
}

/** One line per template version, for people. */
export function formatResults(results: readonly SynthResult[], check: boolean): string {
  const rows = results.map((r) => {
    const what = check ? "up to date" : r.status === "unchanged" ? "unchanged" : r.status === "new" ? "new" : "changed, new minor version (published once committed on main)";
    return `${`${r.name} v${r.major}.${r.minor}`.padEnd(40)} ${what} (${r.files} files)`;
  });
  return rows.join("\n") + "\n";
}
