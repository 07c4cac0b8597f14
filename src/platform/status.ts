/**
 * What is deployed where: for every resource of the desired state (and every recorded one that
 * left it), its template and version, the newest version available, its last deployment, that
 * deployment's status and age, its last drift check, and for an instance the artifact its
 * delivery pipeline deployed. Pure: desired state, a version lookup, the records and a clock
 * come in; `protonkit platform status` and the status page print the result.
 */
import type { DriftRecordFile } from "../provision/drift";
import { isPlainObject } from "../support/yaml";
import type { ArtifactRecord } from "./artifacts";
import type { Catalog } from "./catalog";
import type { DesiredState, VersionRequest } from "./model";
import type { RecordedKind, RecordedState, RecordedStatus } from "./records-store";
import { lastDeployment } from "./records-store";
import { componentDir, pipelineDir, serviceInstanceDir } from "../render/layout";

/** The catalog as status needs it (a `Catalog` fits, see {@link catalogVersions}). */
export interface VersionLookup {
  /** `major.minor` a request resolves to, or undefined when it does not resolve. */
  resolve(template: string, request: VersionRequest): string | undefined;
  /** Newest `major.minor` of a template's major. */
  latest(template: string, major: number): string | undefined;
  /** Newest `major.minor` of the template's newest major. */
  newest(template: string): string | undefined;
}

/** How a resource stands, for sorting and colour: failures first, then drift. */
export type Health = "failed" | "drifted" | "in-progress" | "pending" | "never-deployed" | "removed" | "outdated" | "ok";

/** One resource in the status. */
export interface ResourceStatus {
  /** Rendered directory, e.g. `prod/orders-web`. */
  readonly dir: string;
  readonly kind: RecordedKind;
  /** Environment, instance, service (pipeline) or component name. */
  readonly name: string;
  /** Environment ("" for a pipeline). */
  readonly environment: string;
  /** Service of an instance, pipeline or component ("" for an environment). */
  readonly service: string;
  /** Template name ("" when only recorded and unknown). */
  readonly template: string;
  /** The version as requested (`"1"` floating, `"1.2"` pinned); "" when not in the desired state. */
  readonly requested: string;
  /** What the request resolves to now, `major.minor`; "" when it does not resolve. */
  readonly version: string;
  /** Newest minor of the requested major. */
  readonly latest: string;
  /** Newest version of the template's newest major, when newer than `latest`. */
  readonly newestMajor?: string;
  /** The last deployment, if any. */
  readonly deployment?: {
    readonly id: string;
    /** Version deployed, `major.minor`, when recorded. */
    readonly version?: string;
    readonly status: RecordedStatus;
    readonly commit?: string;
    readonly startedAt: string;
    readonly endedAt?: string;
    /** Seconds since it ended (or started, while in progress). */
    readonly ageSeconds: number;
    /** The end of the error, for a failure. */
    readonly error?: string;
  };
  /** The last drift check (`protonkit provision drift`), if any. */
  readonly drift?: {
    readonly status: "drifted" | "in-sync" | "error";
    readonly checkedAt: string;
    /** Seconds since the check. */
    readonly ageSeconds: number;
    /** When drift was first seen, while it lasts. */
    readonly since?: string;
    /** The open drift issue. */
    readonly issue?: number;
    /** A deployment ended after the check: the apply may have repaired the drift. */
    readonly stale: boolean;
  };
  /** An instance's artifact, as its delivery pipeline recorded it (`platform/artifacts/`). */
  readonly artifact?: {
    /** Image by digest, or `s3://bucket/key` of a zip. */
    readonly artifact: string;
    /** Lambda's CodeSha256 of a zip. */
    readonly codeSha256?: string;
    /** Link to the source commit. */
    readonly source?: string;
  };
  /**
   * Why it cannot render yet (health `pending`), as `platform render` says it: the environment
   * whose first apply it waits for, or for a pipeline, its instances.
   * @default - not pending
   */
  readonly waitingFor?: string;
  readonly health: Health;
}

/** What status shows besides desired state and deployment records. */
export interface StatusExtras {
  /**
   * Deployed artifacts by `<service>/<instance>` (`readArtifacts` of `./artifacts`).
   * @default - none recorded
   */
  readonly artifacts?: ReadonlyMap<string, ArtifactRecord>;
  /**
   * Drift records.
   * @default - the records' own (`drift.json` on the records branch)
   */
  readonly drift?: DriftRecordFile;
}

/** An endpoint one instance consumes from another (the `imports` input). */
export interface ImportEdge {
  /** Consumer directory. */
  readonly from: string;
  /** Producer directory ("" when the import names no instance of the desired state). */
  readonly to: string;
  /** As written, `<service>/<instance>[=PREFIX]`. */
  readonly spec: string;
}

/** The platform's status. */
export interface PlatformStatus {
  /** The clock's time, ISO 8601. */
  readonly now: string;
  /** The records commit read ("" when nothing is recorded yet). */
  readonly records: string;
  /** Resources, failures first, then by directory. */
  readonly resources: readonly ResourceStatus[];
  /** Who consumes whose endpoints. */
  readonly imports: readonly ImportEdge[];
}

const HEALTH_ORDER: readonly Health[] = ["failed", "drifted", "in-progress", "pending", "never-deployed", "removed", "outdated", "ok"];

/** Short age: `45s`, `12m`, `5h`, `3d`. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.floor(seconds))}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

interface Planned {
  dir: string;
  kind: RecordedKind;
  name: string;
  environment: string;
  service: string;
  template: string;
  request: VersionRequest;
}

interface SpecInstance {
  name: string;
  environment: string;
  imports: string[];
}

function specInstances(spec: unknown): SpecInstance[] {
  const list = isPlainObject(spec) && Array.isArray(spec.instances) ? spec.instances : [];
  return list
    .filter((i: unknown): i is Record<string, unknown> => isPlainObject(i) && typeof i.name === "string" && typeof i.environment === "string")
    .map((i: Record<string, unknown>) => {
      const inputs = isPlainObject(i.spec) ? i.spec : {};
      const imports = Array.isArray(inputs.imports) ? inputs.imports.filter((x: unknown): x is string => typeof x === "string") : [];
      return { name: i.name as string, environment: i.environment as string, imports };
    });
}

/** Every resource directory the desired state renders, with its template and requested version. */
function plannedResources(desired: DesiredState): { planned: Planned[]; imports: ImportEdge[] } {
  const planned: Planned[] = [];
  const imports: ImportEdge[] = [];
  const instanceDir = new Map<string, string>();
  for (const e of desired.environments) {
    planned.push({ dir: e.name, kind: "environment", name: e.name, environment: e.name, service: "", template: e.template, request: e.version });
  }
  const pending: Array<{ from: string; spec: string }> = [];
  for (const s of desired.services) {
    const instances = specInstances(s.spec.value);
    for (const i of instances) {
      const dir = serviceInstanceDir(i.environment, s.name, i.name);
      instanceDir.set(`${s.name}/${i.name}`, dir);
      planned.push({ dir, kind: "service-instance", name: i.name, environment: i.environment, service: s.name, template: s.template, request: s.instanceVersions[i.name] ?? s.version });
      for (const spec of i.imports) pending.push({ from: dir, spec });
    }
    const spec = s.spec.value;
    if (isPlainObject(spec) && spec.pipeline !== undefined) {
      planned.push({ dir: pipelineDir(s.name), kind: "pipeline", name: s.name, environment: "", service: s.name, template: s.template, request: s.version });
    }
    for (const c of s.components) {
      const env = instances.find((i) => i.name === c.instance)?.environment ?? "";
      planned.push({ dir: componentDir(env, c.name), kind: "component", name: c.name, environment: env, service: s.name, template: c.template, request: c.version });
    }
  }
  for (const p of pending) imports.push({ from: p.from, to: instanceDir.get(p.spec.split("=")[0]) ?? "", spec: p.spec });
  imports.sort((a, b) => (a.from + a.spec < b.from + b.spec ? -1 : 1));
  return { planned, imports };
}

function versionOf(templateVersion: string | undefined): string | undefined {
  return templateVersion?.slice(templateVersion.lastIndexOf(":") + 1);
}

function sortRows(rows: ResourceStatus[]): ResourceStatus[] {
  return rows.sort((a, b) => HEALTH_ORDER.indexOf(a.health) - HEALTH_ORDER.indexOf(b.health) || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/** Builds the status of a platform at `now`. */
export function platformStatus(desired: DesiredState, versions: VersionLookup, records: RecordedState, now: Date, extras: StatusExtras = {}): PlatformStatus {
  const { planned, imports } = plannedResources(desired);
  const rows: ResourceStatus[] = [];
  const seen = new Set<string>();
  const driftFile = extras.drift ?? records.drift;
  const secondsSince = (iso: string): number => {
    const at = Date.parse(iso);
    return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((now.getTime() - at) / 1000));
  };
  const driftOf = (dir: string, deployment: ResourceStatus["deployment"]): ResourceStatus["drift"] => {
    const d = driftFile?.resources[dir];
    if (!d) return undefined;
    const ended = deployment?.endedAt ? Date.parse(deployment.endedAt) : NaN;
    return {
      status: d.status,
      checkedAt: d.checkedAt,
      ageSeconds: secondsSince(d.checkedAt),
      ...(d.since ? { since: d.since } : {}),
      ...(d.issue !== undefined ? { issue: d.issue } : {}),
      stale: !Number.isNaN(ended) && ended > Date.parse(d.checkedAt),
    };
  };
  const artifactOf = (p: Planned): ResourceStatus["artifact"] => {
    const a = p.kind === "service-instance" ? extras.artifacts?.get(`${p.service}/${p.name}`) : undefined;
    if (!a || (a.environment !== "" && a.environment !== p.environment)) return undefined;
    return { artifact: a.artifact, ...(a.codeSha256 ? { codeSha256: a.codeSha256 } : {}), ...(a.source ? { source: a.source } : {}) };
  };
  const deploymentOf = (dir: string): ResourceStatus["deployment"] => {
    const d = lastDeployment(records.resources.get(dir));
    if (!d) return undefined;
    const at = Date.parse(d.endedAt ?? d.startedAt);
    return {
      id: d.deploymentId,
      ...(d.templateVersion ? { version: versionOf(d.templateVersion) } : {}),
      status: d.status,
      ...(d.commit ? { commit: d.commit } : {}),
      startedAt: d.startedAt,
      ...(d.endedAt ? { endedAt: d.endedAt } : {}),
      ageSeconds: Number.isNaN(at) ? 0 : Math.max(0, Math.floor((now.getTime() - at) / 1000)),
      ...(d.error ? { error: d.error } : {}),
    };
  };
  // As the renderer decides: an environment without a successful apply has no outputs, so what
  // runs in it waits (pending); a pipeline waits while any of its instances does.
  const applied = (env: string): boolean => records.resources.get(env)?.deployments.some((d) => d.status === "SUCCEEDED") === true;
  const waitingServices = new Set(planned.filter((p) => p.kind === "service-instance" && !applied(p.environment)).map((p) => p.service));
  const waitingFor = (p: Planned): string | undefined => {
    if (p.kind === "environment") return undefined;
    if (p.kind === "pipeline") return waitingServices.has(p.service) ? `the instances of service ${p.service}` : undefined;
    return applied(p.environment) ? undefined : `environment ${p.environment}`;
  };
  for (const p of planned) {
    seen.add(p.dir);
    const version = versions.resolve(p.template, p.request) ?? "";
    const latest = versions.latest(p.template, p.request.major) ?? "";
    const newest = versions.newest(p.template);
    const deployment = deploymentOf(p.dir);
    const drift = driftOf(p.dir, deployment);
    const artifact = artifactOf(p);
    let health: Health;
    const waiting = !deployment || deployment.status === "DELETED" ? waitingFor(p) : undefined;
    if (waiting) health = "pending";
    else if (!deployment || deployment.status === "DELETED") health = "never-deployed";
    else if (deployment.status === "FAILED") health = "failed";
    else if (deployment.status === "IN_PROGRESS") health = "in-progress";
    else if (drift?.status === "drifted" && !drift.stale) health = "drifted";
    else if ((deployment.version && deployment.version !== version) || (version && latest && version !== latest)) health = "outdated";
    else health = "ok";
    rows.push({
      dir: p.dir,
      kind: p.kind,
      name: p.name,
      environment: p.environment,
      service: p.service,
      template: p.template,
      requested: p.request.text,
      version,
      latest,
      ...(newest && newest !== latest && Number(newest.split(".")[0]) > p.request.major ? { newestMajor: newest } : {}),
      ...(deployment ? { deployment } : {}),
      ...(drift ? { drift } : {}),
      ...(artifact ? { artifact } : {}),
      ...(waiting ? { waitingFor: waiting } : {}),
      health,
    });
  }
  // Recorded resources that left the desired state: being deleted, or gone.
  for (const [dir, rec] of records.resources) {
    if (seen.has(dir)) continue;
    const deployment = deploymentOf(dir);
    if (deployment?.status === "DELETED") continue;
    const drift = driftOf(dir, deployment);
    const last = lastDeployment(rec);
    const tv = last?.templateVersion ?? "";
    const segs = dir.split("/");
    rows.push({
      dir,
      kind: rec.kind,
      name: rec.kind === "pipeline" ? segs[0] : segs[segs.length - 1],
      environment: rec.kind === "pipeline" ? "" : segs[0],
      service: rec.kind === "pipeline" ? segs[0] : "",
      template: tv.includes(":") ? tv.slice(0, tv.lastIndexOf(":")) : "",
      requested: "",
      version: "",
      latest: "",
      ...(deployment ? { deployment } : {}),
      ...(drift ? { drift } : {}),
      health: deployment?.status === "FAILED" ? "failed" : deployment?.status === "IN_PROGRESS" ? "in-progress" : "removed",
    });
  }
  return { now: now.toISOString(), records: records.commit, resources: sortRows(rows), imports };
}

function pad(cells: readonly string[][]): string[] {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd());
}

/** The drift cell: `in sync`, `drifted 2d #12`, `check failed`; `?` when a deployment ended after the check. */
export function formatDrift(drift: ResourceStatus["drift"]): string {
  if (!drift) return "-";
  const text = drift.status === "in-sync" ? "in sync" : drift.status === "error" ? "check failed" : `drifted ${formatAge(drift.ageSeconds)}${drift.issue !== undefined ? ` #${drift.issue}` : ""}`;
  return drift.stale ? `${text} (checked before the last deployment)` : text;
}

/** An artifact, short: `<repository>@sha256:<12 hex>` for an image, `s3://...` as it is for a zip. */
export function shortArtifact(artifact: string): string {
  const m = /([^/]+)@sha256:([0-9a-f]{12})[0-9a-f]*$/.exec(artifact);
  return m ? `${m[1]}@sha256:${m[2]}` : artifact;
}

/** The status as a text table (what `protonkit platform status` prints). */
export function formatStatus(status: PlatformStatus): string {
  const header = ["RESOURCE", "KIND", "TEMPLATE", "VERSION", "LATEST", "DEPLOYED", "STATUS", "AGE", "DRIFT", "ARTIFACT"];
  const rows = status.resources.map((r) => [
    r.dir,
    r.kind,
    r.template || "-",
    r.requested ? (r.requested === r.version ? r.version : `${r.requested} (${r.version || "?"})`) : "-",
    (r.latest || "-") + (r.newestMajor ? ` (${r.newestMajor})` : ""),
    r.deployment?.version ?? "-",
    r.deployment ? r.deployment.status : r.waitingFor ? `pending (waits for ${r.waitingFor})` : "never deployed",
    r.deployment ? formatAge(r.deployment.ageSeconds) : "-",
    formatDrift(r.drift),
    r.artifact ? shortArtifact(r.artifact.artifact) : "-",
  ]);
  const lines = pad([header, ...rows]);
  for (const r of status.resources) {
    if (r.deployment?.status === "FAILED" && r.deployment.error) {
      const last = r.deployment.error.trim().split("\n").pop() ?? "";
      lines.push(`${r.dir}: ${last.length > 200 ? `${last.slice(0, 197)}...` : last}`);
    }
  }
  const counts = HEALTH_ORDER.map((h) => [h, status.resources.filter((r) => r.health === h).length] as const).filter(([, n]) => n > 0);
  lines.push("");
  lines.push(`${status.resources.length} resources: ${counts.map(([h, n]) => `${n} ${h}`).join(", ") || "none"}`);
  lines.push(`records at ${status.records ? status.records.slice(0, 12) : "(none recorded yet)"}, as of ${status.now}`);
  return `${lines.join("\n")}\n`;
}

/** The version lookup of a catalog. */
export function catalogVersions(catalog: Pick<Catalog, "resolve" | "latest" | "latestMajor">): VersionLookup {
  const text = (v: { major: number; minor: number } | undefined): string | undefined => (v ? `${v.major}.${v.minor}` : undefined);
  return {
    resolve: (template, request) => text(catalog.resolve(template, request).version),
    latest: (template, major) => text(catalog.latest(template, major)),
    newest: (template) => {
      const major = catalog.latestMajor(template);
      return major === undefined ? undefined : text(catalog.latest(template, major));
    },
  };
}
