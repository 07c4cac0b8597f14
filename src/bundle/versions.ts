import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../errors";
import type { InputProperty } from "../proton/schema";
import { Lock, LockedVersion, readLock, TemplateInterface } from "../proton/lock";

/**
 * Changes from `before` to `after` that break existing specs or consumers, as sentences.
 * Widening is fine (a new optional input, a looser bound, an added enum value, integer to
 * number); anything that can make a valid spec invalid, or remove what a consumer reads, is not.
 */
export function breakingChanges(before: TemplateInterface, after: TemplateInterface): string[] {
  const out: string[] = [];
  for (const [section, oldInputs] of Object.entries(before.inputs)) {
    const newInputs = after.inputs[section];
    if (!newInputs) {
      out.push(`${section}: the whole section was removed`);
      continue;
    }
    for (const [name, old] of Object.entries(oldInputs)) {
      const now = newInputs[name];
      if (!now) out.push(`${section}.${name}: input removed (or renamed)`);
      else out.push(...propertyChanges(`${section}.${name}`, old, now));
    }
    for (const [name, now] of Object.entries(newInputs)) {
      if (!oldInputs[name] && now.required) out.push(`${section}.${name}: new required input without a default`);
    }
  }
  for (const [section, inputs] of Object.entries(after.inputs)) {
    if (!before.inputs[section]) {
      for (const [name, now] of Object.entries(inputs)) if (now.required) out.push(`${section}.${name}: new required input without a default`);
    }
  }
  const read = new Set([...(before.outputsRead ?? []), ...(after.outputsRead ?? [])]);
  for (const [folder, names] of Object.entries(before.outputs)) {
    const now = new Set(after.outputs[folder] ?? []);
    for (const n of names) if (!now.has(n) && read.has(n)) out.push(`output ${n} removed from ${folder}, but compatible services read it`);
  }
  return out;
}

function propertyChanges(at: string, old: InputProperty & { required?: boolean }, now: InputProperty & { required?: boolean }): string[] {
  const out: string[] = [];
  if (!old.required && now.required) out.push(`${at}: became required`);
  if (old.type !== now.type && !(old.type === "integer" && now.type === "number")) out.push(`${at}: type changed from ${old.type} to ${now.type}`);
  if (now.enum) {
    const removed = old.enum ? old.enum.filter((v) => !now.enum!.includes(v)) : undefined;
    if (!removed) out.push(`${at}: now restricted to ${now.enum.join(", ")}`);
    else if (removed.length > 0) out.push(`${at}: enum value${removed.length > 1 ? "s" : ""} ${removed.join(", ")} removed`);
  }
  if (now.pattern !== undefined && now.pattern !== old.pattern) out.push(`${at}: pattern ${old.pattern === undefined ? "added" : "changed"} (${now.pattern})`);
  const lower = (k: "minimum" | "minLength" | "minItems") => {
    if (now[k] !== undefined && (old[k] === undefined || now[k]! > old[k]!)) out.push(`${at}: ${k} raised from ${old[k] ?? "none"} to ${now[k]}`);
  };
  const upper = (k: "maximum" | "maxLength" | "maxItems") => {
    if (now[k] !== undefined && (old[k] === undefined || now[k]! < old[k]!)) out.push(`${at}: ${k} lowered from ${old[k] ?? "none"} to ${now[k]}`);
  };
  lower("minimum");
  lower("minLength");
  lower("minItems");
  upper("maximum");
  upper("maxLength");
  upper("maxItems");
  if (old.items && now.items) out.push(...propertyChanges(`${at}[]`, old.items, now.items));
  if (old.default !== undefined && now.default === undefined && !now.required) out.push(`${at}: default removed, so specs that relied on it change meaning`);
  return out;
}

/** Where the published lock was read from, for messages. */
export interface PublishedLock {
  readonly lock: Lock;
  /** `main:proton-bundles/protonkit.lock.json`, or the file's path when not in git. */
  readonly source: string;
}

/** Refs tried, in order, for what is published: the main branch, its remote copy, then HEAD. */
const PUBLISHED_REFS = ["main", "origin/main", "HEAD"];

/**
 * The lock as published. Published means committed on the main branch, so the lock is read
 * from git (`main`, else `origin/main`, else `HEAD`); a lock file not yet committed there
 * publishes nothing. Outside git the file on disk counts as published.
 */
export function readPublishedLock(lockFile: string): PublishedLock {
  const dir = path.dirname(path.resolve(lockFile));
  const git = (...args: string[]) => spawnSync("git", ["-C", fs.existsSync(dir) ? dir : path.dirname(dir), ...args], { encoding: "utf8" });
  const top = git("rev-parse", "--show-toplevel");
  if (top.error || top.status !== 0) return { lock: readLock(lockFile), source: lockFile };
  const ref = PUBLISHED_REFS.find((r) => git("rev-parse", "--verify", "--quiet", `${r}^{commit}`).status === 0);
  if (!ref) return { lock: { lockVersion: 1, templates: {} }, source: "git (no commits yet)" };
  const rel = path.relative(fs.realpathSync(top.stdout.trim()), path.join(fs.realpathSync(path.dirname(dir)), path.basename(dir), path.basename(lockFile))).split(path.sep).join("/");
  const source = `${ref}:${rel}`;
  const shown = git("show", source);
  if (shown.status !== 0) return { lock: { lockVersion: 1, templates: {} }, source };
  let data: unknown;
  try {
    data = JSON.parse(shown.stdout);
  } catch (e) {
    fail(`is not valid JSON (${(e as Error).message})`, { file: source, fix: "fix the lock file committed on the main branch" });
  }
  const lock = data as Partial<Lock> | null;
  if (!lock || lock.lockVersion !== 1 || typeof lock.templates !== "object" || lock.templates === null) {
    fail("is not a protonkit lock (expected lockVersion 1 and templates)", { file: source, field: "lockVersion", fix: "fix the lock file committed on the main branch" });
  }
  return { lock: lock as Lock, source };
}

/** The version a template major gets for its content. */
export interface VersionDecision {
  readonly minor: number;
  /** `unchanged`: the published content; `changed`: one minor above the published one; `new`: nothing published. */
  readonly status: "new" | "changed" | "unchanged";
  /** Breaking changes against the published interface; the version is refused when any. */
  readonly breaking: readonly string[];
}

/**
 * Same content, same version. A published minor is never reused or changed, so content that
 * differs from the published minor `p` is `p + 1`, however many synths it took and even when
 * it equals an older published minor's content. `p + 1` is not published, so it may change
 * until it is.
 */
export function decideVersion(published: LockedVersion | undefined, digest: string, iface: TemplateInterface): VersionDecision {
  if (!published) return { minor: 0, status: "new", breaking: [] };
  if (published.digest === digest) return { minor: published.minor, status: "unchanged", breaking: [] };
  return { minor: published.minor + 1, status: "changed", breaking: breakingChanges(published, iface) };
}
