/**
 * The catalog as a platform sees it: every published template version, read from git.
 *
 * "Published" means committed on the catalog's main branch. The history of
 * `<bundles>/protonkit.lock.json` on that branch (first parent) says which commit first
 * carried each `<template>:<major>.<minor>`: its publishing commit. A version's files are the
 * bundle folder at that commit (`git archive`), extracted once into a cache keyed by commit.
 * Nothing is kept besides git itself: no tags to push, no tarballs to store, and a version
 * can never be changed after it is published because commits cannot.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import type { CatalogConfig } from "../provision/config";
import type { Bundle } from "../proton/bundle";
import { readBundle } from "../render/bundle";
import { LOCK_FILE } from "../proton/lock";
import { closest } from "../support/json-schema";
import { isPlainObject } from "../support/yaml";
import type { VersionRequest } from "./model";

/** One published minor version. */
export interface PublishedVersion {
  readonly template: string;
  readonly major: number;
  readonly minor: number;
  /** The catalog commit that published it. */
  readonly commit: string;
  /** `sha256:` digest of its files, from the lock. */
  readonly digest: string;
}

/** A resolved version, or why it cannot be. */
export type Resolution = { version: PublishedVersion; problem?: undefined } | { version?: undefined; problem: { message: string; fix: string; field: "template" | "version" } };

/** Every published version of a catalog at one commit of its main branch. */
export interface VersionIndex {
  /** The commit of the catalog's ref the index was built at. */
  readonly refCommit: string;
  /** template -> major -> versions sorted by minor. */
  readonly templates: Readonly<Record<string, Readonly<Record<string, readonly PublishedVersion[]>>>>;
}

/** Runs git; throws a user error naming the catalog when it fails. */
function git(dir: string, args: string[], input?: string): string {
  const res = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8", input, maxBuffer: 1 << 30 });
  if (res.status !== 0) {
    throw new ProtonkitError(
      new Problem(`git ${args.join(" ")} failed in the catalog repository: ${(res.stderr || res.error?.message || "").trim().split("\n").pop() ?? ""}`, {
        file: dir,
        field: "catalog",
        fix: "check catalog.repository and catalog.ref in .protonkit/platform.yaml",
      }),
    );
  }
  return res.stdout;
}

function isUrl(repository: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || /^[\w.-]+@[\w.-]+:/.test(repository);
}

function sha1(text: string): string {
  return crypto.createHash("sha1").update(text).digest("hex");
}

/** Reads many blobs in one `git cat-file --batch`; missing ones come back undefined. */
function readBlobs(dir: string, specs: readonly string[]): (string | undefined)[] {
  if (specs.length === 0) return [];
  const res = spawnSync("git", ["-C", dir, "cat-file", "--batch"], { input: specs.join("\n") + "\n", maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new ProtonkitError(new Problem(`git cat-file failed in the catalog repository: ${res.stderr.toString().trim()}`, { file: dir, field: "catalog" }));
  const out = res.stdout;
  const blobs: (string | undefined)[] = [];
  let pos = 0;
  for (let i = 0; i < specs.length; i++) {
    const nl = out.indexOf(10, pos);
    const header = out.subarray(pos, nl).toString("utf8");
    pos = nl + 1;
    const m = /^[0-9a-f]+ \w+ (\d+)$/.exec(header);
    if (!m) {
      blobs.push(undefined);
      continue;
    }
    const size = Number(m[1]);
    blobs.push(out.subarray(pos, pos + size).toString("utf8"));
    pos += size + 1;
  }
  return blobs;
}

/** Builds the version index from the lock file's history on the ref's first-parent line. */
function buildIndex(gitDir: string, refCommit: string, bundles: string): VersionIndex {
  const lockPath = `${bundles}/${LOCK_FILE}`;
  const commits = git(gitDir, ["log", "--first-parent", "--reverse", "--format=%H", refCommit, "--", lockPath]).split("\n").filter(Boolean);
  const blobs = readBlobs(
    gitDir,
    commits.map((c) => `${c}:${lockPath}`),
  );
  const templates: Record<string, Record<string, PublishedVersion[]>> = {};
  commits.forEach((commit, i) => {
    let lock: unknown;
    try {
      lock = JSON.parse(blobs[i] ?? "null");
    } catch {
      return;
    }
    const byTemplate = isPlainObject(lock) && isPlainObject(lock.templates) ? lock.templates : {};
    for (const [template, majors] of Object.entries(byTemplate)) {
      if (!isPlainObject(majors)) continue;
      for (const [majorKey, entry] of Object.entries(majors)) {
        const major = Number(majorKey.replace(/^v/, ""));
        if (!isPlainObject(entry) || typeof entry.minor !== "number" || !Number.isInteger(major)) continue;
        const list = ((templates[template] ??= {})[String(major)] ??= []);
        if (list.some((v) => v.minor === entry.minor)) continue;
        list.push({ template, major, minor: entry.minor, commit, digest: typeof entry.digest === "string" ? entry.digest : "" });
      }
    }
  });
  for (const majors of Object.values(templates)) for (const list of Object.values(majors)) list.sort((a, b) => a.minor - b.minor);
  return { refCommit, templates };
}

/** The catalog of a platform: published versions and their bundles. */
export class Catalog {
  private readonly bundles = new Map<string, Bundle>();

  private constructor(
    /** The git repository the catalog is read from. */
    readonly gitDir: string,
    /** Bundles folder inside it. */
    readonly bundlesDir: string,
    readonly index: VersionIndex,
    /** `<template>:<major>` or `<template>:<major>.<minor>` entries. */
    readonly deprecated: readonly string[],
    private readonly cacheDir: string,
  ) {}

  /**
   * Opens the catalog named by the configuration. A local path is read in place; a URL is
   * cloned (bare) into the cache once and fetched only when `fetch` is true, so a render needs
   * no network. `root` is the platform repository (relative paths start there).
   */
  static open(root: string, config: CatalogConfig, options: { cacheDir?: string; fetch?: boolean } = {}): Catalog {
    const cacheDir = options.cacheDir ?? defaultCacheDir(root);
    let gitDir: string;
    if (isUrl(config.repository)) {
      gitDir = path.join(cacheDir, "repositories", sha1(config.repository));
      if (!fs.existsSync(gitDir)) {
        fs.mkdirSync(path.dirname(gitDir), { recursive: true });
        const res = spawnSync("git", ["clone", "--quiet", "--bare", config.repository, gitDir], { encoding: "utf8" });
        if (res.status !== 0) throw new ProtonkitError(new Problem(`cannot clone the catalog: ${res.stderr.trim()}`, { field: "catalog.repository", fix: "check the URL, or clone it and give its path" }));
      } else if (options.fetch) {
        git(gitDir, ["fetch", "--quiet", "origin", "+refs/heads/*:refs/heads/*"]);
      }
    } else {
      gitDir = path.resolve(root, config.repository);
      if (!fs.existsSync(gitDir)) {
        throw new ProtonkitError(new Problem(`the catalog repository ${gitDir} does not exist`, { field: "catalog.repository", fix: "give the path (relative to the platform repository) or URL of the catalog's git repository" }));
      }
    }
    const refCommit = git(gitDir, ["rev-parse", "--verify", "--quiet", `${config.ref}^{commit}`]).trim();
    const bundles = config.bundles.replace(/^\.\/|\/$/g, "");
    const indexFile = path.join(cacheDir, "versions", `${refCommit}-${sha1(bundles).slice(0, 12)}.json`);
    let index: VersionIndex;
    if (fs.existsSync(indexFile)) {
      index = JSON.parse(fs.readFileSync(indexFile, "utf8")) as VersionIndex;
    } else {
      index = buildIndex(gitDir, refCommit, bundles);
      writeAtomic(indexFile, JSON.stringify(index));
    }
    return new Catalog(gitDir, bundles, index, config.deprecated, cacheDir);
  }

  /** Every published version of a template's major, oldest first. */
  versions(template: string, major: number): readonly PublishedVersion[] {
    return this.index.templates[template]?.[String(major)] ?? [];
  }

  /** The newest published version of a template's major. */
  latest(template: string, major: number): PublishedVersion | undefined {
    const list = this.versions(template, major);
    return list[list.length - 1];
  }

  /** Every published major of a template, lowest first. */
  majors(template: string): number[] {
    return Object.keys(this.index.templates[template] ?? {}).map(Number).sort((a, b) => a - b);
  }

  /** The newest published major of a template. */
  latestMajor(template: string): number | undefined {
    const majors = Object.keys(this.index.templates[template] ?? {}).map(Number);
    return majors.length ? Math.max(...majors) : undefined;
  }

  /** Resolves `"1"` to the newest 1.x and `"1.2"` to 1.2, or says why it cannot. */
  resolve(template: string, request: VersionRequest): Resolution {
    const majors = this.index.templates[template];
    if (!majors) {
      const hint = closest(template, Object.keys(this.index.templates));
      return {
        problem: {
          message: `unknown template "${template}": expected one of ${Object.keys(this.index.templates).sort().join(", ") || "(the catalog publishes none)"}`,
          fix: hint ? `did you mean ${hint}?` : "name a template the catalog publishes",
          field: "template",
        },
      };
    }
    const list = majors[String(request.major)];
    if (!list || list.length === 0) {
      return {
        problem: {
          message: `unknown version "${request.text}" of ${template}: expected major ${Object.keys(majors).sort().join(", ")}, found ${request.major}`,
          fix: `use a published major version of ${template}`,
          field: "version",
        },
      };
    }
    if (request.minor === undefined) return { version: list[list.length - 1] };
    const found = list.find((v) => v.minor === request.minor);
    if (!found) {
      return {
        problem: {
          message: `unknown version "${request.text}" of ${template}: published are ${list.map((v) => `${v.major}.${v.minor}`).join(", ")}`,
          fix: `pin a published version, or write "${request.major}" to follow the newest`,
          field: "version",
        },
      };
    }
    return { version: found };
  }

  /** True when the version is deprecated (by major or by exact minor). */
  isDeprecated(v: PublishedVersion): boolean {
    return this.deprecated.includes(`${v.template}:${v.major}`) || this.deprecated.includes(`${v.template}:${v.major}.${v.minor}`);
  }

  /** The bundle of a published version, read from its publishing commit (cached by commit). */
  bundle(v: PublishedVersion): Bundle {
    const key = `${v.commit}/${v.template}/v${v.major}`;
    const cached = this.bundles.get(key);
    if (cached) return cached;
    const base = path.join(this.cacheDir, "bundles", v.commit);
    const folder = `${this.bundlesDir}/${v.template}/v${v.major}`;
    const dir = path.join(base, ...folder.split("/"));
    if (!fs.existsSync(dir)) extract(this.gitDir, v.commit, [folder, `${this.bundlesDir}/${LOCK_FILE}`], base, folder);
    const bundle = readBundle(dir);
    this.bundles.set(key, bundle);
    return bundle;
  }
}

/** `<root>/.protonkit/cache`, or `$PROTONKIT_CACHE_DIR`. */
export function defaultCacheDir(root: string): string {
  const dir = process.env.PROTONKIT_CACHE_DIR ?? path.join(root, ".protonkit", "cache");
  if (!fs.existsSync(path.join(dir, ".gitignore"))) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, ".gitignore"), "*\n");
  }
  return dir;
}

function writeAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** Extracts paths of a commit into `base` (atomically: a temporary sibling, then one rename per folder). */
function extract(gitDir: string, commit: string, paths: readonly string[], base: string, folder: string): void {
  const archive = spawnSync("git", ["-C", gitDir, "archive", "--format=tar", commit, "--", ...paths], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new ProtonkitError(new Problem(`cannot read ${folder} at ${commit.slice(0, 12)}: ${archive.stderr.toString().trim()}`, { field: "catalog" }));
  fs.mkdirSync(path.dirname(base), { recursive: true });
  const tmp = fs.mkdtempSync(`${base}.tmp-`);
  try {
    const untar = spawnSync("tar", ["-x", "-C", tmp], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
    const target = path.join(base, ...folder.split("/"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (!fs.existsSync(target)) fs.renameSync(path.join(tmp, ...folder.split("/")), target);
    const lockRel = path.join(...folder.split("/").slice(0, -2), LOCK_FILE);
    if (!fs.existsSync(path.join(base, lockRel)) && fs.existsSync(path.join(tmp, lockRel))) fs.renameSync(path.join(tmp, lockRel), path.join(base, lockRel));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
