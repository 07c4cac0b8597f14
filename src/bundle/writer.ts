import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ProtonTemplate, ServiceDefinition } from "../authoring/template";
import { Problem, ProtonkitError } from "../errors";
import { checkBundle } from "../proton/bundle";
import { MANIFEST_FILE, SCHEMA_FILE, TERRAFORM_MANIFEST } from "../proton/contract";
import type { Lock, LockedVersion, TemplateInterface } from "../proton/lock";
import { LOCK_FILE, lockJson, readLock } from "../proton/lock";
import { REGISTRATION_FILE, registrationYaml } from "../proton/registration";
import { buildSchema, property, schemaYaml } from "../proton/schema";
import { listFiles } from "../support/files";
import { moduleFiles, PassCache } from "../support/pass-cache";
import { cachedHclDifferences } from "./hcl-check";
import { renderReadme, SuppressionRow } from "./readme";
import { synthesizeTemplate } from "./synth";
import { decideVersion, readPublishedLock } from "./versions";

/** A template version's files, before versioning decides its minor. */
export interface TemplateBundle {
  readonly name: string;
  readonly major: number;
  /** Path relative to `<template>/v<major>/` to content. */
  readonly files: ReadonlyMap<string, string>;
  readonly digest: string;
  readonly iface: TemplateInterface;
}

/** Hooks the bundle writer calls per template; guardrails plug in here. */
export interface BundleHooks {
  /**
   * Throws when a stack breaks a guardrail.
   * @default - no check
   */
  readonly check?: (template: ProtonTemplate) => void;
  /**
   * Guardrail suppressions to list in the README.
   * @default - none listed
   */
  readonly suppressions?: (template: ProtonTemplate) => SuppressionRow[];
}

/** schema.yaml texts written before, by the schema and the code writing them. */
let schemaTexts: PassCache | undefined;

/** Bundles that passed the validator before (by digest), so unchanged bundles are not validated again. */
let bundleChecks: PassCache | undefined;

/**
 * Builds one template's bundle in memory: schema, manifests, HCL (checked), registration,
 * README; then checks it with the bundle validator the reader uses too. Both checks remember
 * what passed (see {@link PassCache}): content checked before by the same code is not checked again.
 */
export async function buildBundle(template: ProtonTemplate, outputsRead: readonly string[], hooks: BundleHooks = {}): Promise<TemplateBundle> {
  const def = template.definition;
  const where = `${def.name}/v${def.major}`;
  hooks.check?.(template);

  const files = new Map<string, string>();
  const schema = buildSchema(def.name, template.declaredInputs());
  schemaTexts ??= new PassCache("schema-yaml", moduleFiles(require.resolve("../proton/schema")));
  if (template.kind !== "component") files.set(SCHEMA_FILE, schemaTexts.text([JSON.stringify(schema)], () => schemaYaml(schema)));
  for (const folder of synthesizeTemplate(template)) {
    files.set(`${folder.folder}/${MANIFEST_FILE}`, TERRAFORM_MANIFEST);
    for (const [file, hcl] of folder.files) {
      const diffs = await cachedHclDifferences(file, hcl, folder.parts.get(file)!, folder.blocks);
      if (diffs.length > 0) {
        throw new ProtonkitError(
          diffs.map((d) => new Problem(d, { file: `proton-bundles/${where}/${folder.folder}/${file}` })),
          `${template.node.path}: the HCL written for ${folder.folder}/${file} does not read back as what cdktf synthesized. This is a protonkit bug; please report it with these lines:`,
        );
      }
      files.set(`${folder.folder}/${file}`, hcl);
    }
  }
  const compatible = template.compatibleEnvironments();
  const directlyDefinedComponents = template.kind === "service" && (def as ServiceDefinition).directlyDefinedComponents === true;
  if (template.kind === "service") files.set(REGISTRATION_FILE, registrationYaml(compatible, directlyDefinedComponents));
  files.set(
    "README.md",
    renderReadme({
      name: def.name,
      displayName: def.displayName ?? def.name,
      description: def.description,
      kind: template.kind,
      major: def.major,
      compatibleEnvironments: compatible,
      directlyDefinedComponents,
      inputs: template.declaredInputs(),
      outputs: template.declaredOutputs(),
      environmentOutputsRead: [...template.environmentOutputsRead].sort(),
      suppressions: hooks.suppressions?.(template) ?? [],
    }),
  );
  const sorted = new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
  const digest = digestOf(sorted);
  bundleChecks ??= new PassCache("bundle-validator", moduleFiles(require.resolve("../proton/bundle")));
  const key = bundleChecks.key([where, def.name, String(def.major), digest]);
  if (!bundleChecks.passed(key)) {
    const checked = checkBundle(where, sorted, { templateName: def.name, major: def.major });
    if (checked.problems.length > 0) throw new ProtonkitError([...checked.problems, ...checked.quota], `template ${def.name} is not a valid Proton bundle:`);
    if (checked.quota.length > 0) throw new ProtonkitError(checked.quota, `template ${def.name} exceeds Proton's quotas:`);
    bundleChecks.remember(key);
  }

  const iface: TemplateInterface = {
    inputs: Object.fromEntries(
      [...template.declaredInputs()].map(([section, inputs]) => [
        section,
        Object.fromEntries(Object.entries(inputs).map(([n, d]) => [n, { ...property(d), ...(d.required ? { required: true } : {}) }])),
      ]),
    ),
    outputs: Object.fromEntries([...template.declaredOutputs()].map(([folder, o]) => [folder, Object.keys(o).sort()])),
    ...(template.kind === "environment" ? { outputsRead: [...outputsRead].sort() } : {}),
  };
  return { name: def.name, major: def.major, files: sorted, digest, iface };
}

/** `sha256:` over sorted paths and contents. */
export function digestOf(files: ReadonlyMap<string, string>): string {
  const h = createHash("sha256");
  for (const [file, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(file).update("\0").update(content).update("\0");
  return `sha256:${h.digest("hex")}`;
}

/** Options of a synth run. */
export interface WriteOptions {
  /** `proton-bundles/` */
  readonly bundlesDir: string;
  /**
   * Where `.tar.gz` bundles go (`dist/`).
   * @default - no tarballs
   */
  readonly distDir?: string;
  /**
   * Compare with what is on disk and write nothing; fail on any difference.
   * @default false
   */
  readonly check?: boolean;
  /**
   * Guardrail hooks run per template.
   * @default - none
   */
  readonly hooks?: BundleHooks;
}

/** What a synth did per template version. */
export interface SynthResult {
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  readonly status: "new" | "changed" | "unchanged";
  readonly files: number;
}

/**
 * Synthesizes every template into `bundlesDir`, versioning them the way Proton does: the
 * published content (the lock on the main branch, see {@link readPublishedLock}) keeps its
 * minor version, other content gets the one next minor (see {@link decideVersion}), a breaking change is
 * refused unless the major version was raised (then a new `v<major>/` is written beside the
 * old one). Nothing is written unless every template succeeds.
 */
export async function writeBundles(templates: readonly ProtonTemplate[], options: WriteOptions): Promise<SynthResult[]> {
  const lockFile = path.join(options.bundlesDir, LOCK_FILE);
  const lock = readLock(lockFile);
  const next: Lock = { lockVersion: 1, templates: structuredClone(lock.templates) };
  const seen = new Set<string>();
  const bundles: TemplateBundle[] = [];
  for (const t of templates) {
    const key = `${t.definition.name}:${t.definition.major}`;
    if (seen.has(key)) throw new ProtonkitError(new Problem(`template ${key} is instantiated twice`, { file: "main.ts", fix: "instantiate each template once" }));
    seen.add(key);
    bundles.push(await buildBundle(t, outputsReadBy(t, templates), options.hooks));
  }

  const published = readPublishedLock(lockFile).lock;
  const results: SynthResult[] = [];
  const refused: Problem[] = [];
  for (const b of bundles) {
    const { minor, status, breaking } = decideVersion(published.templates[b.name]?.[String(b.major)], b.digest, b.iface);
    if (breaking.length > 0) {
      refused.push(
        new Problem(`breaking changes in ${b.name} v${b.major}:\n      ${breaking.join("\n      ")}`, {
          file: `stacks/${b.name}`,
          field: "major",
          fix: `raise major to ${Math.max(latestMajor(lock, b.name), latestMajor(published, b.name)) + 1}; v${b.major}/ stays as it is for existing deployments`,
        }),
      );
      continue;
    }
    const entry: LockedVersion = { minor, digest: b.digest, ...b.iface };
    next.templates[b.name] = { ...(next.templates[b.name] ?? {}), [String(b.major)]: entry };
    results.push({ name: b.name, major: b.major, minor, status, files: b.files.size });
  }
  if (refused.length > 0) throw new ProtonkitError(refused, "synth refused; nothing was written:");

  if (options.check) {
    const drift = driftProblems(options.bundlesDir, bundles, lockJson(next));
    if (drift.length > 0) throw new ProtonkitError(drift, "committed bundles are not what the stacks synthesize (run `npm run synth` and commit the result):");
    return results;
  }
  writeAtomically(options.bundlesDir, bundles, lockJson(next));
  if (options.distDir) writeTarballs(options.bundlesDir, options.distDir, bundles, results);
  return results;
}

/** Environment outputs read by services and components that name `t` as compatible. */
function outputsReadBy(t: ProtonTemplate, all: readonly ProtonTemplate[]): string[] {
  if (t.kind !== "environment") return [];
  const id = `${t.definition.name}:${t.definition.major}`;
  const read = new Set<string>();
  for (const other of all) if (other.compatibleEnvironments().includes(id)) for (const o of other.environmentOutputsRead) read.add(o);
  return [...read];
}

function latestMajor(lock: Lock, name: string): number {
  return Math.max(0, ...Object.keys(lock.templates[name] ?? {}).map(Number));
}

function driftProblems(bundlesDir: string, bundles: readonly TemplateBundle[], lock: string): Problem[] {
  const shown = (file: string) => path.relative(process.cwd(), file);
  const lockFile = path.join(bundlesDir, LOCK_FILE);
  const problems = lockDiffers(lockFile, lock) ? [new Problem("differs", { file: shown(lockFile) })] : [];
  for (const b of bundles) {
    const dir = path.join(bundlesDir, b.name, `v${b.major}`);
    for (const d of bundleDrift(dir, b.files)) problems.push(new Problem(d.what, { file: shown(path.join(dir, d.file)) }));
  }
  return problems;
}

function lockDiffers(lockFile: string, lock: string): boolean {
  return !fs.existsSync(lockFile) || fs.readFileSync(lockFile, "utf8") !== lock;
}

/** How the files in `dir` differ from `files`; empty when they are exactly these. */
function bundleDrift(dir: string, files: ReadonlyMap<string, string>): { file: string; what: string }[] {
  const drift: { file: string; what: string }[] = [];
  const onDisk = new Set(listFiles(dir));
  for (const [file, content] of files) {
    if (!onDisk.has(file)) drift.push({ file, what: "is missing" });
    else if (fs.readFileSync(path.join(dir, file), "utf8") !== content) drift.push({ file, what: "differs" });
    onDisk.delete(file);
  }
  for (const extra of onDisk) drift.push({ file: extra, what: "is not produced by the stack any more" });
  return drift;
}

/**
 * Stages every changed bundle in a temporary folder, then swaps each `v<major>/` in and writes
 * the lock. A bundle already on disk byte for byte is left alone (reading it is cheaper than
 * writing it again).
 */
function writeAtomically(bundlesDir: string, bundles: readonly TemplateBundle[], lock: string): void {
  fs.mkdirSync(bundlesDir, { recursive: true });
  const changed = bundles.filter((b) => bundleDrift(path.join(bundlesDir, b.name, `v${b.major}`), b.files).length > 0);
  const lockFile = path.join(bundlesDir, LOCK_FILE);
  if (changed.length === 0 && !lockDiffers(lockFile, lock)) return;
  const staging = fs.mkdtempSync(path.join(bundlesDir, ".staging-"));
  try {
    for (const b of changed) {
      for (const [file, content] of b.files) {
        const full = path.join(staging, b.name, `v${b.major}`, file);
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, content);
      }
    }
    fs.writeFileSync(path.join(staging, LOCK_FILE), lock);
    for (const b of changed) {
      const target = path.join(bundlesDir, b.name, `v${b.major}`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(path.join(staging, b.name, `v${b.major}`), target);
    }
    fs.renameSync(path.join(staging, LOCK_FILE), lockFile);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Tarballs made before, by the bundle's digest and this code. */
let tarballs: PassCache | undefined;

/**
 * One reproducible `.tar.gz` per template version, for S3-based registration. Tarballs of
 * other versions are removed: dist/ holds what the bundles are now. A tarball is made once per
 * bundle content (see {@link PassCache}): later synths copy it, and leave a tarball that is
 * already those bytes alone.
 */
function writeTarballs(bundlesDir: string, distDir: string, bundles: readonly TemplateBundle[], results: readonly SynthResult[]): void {
  fs.mkdirSync(distDir, { recursive: true });
  tarballs ??= new PassCache("tarballs", [__filename, require.resolve("../support/files")]);
  const digests = new Map(bundles.map((b) => [`${b.name}:${b.major}`, b.digest]));
  const written = new Set<string>();
  for (const r of results) {
    const file = `${r.name}-v${r.major}.${r.minor}.tar.gz`;
    const target = path.join(distDir, file);
    written.add(file);
    const cwd = path.join(bundlesDir, r.name, `v${r.major}`);
    const entries = listFiles(cwd);
    // The tar headers carry each file's mode (the umask's doing), so the key does too.
    const modes = entries.map((f) => (fs.statSync(path.join(cwd, f)).mode & 0o7777).toString(8)).join(",");
    const key = tarballs.key([file, digests.get(`${r.name}:${r.major}`) ?? "", modes, process.versions.zlib ?? ""]);
    const made = tarballs.recall(key);
    const existing = readOrUndefined(target);
    if (made && existing?.equals(made)) continue;
    if (made) {
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, made);
      fs.renameSync(tmp, target);
      continue;
    }
    const tar = require("tar") as typeof import("tar");
    tar.create({ portable: true, mtime: new Date(0), noDirRecurse: true, sync: true, cwd, gzip: { level: 9 }, file: target }, entries);
    tarballs.remember(key, fs.readFileSync(target));
  }
  for (const file of fs.readdirSync(distDir)) if (/-v\d+\.\d+\.tar\.gz$/.test(file) && !written.has(file)) fs.rmSync(path.join(distDir, file));
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}
