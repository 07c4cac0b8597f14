import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import type { Construct } from "constructs";
import type { ProtonTemplate } from "../../src/authoring/template";
import { synthesizeCatalog } from "../../src/bundle/catalog";
import { buildBundle, SynthResult, TemplateBundle } from "../../src/bundle/writer";

/** A template class as tests pass them around. */
export type TemplateCtor = new (scope: Construct) => ProtonTemplate;

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = "protonkit-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Synthesizes templates into `bundlesDir` (no tarballs unless `distDir`). */
export function synthTo(templates: readonly TemplateCtor[], bundlesDir: string, extra: { distDir?: string; check?: boolean } = {}): Promise<SynthResult[]> {
  return synthesizeCatalog({
    templates,
    root: path.dirname(bundlesDir),
    bundlesDir,
    outdir: path.join(path.dirname(bundlesDir), "cdktf.out"),
    distDir: extra.distDir ?? null,
    check: extra.check,
  });
}

/** Builds one template's bundle in memory (after `app.synth()`), without versioning. */
export async function bundleOf(T: TemplateCtor, outdir: string): Promise<TemplateBundle> {
  const app = new App({ outdir });
  const template = new T(app);
  app.synth();
  return buildBundle(template, []);
}

/** All files under `dir` with their content, relative paths sorted. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dir, r), "latin1");
    }
  };
  if (fs.existsSync(dir)) walk("");
  return out;
}
