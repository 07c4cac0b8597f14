import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
/** Where passes are remembered, beside bin/ts-register.js's transpile cache. */
const CACHE_ROOT = path.join(ROOT, "node_modules", ".cache", "protonkit-checks");
/** Every installed package's version, so that a checker loading one lazily is still covered. */
const PACKAGE_LOCK = path.join(ROOT, "package-lock.json");

/**
 * Remembers which inputs passed a deterministic check, so that content already checked is not
 * checked again. A pass is keyed by a digest of the inputs and of the checking code's files
 * (so a change to either checks again); failures are never remembered. Passes are empty files
 * under `node_modules/.cache/protonkit-checks/<name>/`, written atomically, so concurrent
 * processes share them safely. package-lock.json is part of every key: a changed dependency
 * checks again. A read-only install checks every time.
 * `PROTONKIT_CHECK_CACHE=off` turns it off.
 */
export class PassCache {
  private readonly dir: string;
  /** Undefined when a code file cannot be read: then nothing is remembered. */
  private readonly salt: string | undefined;

  /**
   * @param name folder of this check's passes
   * @param codeFiles files whose content decides the check's verdict (its modules, the checker package's package.json)
   */
  constructor(name: string, codeFiles: readonly string[]) {
    this.dir = path.join(CACHE_ROOT, name);
    const h = createHash("sha256");
    try {
      for (const file of codeFiles) h.update(path.basename(file)).update("\0").update(fs.readFileSync(file)).update("\0");
      if (fs.existsSync(PACKAGE_LOCK)) h.update(fs.readFileSync(PACKAGE_LOCK));
      this.salt = h.digest("hex");
    } catch {
      this.salt = undefined;
    }
  }

  /** The key of one input, given as its parts (texts, in a fixed order). */
  key(parts: readonly string[]): string {
    const h = createHash("sha256").update(this.salt ?? "");
    for (const p of parts) h.update("\0").update(String(p.length)).update("\0").update(p);
    return h.digest("hex");
  }

  /** Whether an input with this key passed before. */
  passed(key: string): boolean {
    if (this.salt === undefined || process.env.PROTONKIT_CHECK_CACHE === "off") return false;
    return fs.existsSync(path.join(this.dir, key));
  }

  /** Records that the input with this key passed; `result`, when given, is kept with it (see {@link recall}). */
  remember(key: string, result: Uint8Array | string = ""): void {
    if (this.salt === undefined || process.env.PROTONKIT_CHECK_CACHE === "off") return;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const tmp = path.join(this.dir, `${key}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, result);
      fs.renameSync(tmp, path.join(this.dir, key));
    } catch {
      // a read-only install checks every time
    }
  }

  /**
   * `compute()`'s text for these inputs: remembered from an earlier run, else computed and
   * remembered. `compute` must be a function of `parts` and the code files alone.
   */
  text(parts: readonly string[], compute: () => string): string {
    const key = this.key(parts);
    const known = this.recall(key);
    if (known !== undefined) return known.toString("utf8");
    const out = compute();
    this.remember(key, out);
    return out;
  }

  /** The result remembered with this key, if any. */
  recall(key: string): Buffer | undefined {
    if (!this.passed(key)) return undefined;
    try {
      return fs.readFileSync(path.join(this.dir, key));
    } catch {
      return undefined;
    }
  }
}

/**
 * The files whose content decides what a loaded module computes: the module and every module
 * it requires, transitively (from Node's module graph, so call it after the module is loaded).
 * Files of an installed package stand for themselves by the package's package.json. A module
 * required lazily (inside a function) is not seen before it runs: checkers whose verdict depends
 * on one of the project's own modules must load it at the top.
 */
export function moduleFiles(file: string): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (m: NodeJS.Module | undefined): void => {
    if (!m || seen.has(m.filename)) return;
    seen.add(m.filename);
    const pkg = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(m.filename);
    out.add(pkg ? path.join(pkg[1], "package.json") : m.filename);
    for (const child of m.children) walk(child);
  };
  walk(require.cache[file]);
  if (out.size === 0) out.add(file);
  return [...out].sort();
}
