import * as fs from "node:fs";
import * as path from "node:path";

/** Files under `dir`, by `/`-separated path relative to it, sorted; empty when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk("");
  return out.sort();
}

/** A text file's content, or the error code (`ENOENT`, `EISDIR`, ...) it could not be read with. */
export function readTextFile(file: string): { readonly text: string } | { readonly code: string } {
  try {
    return { text: fs.readFileSync(file, "utf8") };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}
