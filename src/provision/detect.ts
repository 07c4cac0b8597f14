import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError, fail } from "../errors";
import { DEFAULT_CONFIG_PATH, loadProvisioningConfig, parseProvisioningConfig, type ProvisioningConfig } from "./config";
import { git, splitZ, tryGit } from "./git";
import { METADATA_FILE, parseDeploymentMetadata, type ResourceKind } from "./metadata";
import { identifyResource, problemsOf, resolveIdentity, type ResourceIdentity } from "./resource";

/** One entry of the GitHub Actions job matrix: one resource to plan or apply. */
export interface MatrixEntry {
  /** Resource directory relative to the repository root. */
  readonly dir: string;
  /** Resource kind. */
  readonly kind: ResourceKind;
  /** Resource name (the service for pipelines). */
  readonly name: string;
  /** Service name for instances and pipelines, else "". */
  readonly service: string;
  /** Environment name, "" for pipelines. */
  readonly environment: string;
  /** `apply`, or `destroy` for a deleted resource. */
  readonly action: "apply" | "destroy";
  /** Resource ARN. */
  readonly arn: string;
  /** Role for the plan job (from the configuration). */
  readonly plan_role_arn?: string;
  /** Role for the apply job (from the configuration). */
  readonly apply_role_arn?: string;
  /** Deploy region (from the configuration). */
  readonly region?: string;
}

/** The job matrix GitHub Actions reads with `fromJSON`. */
export interface Matrix {
  readonly include: MatrixEntry[];
}

/** Options of {@link detectChanges}. */
export interface DetectOptions {
  /** Repository checkout (the git top level). */
  readonly repo: string;
  /** Base commit; 40 zeros means "nothing before" (every resource at head). */
  readonly base: string;
  /** Head commit. */
  readonly head: string;
  /** Configuration to resolve roles and region with; `undefined` skips resolution. */
  readonly config?: ProvisioningConfig;
  /** Where warnings go. */
  readonly warn?: (message: string) => void;
}

const KIND_ORDER: Readonly<Record<ResourceKind, number>> = {
  environment: 0,
  component: 1,
  "service-instance": 2,
  pipeline: 3,
};

const META_SUFFIX = `/${METADATA_FILE}`;

/** The resource directories of a commit: every directory holding the metadata file. */
export function resourceDirsAt(repo: string, commit: string): Set<string> {
  const files = splitZ(git(repo, ["ls-tree", "-r", "--name-only", "-z", commit]));
  return new Set(files.filter((f) => f.endsWith(META_SUFFIX)).map((f) => f.slice(0, -META_SUFFIX.length)));
}

/** The nearest directory of `file` (or `file` itself) in `dirs`, if any. */
export function owningDir(file: string, dirs: ReadonlySet<string>): string | undefined {
  let dir = path.posix.dirname(file);
  while (dir !== "." && dir !== "/" && dir !== "") {
    if (dirs.has(dir)) return dir;
    dir = path.posix.dirname(dir);
  }
  return undefined;
}

function verifyCommit(repo: string, rev: string, flag: string): string {
  const res = tryGit(repo, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (res.code !== 0) {
    fail(`"${rev}" is not a commit in ${repo}`, {
      field: flag,
      fix: "pass a commit sha that is fetched (actions/checkout with fetch-depth: 0, or fetch both commits)",
    });
  }
  return res.stdout.trim();
}

/** Files changed between the merge base of `base` and `head`, and `head`. */
export function changedFiles(repo: string, base: string, head: string): string[] {
  const headSha = verifyCommit(repo, head, "--head");
  let from: string;
  if (/^0+$/.test(base)) {
    from = git(repo, ["hash-object", "-t", "tree", "/dev/null"]).trim();
  } else {
    const baseSha = verifyCommit(repo, base, "--base");
    const mb = tryGit(repo, ["merge-base", baseSha, headSha]);
    from = mb.code === 0 && mb.stdout.trim() ? mb.stdout.trim() : baseSha;
  }
  return splitZ(git(repo, ["diff", "--name-only", "-z", "--no-renames", from, headSha]));
}

/**
 * Finds every resource changed between two commits and builds the job matrix. Throws a
 * `ProtonkitError` listing every malformed metadata file and missing configuration entry.
 */
export function detectChanges(options: DetectOptions): Matrix {
  const { repo, base, head, config } = options;
  const warn = options.warn ?? (() => undefined);
  const files = changedFiles(repo, base, head);
  const headDirs = resourceDirsAt(repo, head);
  const changed = new Set<string>();
  const removed = new Set<string>();
  const baseDirs = /^0+$/.test(base) ? new Set<string>() : resourceDirsAt(repo, base);
  for (const file of files) {
    const dir = owningDir(file, headDirs);
    // A file of a sub-resource whose directory is gone must not count as a change of its parent.
    const before = owningDir(file, baseDirs);
    if (before !== undefined && !headDirs.has(before) && (dir === undefined || before.length > dir.length)) {
      removed.add(before);
      continue;
    }
    if (dir !== undefined) changed.add(dir);
  }
  for (const gone of [...removed].sort()) {
    warn(
      `${gone}: the resource directory was removed from the repository; protonkit cannot destroy it without its files ` +
        `(Proton marks a deletion with isResourceDeleted: true and keeps the files)`,
    );
  }
  const problems: Problem[] = [];
  const entries: MatrixEntry[] = [];
  for (const dir of [...changed].sort()) {
    const file = `${dir}/${METADATA_FILE}`;
    let identity: ResourceIdentity;
    try {
      identity = identifyResource(dir, parseDeploymentMetadata(git(repo, ["show", `${head}:${file}`]), file));
    } catch (err) {
      problems.push(...problemsOf(err));
      continue;
    }
    const entry: MatrixEntry = {
      dir,
      kind: identity.kind,
      name: identity.name,
      service: identity.service,
      environment: identity.environment,
      action: identity.action,
      arn: identity.arn,
    };
    if (!config) {
      entries.push(entry);
      continue;
    }
    try {
      const resolved = resolveIdentity(repo, identity, config);
      entries.push({
        ...entry,
        plan_role_arn: resolved.config.plan_role_arn,
        apply_role_arn: resolved.config.apply_role_arn,
        region: resolved.region,
      });
    } catch (err) {
      problems.push(...problemsOf(err).map((p) => new Problem(`${dir}: ${p.message}`, p.details)));
    }
  }
  if (problems.length > 0) {
    throw new ProtonkitError(problems, `cannot build the deployment matrix: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  }
  entries.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return { include: entries };
}

/**
 * Loads the configuration for `detect`: `--config` when given, else the file at `head`
 * (so the configuration of the commit being deployed applies), else the working tree.
 */
export function loadConfigAt(repo: string, head: string, explicit?: string): ProvisioningConfig {
  if (explicit) return loadProvisioningConfig(explicit);
  const atHead = tryGit(repo, ["show", `${head}:${DEFAULT_CONFIG_PATH}`]);
  if (atHead.code === 0) return parseProvisioningConfig(atHead.stdout, DEFAULT_CONFIG_PATH);
  return loadProvisioningConfig(path.join(repo, DEFAULT_CONFIG_PATH), DEFAULT_CONFIG_PATH);
}

/** Appends `key=value` lines to the file named by `$GITHUB_OUTPUT` (values must be one line). */
export function writeGithubOutput(file: string | undefined, values: Readonly<Record<string, string>>): void {
  if (!file) return;
  const lines = Object.entries(values).map(([k, v]) => {
    if (v.includes("\n")) {
      const delim = `protonkit_${Math.random().toString(36).slice(2)}`;
      return `${k}<<${delim}\n${v}\n${delim}\n`;
    }
    return `${k}=${v}\n`;
  });
  fs.appendFileSync(file, lines.join(""));
}
