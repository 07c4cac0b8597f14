import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Tests that shared constructs carry. A module `<examples>/shared/<module>.ts` may keep test
 * files in `<examples>/shared/tests/<module>/`, laid out as a template's `tests/` (`*.tftest.hcl`,
 * `instance/`, `pipeline/`). They run for every template whose own source files (the `.ts` and
 * `.js` files directly in `<examples>/<template>/`) import that module: `from "../shared/<module>"`.
 *
 * Direct imports only: a shared test names resources by the addresses the module's helper gives
 * them (`addServicePipeline` always builds construct `delivery`), so it belongs to the module a
 * template calls, not to every module that one imports in turn. `import type` does not count.
 */

/** Folder of the shared modules under the examples root. */
export const SHARED_DIR = "shared";

const SOURCE = /\.(ts|js)$/;
// `import ... from "../shared/x"` (not `import type`), over several lines if need be.
const IMPORT = /^\s*import\s+(?!type\s)[^;'"]*?\bfrom\s+["']\.\.\/shared\/([A-Za-z0-9_.-]+?)(?:\.[jt]s)?["']/gm;

/** Names of the shared modules a template's own source files import (sorted, unique). */
export function importedSharedModules(examplesDir: string, template: string): string[] {
  const dir = path.join(examplesDir, template);
  const found = new Set<string>();
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!e.isFile() || !SOURCE.test(e.name) || /\.test\.[jt]s$/.test(e.name)) continue;
    const text = fs.readFileSync(path.join(dir, e.name), "utf8");
    for (const m of text.matchAll(IMPORT)) if (m[1]) found.add(m[1]);
  }
  return [...found].sort();
}

/** The shared test folders (`<examples>/shared/tests/<module>/`) that apply to a template, sorted. */
export function sharedTestDirs(examplesDir: string, template: string): string[] {
  if (template === SHARED_DIR) return [];
  return importedSharedModules(examplesDir, template)
    .map((m) => path.join(examplesDir, SHARED_DIR, "tests", m))
    .filter((d) => fs.existsSync(d) && fs.statSync(d).isDirectory());
}

/**
 * Name of a test file inside the test directory: its path under the template's `tests/`
 * (`instance/a.tftest.hcl` becomes `instance-a.tftest.hcl`), or for a shared test under
 * `shared/tests/` with `shared-` in front (`shared-service-pipeline-pipeline-delivery.tftest.hcl`).
 */
export function testFileName(examplesDir: string, template: string, source: string): string {
  const own = path.relative(path.join(examplesDir, template, "tests"), source);
  const rel = own.startsWith("..") ? path.join(SHARED_DIR, path.relative(path.join(examplesDir, SHARED_DIR, "tests"), source)) : own;
  return rel.split(path.sep).join("-");
}
