import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import { jsonFile, sortKeys } from "../json";
import { displayPath, isPlainObject } from "../support/yaml";
import type { InputProperty } from "./schema";

/** The lock file the bundle writer keeps at the bundles root (minor versions, digests, interfaces). */
export const LOCK_FILE = "protonkit.lock.json";

/** What a major version offers to specs and consumers: compared to detect breaking changes. */
export interface TemplateInterface {
  /** Per schema section (`environment`, `service_instance`, `pipeline`): input name to schema, with `required`. */
  readonly inputs: Record<string, Record<string, InputProperty & { readonly required?: boolean }>>;
  /** Declared outputs per folder. */
  readonly outputs: Record<string, string[]>;
  /** Environment outputs that compatible services read (environment templates only). */
  readonly outputsRead?: string[];
}

/** One major version in the lock. */
export interface LockedVersion extends TemplateInterface {
  /** Current minor version, as Proton counts it (0, 1, ...). */
  readonly minor: number;
  /** `sha256:` digest of the bundle's files. */
  readonly digest: string;
}

/** The lock file: each template major version's minor version, digest and interface. */
export interface Lock {
  readonly lockVersion: 1;
  readonly templates: Record<string, Record<string, LockedVersion>>;
}

/** The lock file's JSON, or the problem that it is not JSON. */
function lockData(file: string): { data?: unknown; problems: Problem[] } {
  try {
    return { data: JSON.parse(fs.readFileSync(file, "utf8")) as unknown, problems: [] };
  } catch (e) {
    return { problems: [new Problem(`is not valid JSON (${(e as Error).message})`, { file: displayPath(file), fix: "restore it from git; protonkit rewrites it on every synth" })] };
  }
}

/** Reads the lock, or an empty one when the file does not exist. */
export function readLock(file: string): Lock {
  if (!fs.existsSync(file)) return { lockVersion: 1, templates: {} };
  const { data, problems } = lockData(file);
  if (problems.length > 0) throw new ProtonkitError(problems);
  if (!isPlainObject(data) || data.lockVersion !== 1 || !isPlainObject(data.templates)) {
    throw new ProtonkitError(new Problem("is not a protonkit lock (expected lockVersion 1 and templates)", { file: displayPath(file), field: "lockVersion", fix: "restore it from git" }));
  }
  return data as unknown as Lock;
}

/** Lock text: sorted keys, two-space indent, trailing newline. */
export function lockJson(lock: Lock): string {
  return jsonFile(sortKeys(lock));
}

/**
 * The minor version of `template` v`major` in the nearest lock file at or above `dir`, if one
 * is there and lists it. Lenient about the rest of the file (hand-written bundles keep short
 * locks); a lock that cannot be read is a problem, not a crash.
 */
export function lockedMinor(dir: string, template: string, major: number): { minor?: number; problems: Problem[] } {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, LOCK_FILE);
    if (fs.existsSync(file)) {
      const { data, problems } = lockData(file);
      if (problems.length > 0) return { problems };
      const templates = isPlainObject(data) ? data.templates : undefined;
      const byMajor = isPlainObject(templates) ? templates[template] : undefined;
      const entry = isPlainObject(byMajor) ? (byMajor[String(major)] ?? byMajor[`v${major}`]) : undefined;
      if (entry === undefined) return { problems: [] };
      const minor = isPlainObject(entry) ? entry.minor : undefined;
      if (typeof minor !== "number" || !Number.isInteger(minor) || minor < 0) {
        const problem = new Problem(`expected a non-negative integer minor, found ${JSON.stringify(minor)}`, {
          file: displayPath(file),
          field: `templates.${template}.${major}.minor`,
          fix: "restore the lock file from git or re-run synth",
        });
        return { problems: [problem] };
      }
      return { minor, problems: [] };
    }
    if (path.dirname(d) === d) return { problems: [] };
  }
}
