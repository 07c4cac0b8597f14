/**
 * The git side of the apply order: the changed resources between two commits (as `detect`
 * finds them, without its one-matrix limit, since the order batches) and the outcome of each
 * from the deployment records.
 */
import { Problem, ProtonkitError } from "../errors";
import type { ProvisioningConfig } from "../provision/config";
import { changedFiles, metadataAt, owningDir, resourceDirsAt } from "../provision/detect";
import { git } from "../provision/git";
import { METADATA_FILE, parseDeploymentMetadata } from "../provision/metadata";
import { identifyResource, problemsOf, resolveIdentity } from "../provision/resource";
import { recordOf } from "./artifact-apply";
import type { OrderItem, Outcome } from "./order";
import type { RecordedState } from "./records-store";

/** A changed resource with what a job needs to run it. */
export interface OrderEntry extends OrderItem {
  /** Resource ARN. */
  readonly arn: string;
  /** Deployment id at head (matched against the records). */
  readonly deploymentId: string;
  /** Plan role, from the configuration. */
  readonly plan_role_arn?: string;
  /** Apply role, from the configuration. */
  readonly apply_role_arn?: string;
  /** Deploy region, from the configuration. */
  readonly region?: string;
  /**
   * Changed through its artifact record alone (`platform/artifacts/<service>/<instance>.yaml`):
   * the apply job renders the directory before applying it. Absent otherwise.
   */
  readonly artifact?: true;
}

/**
 * The instance directories at `head` whose artifact record is among `files`, for the
 * directories not already changed. A record of an instance that has no directory is ignored
 * (the render warns about it and uses it nowhere).
 */
export function artifactDirs(repo: string, head: string, files: readonly string[], headDirs: ReadonlySet<string>, changed: ReadonlySet<string>): string[] {
  const wanted = new Set(files.map(recordOf).flatMap((r) => (r ? [`${r.service}\n${r.instance}`] : [])));
  if (wanted.size === 0) return [];
  const out: string[] = [];
  for (const [dir, id] of metadataAt(repo, head, headDirs)) {
    if (Array.isArray(id) || changed.has(dir) || id.kind !== "service-instance" || id.action !== "apply") continue;
    if (wanted.has(`${id.service}\n${id.name}`)) out.push(dir);
  }
  return out.sort();
}

/**
 * Every resource changed between `base` (its merge base with head) and `head`. Throws a
 * `ProtonkitError` listing every malformed metadata file and missing configuration entry.
 */
export function changedEntries(repo: string, base: string, head: string, config?: ProvisioningConfig): OrderEntry[] {
  const files = changedFiles(repo, base, head);
  const headDirs = resourceDirsAt(repo, head);
  const dirs = new Set<string>();
  for (const f of files) {
    const d = owningDir(f, headDirs);
    if (d !== undefined) dirs.add(d);
  }
  const rendered = new Set(artifactDirs(repo, head, files, headDirs, dirs));
  const problems: Problem[] = [];
  const entries: OrderEntry[] = [];
  for (const dir of [...dirs, ...rendered].sort()) {
    const file = `${dir}/${METADATA_FILE}`;
    try {
      const id = identifyResource(dir, parseDeploymentMetadata(git(repo, ["show", `${head}:${file}`]), file));
      const entry: OrderEntry = {
        dir,
        kind: id.kind,
        name: id.name,
        service: id.service,
        environment: id.environment,
        action: id.action,
        arn: id.arn,
        deploymentId: id.deploymentId ?? "",
        ...(rendered.has(dir) ? { artifact: true as const } : {}),
      };
      if (!config) {
        entries.push(entry);
        continue;
      }
      const r = resolveIdentity(repo, id, config);
      entries.push({ ...entry, plan_role_arn: r.config.plan_role_arn, apply_role_arn: r.config.apply_role_arn, region: r.region });
    } catch (err) {
      problems.push(...problemsOf(err).map((p) => new Problem(`${dir}: ${p.message}`, p.details)));
    }
  }
  if (problems.length > 0) throw new ProtonkitError(problems, `cannot order the deployment: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  return entries;
}

/**
 * How a resource ended in the deployment of `head`, from the records: its latest deployment of
 * the same id at the same commit. SUCCEEDED (or DELETED, for a destroy) is a success, FAILED a
 * failure; no such deployment, or one still IN_PROGRESS, means it did not run (skipped,
 * cancelled, superseded). An artifact entry matches any deployment at that commit.
 */
export function recordedOutcome(state: RecordedState, head: string): (entry: OrderEntry) => Outcome {
  return (entry) => {
    const deployments = state.resources.get(entry.dir)?.deployments ?? [];
    for (let i = deployments.length - 1; i >= 0; i--) {
      const d = deployments[i];
      // An artifact entry applies its fresh render, whose deployment id the commit does not hold.
      if ((d.deploymentId !== entry.deploymentId && !entry.artifact) || (d.commit !== undefined && d.commit !== head)) continue;
      if (d.status === "SUCCEEDED" || d.status === "DELETED") return "succeeded";
      if (d.status === "FAILED") return "failed";
      return "not-run";
    }
    return "not-run";
  };
}
