import * as fs from "node:fs";
import * as path from "node:path";
import type { PlannedResource } from "./plan";

/** Files of a resource directory that a render owns (and removes when a new version drops them). */
function isManaged(name: string): boolean {
  return name.endsWith(".tf") || name === "proton.auto.tfvars.json";
}

/**
 * Writes planned resources under `outDir`: everything is first written into a temporary
 * sibling of `outDir`, then each resource directory (or, when it exists, each file) is renamed
 * into place. Files a previous render wrote and this one does not are removed; other files
 * (e.g. `.terraform.lock.hcl`) and subdirectories (instances under an environment) are kept.
 * Returns the absolute directories written.
 */
export function writeRendered(outDir: string, resources: readonly PlannedResource[]): string[] {
  const out = path.resolve(outDir);
  const parent = path.dirname(out);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(out)}.protonkit-render-`));
  try {
    const staged = resources.map((r, i) => {
      const dir = path.join(tmp, String(i));
      for (const f of r.files) {
        const file = path.join(dir, ...f.path.split("/"));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, f.content);
      }
      return dir;
    });
    fs.mkdirSync(out, { recursive: true });
    return resources.map((r, i) => {
      const target = path.join(out, ...r.relativeDir.split("/"));
      if (!fs.existsSync(target)) {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.renameSync(staged[i], target);
        return target;
      }
      const keep = new Set(r.files.map((f) => f.path));
      for (const entry of fs.readdirSync(target)) {
        if (isManaged(entry) && !keep.has(entry) && fs.statSync(path.join(target, entry)).isFile()) fs.rmSync(path.join(target, entry));
      }
      for (const f of r.files) {
        const dest = path.join(target, ...f.path.split("/"));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.renameSync(path.join(staged[i], ...f.path.split("/")), dest);
      }
      return target;
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
