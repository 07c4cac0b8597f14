/**
 * Rendering a whole platform: desired state + catalog + recorded outputs give every resource
 * directory of Proton's provisioning layout (`<env>/`, `<env>/<service>-<instance>/`,
 * `<service>/pipeline/`, `<env>/components/<component>/`). Pure: no cloud call, the same
 * inputs give the same bytes. Any problem refuses the whole run, listing every problem.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import { environmentAccount, type ProvisioningConfig } from "../provision/config";
import type { Bundle, DeploymentContext, EnvironmentContext, PlannedResource, RenderedFile, ResourceKind, TemplateFolder } from "../render";
import { DELETED_DEPLOYMENT_ID, deletedHeader, environmentOutputReferences, planRender, protonJson, specTarget, uuidV5 } from "../render";
import { objectSchema } from "../proton/schema";
import type { EnvironmentSpec, ServiceInstanceSpec, Spec } from "../spec/spec";
import { checkSpec } from "../spec/spec";
import { problemAt, problemCount, uniqueProblems } from "../support/problems";
import { validateAgainst } from "../support/json-schema";
import type { JsonObject, PathSegment, YamlSource } from "../support/yaml";
import { isPlainObject } from "../support/yaml";
import { artifactInputs, readArtifacts, withArtifact } from "./artifacts";
import type { Catalog, PublishedVersion } from "./catalog";
import type { DesiredState, EnvironmentState, ServiceState, VersionRequest } from "./model";
import { loadDesiredState } from "./model";
import { keptShapes } from "./kept-shapes";
import type { RecordsReader } from "./records";
import type { Entitlements } from "./teams";
import { componentDir, pipelineDir, serviceInstanceDir } from "../render/layout";

/** The metadata file every rendered directory holds. */
export const METADATA_FILE = ".proton/deployment-metadata.json";

/** One resource directory the platform renders. */
export interface PlatformResource {
  readonly kind: ResourceKind;
  readonly name: string;
  /** Directory under the repository root, `/`-separated. */
  readonly dir: string;
  readonly arn: string;
  readonly files: readonly RenderedFile[];
  /** `<template>:<major>.<minor>`; absent for a deletion re-rendered from the files on disk. */
  readonly version?: string;
  /** The desired-state file it comes from (absent for deletions). */
  readonly source?: string;
  /** Re-rendered with `isResourceDeleted: true` (first phase of a deletion). */
  readonly deleted: boolean;
}

/** A resource that cannot render yet, and why. */
export interface PendingResource {
  readonly dir: string;
  readonly reason: string;
  /**
   * Its directory is already rendered (and not deleted): left as it is, no longer following.
   * @default false
   */
  readonly rendered?: boolean;
}

/** What a render would do to the repository. */
export interface PlatformPlan {
  /** Live and deleted resources, sorted by directory. */
  readonly resources: readonly PlatformResource[];
  /** Waiting for an environment's first apply. Their directories are left as they are. */
  readonly pending: readonly PendingResource[];
  /** Directories whose destroy is recorded: removed (second phase of a deletion). */
  readonly removed: readonly string[];
  /** Files to write (relative path to content), sorted. */
  readonly writes: ReadonlyMap<string, string>;
  /** Files and directories to remove, sorted. */
  readonly removes: readonly string[];
  /** Non-fatal findings (deprecated versions in use). */
  readonly warnings: readonly string[];
  /** The catalog commit the versions were read at. */
  readonly catalogCommit: string;
  /** The records commit the outputs were read at, when known. */
  readonly recordsCommit?: string;
}

/** Inputs of {@link planPlatform}. */
export interface PlatformInputs {
  /** The platform repository root. */
  readonly root: string;
  readonly config: ProvisioningConfig;
  readonly catalog: Catalog;
  readonly records: RecordsReader;
  /** Desired state already read; default: read from `<root>/platform/`. */
  readonly state?: DesiredState;
  /** With `state`: environments whose files have problems (their instances are not reported again). */
  readonly brokenEnvironments?: readonly string[];
  /**
   * Teams of the platform configuration: their `access_principal` goes into `team_access`.
   * @default - no teams configured: every owner's principal is the environment account's root
   */
  readonly teams?: Entitlements;
}

/** An existing rendered directory, from its metadata. */
interface Existing {
  readonly deleted: boolean;
  readonly arn: string;
}

const SKIP_TOP = new Set(["platform", "node_modules"]);

/** Every directory under `root` holding `.proton/deployment-metadata.json`. */
export function scanRendered(root: string): Map<string, Existing> {
  const found = new Map<string, Existing>();
  const walk = (abs: string, rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    if (rel !== "" && entries.some((e) => e.name === ".proton" && e.isDirectory())) {
      try {
        const meta = JSON.parse(fs.readFileSync(path.join(abs, ...METADATA_FILE.split("/")), "utf8")) as unknown;
        if (isPlainObject(meta)) {
          const inner = isPlainObject(meta.resourceMetadata) ? meta.resourceMetadata : isPlainObject(meta.componentMetadata) ? meta.componentMetadata : {};
          found.set(rel, { deleted: meta.isResourceDeleted === true, arn: typeof inner.arn === "string" ? inner.arn : "" });
        }
      } catch {
        // Not a rendered directory after all.
      }
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith(".")) continue;
      if (rel === "" && SKIP_TOP.has(e.name)) continue;
      walk(path.join(abs, e.name), rel === "" ? e.name : `${rel}/${e.name}`);
    }
  };
  walk(root, "");
  return found;
}

function digestOf(files: readonly RenderedFile[]): string {
  const h = crypto.createHash("sha256");
  for (const f of files) if (f.path !== METADATA_FILE) h.update(`${f.path}\0${f.content}\0`);
  return h.digest("hex");
}

/** Sets the deployment id: a UUIDv5 of the directory and the digest of everything rendered. */
function withDeploymentId(r: PlannedResource): RenderedFile[] {
  const id = uuidV5(`${r.relativeDir}\n${digestOf(r.files)}`);
  return r.files.map((f) => {
    if (f.path !== METADATA_FILE) return f;
    const meta = JSON.parse(f.content) as JsonObject;
    return { path: f.path, content: protonJson({ ...meta, deploymentId: id }) };
  });
}

/** Problems of a spec checked inside a desired-state file: fields under `spec.`. */
function underSpec(problems: readonly Problem[]): Problem[] {
  return problems.map((p) => new Problem(p.message, { ...p.details, field: p.details.field ? `spec.${p.details.field}` : "spec" }));
}

function instanceIndexOf(p: Problem): number | undefined {
  const m = /^spec\.instances\[(\d+)\]/.exec(p.details.field ?? "");
  return m ? Number(m[1]) : undefined;
}

const outputReferences = new WeakMap<TemplateFolder, ReturnType<typeof environmentOutputReferences>>();

/** The environment outputs a folder reads, computed once per folder. */
function readsOf(folder: TemplateFolder): ReturnType<typeof environmentOutputReferences> {
  let refs = outputReferences.get(folder);
  if (!refs) {
    refs = environmentOutputReferences(folder);
    outputReferences.set(folder, refs);
  }
  return refs;
}

function versionLabel(v: PublishedVersion): string {
  return `${v.template}:${v.major}.${v.minor}`;
}

function folderFile(bundle: Bundle, file: string): string {
  return path.relative(bundle.dir, file).split(path.sep).join("/");
}

/**
 * Plans the render of a whole platform. Throws one {@link ProtonkitError} listing every
 * problem (nothing is planned then); otherwise returns what would change on disk.
 */
export function planPlatform(inputs: PlatformInputs): PlatformPlan {
  const { root, config, catalog, records } = inputs;
  const problems: Problem[] = [];
  const warnings: string[] = [];
  let state = inputs.state;
  let loadedBroken: readonly string[] = [];
  if (!state) {
    const loaded = loadDesiredState(root);
    problems.push(...loaded.problems);
    state = loaded.state;
    loadedBroken = loaded.brokenEnvironments;
  }
  const existing = scanRendered(root);
  // Shapes Proton wrote (2022 variables, no proton_tags) stay while their directory exists.
  const kept = keptShapes(root, [...existing].filter(([, info]) => !info.deleted).map(([dir]) => dir));
  const isNew = (dir: string): boolean => !existing.has(dir) || existing.get(dir)?.deleted === true;
  const account = config.account_id ?? "";
  const region = config.region ?? "";
  const planned: { resource: PlannedResource; version: PublishedVersion; source: string }[] = [];
  const pending: PendingResource[] = [];
  /** Who renders each directory, for collisions. */
  const owners = new Map<string, { source: YamlSource; at: PathSegment[]; what: string }>();
  const claim = (dir: string, source: YamlSource, at: PathSegment[], what: string): void => {
    const other = owners.get(dir);
    if (other) {
      problems.push(
        problemAt(source, at, `${what} renders into ${dir}/, which ${other.what} (${other.source.displayFile}) renders too`, "rename one of them: two resources cannot share a directory"),
      );
      return;
    }
    owners.set(dir, { source, at, what });
  };

  /** Resolves a version and reads its bundle; problems point at `at` in `source`. */
  /**
   * Resolves a version and reads its bundle. `at` is the template field (or a version
   * override); `dir` null skips the deprecation check (the caller checks per instance).
   */
  const resolve = (source: YamlSource, at: PathSegment[], template: string, request: VersionRequest, dir: string | null, want: Bundle["kind"]): { version: PublishedVersion; bundle: Bundle } | undefined => {
    const r = catalog.resolve(template, request);
    const versionAt = at[at.length - 1] === "template" ? [...at.slice(0, -1), "version"] : at;
    if (!r.version) {
      // A template of the wrong kind is the first thing to fix, whatever version was asked for.
      const major = r.problem.field === "version" ? catalog.latestMajor(template) : undefined;
      const any = major === undefined ? undefined : catalog.latest(template, major);
      const kind = any ? kindOf(any) : undefined;
      if (kind && kind !== want) problems.push(kindProblem(source, at, template, want, kind));
      else problems.push(problemAt(source, r.problem.field === "template" ? at : versionAt, r.problem.message, r.problem.fix));
      return undefined;
    }
    if (dir !== null && catalog.isDeprecated(r.version)) {
      const label = versionLabel(r.version);
      if (isNew(dir)) {
        problems.push(problemAt(source, versionAt, `${label} is deprecated: new resources cannot use it`, deprecationFix(r.version)));
        return undefined;
      }
      warnings.push(`${source.displayFile}: ${dir}/ uses ${label}, which is deprecated (protonkit platform upgrade moves it)`);
    }
    let bundle: Bundle;
    try {
      bundle = catalog.bundle(r.version);
    } catch (e) {
      if (!(e instanceof ProtonkitError)) throw e;
      problems.push(problemAt(source, at, `${versionLabel(r.version)} cannot be read from the catalog: ${e.problems.map((p) => p.toString()).join("; ")}`, "fix the bundle in the catalog"));
      return undefined;
    }
    if (bundle.kind !== want) {
      problems.push(kindProblem(source, at, template, want, bundle.kind));
      return undefined;
    }
    return { version: r.version, bundle };
  };

  const kindOf = (v: PublishedVersion): Bundle["kind"] | undefined => {
    try {
      return catalog.bundle(v).kind;
    } catch {
      return undefined;
    }
  };
  const kindProblem = (source: YamlSource, at: PathSegment[], template: string, want: Bundle["kind"], found: Bundle["kind"]): Problem =>
    problemAt(source, at, `expected a${want === "environment" ? "n" : ""} ${want} template, found ${template}, a${found === "environment" ? "n" : ""} ${found} template`, `name a${want === "environment" ? "n" : ""} ${want} template of the catalog`);

  const deprecationFix = (v: PublishedVersion): string => {
    const major = catalog.latestMajor(v.template) ?? v.major;
    const newer = [...catalog.versions(v.template, major)].reverse().find((x) => !catalog.isDeprecated(x));
    return newer ? `use ${versionLabel(newer)} (version "${major === v.major ? major : newer.major}"${major === v.major ? "" : ", a major upgrade"})` : "every version of this major is deprecated: ask the catalog's owners for a newer one";
  };
  const broken = new Set(inputs.brokenEnvironments ?? loadedBroken);

  // Environments.
  interface EnvInfo {
    readonly state: EnvironmentState;
    readonly template: string;
    readonly context: EnvironmentContext;
    /** False until the environment's first apply is recorded. */
    readonly recorded: boolean;
  }
  const envs = new Map<string, EnvInfo>();
  const teamServices = ownersByEnvironment(state);
  for (const env of state.environments) {
    const resolved = resolve(env.source, ["template"], env.template, env.version, env.name, "environment");
    const outputs = records.outputs(env.name);
    const accountId = environmentAccount(config, env.name) ?? "";
    envs.set(env.name, {
      state: env,
      template: resolved ? `${resolved.bundle.templateName}:${resolved.bundle.major}` : "",
      context: { template: resolved ? `${resolved.bundle.templateName}:${resolved.bundle.major}` : undefined, outputs: outputs ?? {}, account_id: accountId },
      recorded: outputs !== undefined,
    });
    if (!resolved) continue;
    const checked = checkSpec(env.spec, specTarget(resolved.bundle));
    if (!checked.spec) {
      problems.push(...underSpec(checked.problems));
      continue;
    }
    claim(env.name, env.source, [], `environment ${env.name}`);
    const spec = checked.spec.kind === "EnvironmentSpec" ? withTeamAccess(env, resolved.bundle, checked.spec, accountId, teamServices, inputs.teams, problems) : checked.spec;
    const out = planRender(resolved.bundle, spec, env.name, { account_id: account, region, template_minor: resolved.version.minor, kept_shapes: kept });
    problems.push(...out.problems);
    for (const resource of out.resources) planned.push({ resource, version: resolved.version, source: env.source.displayFile });
  }

  // Services.
  for (const svc of state.services) renderService(svc);

  /**
   * Instance inputs with the artifact each instance's delivery pipeline recorded
   * (`platform/artifacts/<service>/<instance>.yaml`), by instance index; only instances
   * with a record that applies. A record that does not fit the instance's schema is a problem.
   */
  function deployedInputs(svc: ServiceState, instances: ReadonlyMap<number, { inst: ServiceInstanceSpec; version: PublishedVersion; bundle: Bundle }>): Map<number, JsonObject> {
    const out = new Map<number, JsonObject>();
    const { records: artifacts, problems: unreadable } = readArtifacts(root, svc.name);
    problems.push(...unreadable);
    for (const record of artifacts.values()) {
      const entry = [...instances.values()].find((i) => i.inst.name === record.instance);
      if (!entry) {
        warnings.push(`${record.file}: service ${svc.name} has no instance ${record.instance}; the record is not used (delete it)`);
        continue;
      }
      if (record.environment !== "" && record.environment !== entry.inst.environment) {
        warnings.push(`${record.file}: recorded for environment ${record.environment}, but ${record.instance} runs in ${entry.inst.environment}; the record is not used until the pipeline deploys there`);
        continue;
      }
      const type = entry.bundle.schema?.serviceInputType;
      const names = Object.keys(type?.properties ?? {});
      const set = artifactInputs(names, record);
      if (Object.keys(set).length === 0) {
        warnings.push(`${record.file}: ${versionLabel(entry.version)} has no input for ${record.artifact.startsWith("s3://") ? "a zip (code_s3_bucket, code_s3_key)" : "an image (image_uri or image)"}; the record is not used`);
        continue;
      }
      const inputs = withArtifact(names, entry.inst.inputs, record) as JsonObject;
      const checked = type ? validateAgainst(objectSchema(type), inputs).problems : [];
      for (const issue of checked) {
        problems.push(new Problem(`sets ${Object.keys(set).join(", ")} of instance ${record.instance} (${versionLabel(entry.version)}), but ${issue.path.join(".") || "the inputs"}: ${issue.message}`, { file: record.file, field: "artifact", fix: "let the pipeline record an artifact the template accepts, or delete the file to fall back to the service spec" }));
      }
      if (checked.length === 0) out.set(entry.inst.index, inputs);
    }
    return out;
  }

  function renderService(svc: ServiceState): void {
    const rawInstances = instancesOf(svc.spec.value);
    const serviceResolved = resolve(svc.source, ["template"], svc.template, svc.version, null, "service");
    if (!serviceResolved) return;
    const serviceKey = versionLabel(serviceResolved.version);
    const before = problems.length;
    // Each instance renders with its own version; the spec is checked once per version.
    const groups = new Map<string, { version: PublishedVersion; bundle: Bundle; indexes: number[] }>();
    groups.set(serviceKey, { ...serviceResolved, indexes: [] });
    const contextEnvs: Record<string, EnvironmentContext> = {};
    const waiting = new Set<number>();
    /** Instances whose environment is fit to render against. */
    const fit = new Set<number>();
    rawInstances.forEach((raw, index) => {
      const override = svc.instanceVersions[raw.name];
      const dir = raw.environment && raw.name ? serviceInstanceDir(raw.environment, svc.name, raw.name) : undefined;
      let group = groups.get(serviceKey) as { version: PublishedVersion; bundle: Bundle; indexes: number[] };
      if (override) {
        const r = resolve(svc.source, ["instances", raw.name, "version"], svc.template, override, dir ?? null, "service");
        if (!r) return;
        const key = versionLabel(r.version);
        if (!groups.has(key)) groups.set(key, { ...r, indexes: [] });
        group = groups.get(key) as typeof group;
      } else if (dir && catalog.isDeprecated(serviceResolved.version)) {
        if (isNew(dir)) {
          problems.push(problemAt(svc.source, ["spec", "instances", index, "name"], `${serviceKey} is deprecated: new instance ${raw.name} cannot use it`, deprecationFix(serviceResolved.version)));
          return;
        }
        warnings.push(`${svc.source.displayFile}: ${dir}/ uses ${serviceKey}, which is deprecated (protonkit platform upgrade moves it)`);
      }
      group.indexes.push(index);
      // A missing or repeated name or environment: the spec check names it.
      if (!dir || rawInstances.findIndex((o) => o.name === raw.name) !== index) return;
      // The instance's environment: present, compatible, its outputs recorded.
      const at: PathSegment[] = ["spec", "instances", index, "environment"];
      claim(dir, svc.source, ["spec", "instances", index, "name"], `instance ${raw.name} of service ${svc.name}`);
      const env = envs.get(raw.environment);
      if (!env) {
        if (broken.has(raw.environment)) return; // its own file's problems are reported
        problems.push(
          problemAt(svc.source, at, `environment "${raw.environment}" does not exist: expected one of ${[...envs.keys()].join(", ") || "(none under platform/environments/)"}`, `add platform/environments/${raw.environment}.yaml, or deploy to an existing environment`),
        );
        return;
      }
      if (env.template === "") return; // its own file's problems are reported
      const compatible = group.bundle.compatibleEnvironments.map((r) => `${r.name}:${r.major}`);
      if (!compatible.includes(env.template)) {
        problems.push(
          problemAt(svc.source, at, `environment "${raw.environment}" is incompatible: it runs ${env.template}, and ${versionLabel(group.version)} is compatible with ${compatible.join(", ") || "no environment template"}`, "deploy to an environment of a compatible template, or use a template version compatible with it"),
        );
        return;
      }
      if (!env.recorded) {
        pending.push({ dir, reason: `waits for the first apply of environment ${raw.environment} (its outputs are not recorded yet)` });
        waiting.add(index);
        return;
      }
      let ok = true;
      for (const ref of readsOf(group.bundle.instanceInfrastructure as TemplateFolder)) {
        if (env.context.outputs?.[ref.name] === undefined) {
          ok = false;
          problems.push(
            problemAt(
              svc.source,
              at,
              `environment "${raw.environment}" has no recorded output "${ref.name}", which ${versionLabel(group.version)} reads (${folderFile(group.bundle, ref.file)}:${ref.line})`,
              `apply a version of ${env.template} that outputs ${ref.name} to ${raw.environment} first, or use a template version that does not read it`,
            ),
          );
        }
      }
      if (!ok) return;
      contextEnvs[raw.environment] = env.context;
      fit.add(index);
    });
    const instances = new Map<number, { inst: ServiceInstanceSpec; version: PublishedVersion; bundle: Bundle }>();
    let pipelineInputs: Spec | undefined;
    for (const [key, group] of groups) {
      const checked = checkSpec(svc.spec, specTarget(group.bundle));
      const mine = underSpec(checked.problems).filter((p) => {
        const i = instanceIndexOf(p);
        return i === undefined ? key === serviceKey : group.indexes.includes(i);
      });
      problems.push(...mine);
      if (!checked.spec || checked.spec.kind !== "ServiceSpec") continue;
      if (key === serviceKey) pipelineInputs = checked.spec;
      for (const inst of checked.spec.instances) if (group.indexes.includes(inst.index)) instances.set(inst.index, { inst, version: group.version, bundle: group.bundle });
    }
    if (problems.length > before || !pipelineInputs || pipelineInputs.kind !== "ServiceSpec") return;
    const ready = [...instances.keys()].filter((i) => fit.has(i)).sort((a, b) => a - b);
    const deployed = deployedInputs(svc, instances);
    if (problems.length > before) return;

    const components: Record<string, { name: string; outputs: Readonly<Record<string, string>> }> = {};
    for (const c of svc.components) {
      const entry = [...instances.values()].find((i) => i.inst.name === c.instance);
      if (!entry) continue;
      components[c.instance] = { name: c.name, outputs: records.outputs(componentDir(entry.inst.environment, c.name)) ?? {} };
    }
    const instanceOutputs: Record<string, Readonly<Record<string, string>>> = {};
    for (const { inst } of instances.values()) instanceOutputs[inst.name] = records.outputs(serviceInstanceDir(inst.environment, svc.name, inst.name)) ?? {};
    const context = (minor: number): DeploymentContext => ({
      account_id: account,
      region,
      environments: contextEnvs,
      service: { repository_id: svc.repository.id, branch_name: svc.repository.branch, repository_connection_arn: svc.repository.connectionArn },
      components,
      instance_outputs: instanceOutputs,
      template_minor: minor,
      kept_shapes: kept,
    });
    const readyInstances = ready.map((i) => instances.get(i)).filter((x): x is NonNullable<typeof x> => x !== undefined);
    const allReady = readyInstances.length === rawInstances.length;
    // The pipeline sees every instance; it waits while one of them does.
    const hasPipeline = serviceResolved.bundle.pipelineInfrastructure !== undefined && pipelineInputs.pipeline !== undefined;
    if (hasPipeline) {
      claim(pipelineDir(svc.name), svc.source, ["spec", "pipeline"], `the pipeline of service ${svc.name}`);
      if (!allReady) pending.push({ dir: pipelineDir(svc.name), reason: "waits until every instance of the service renders" });
    }
    for (const [key, group] of groups) {
      const mine = readyInstances.filter((i) => group.indexes.includes(i.inst.index)).map((i) => i.inst);
      const withPipeline = key === serviceKey && hasPipeline && allReady;
      if (mine.length === 0 && !withPipeline) continue;
      // The pipeline lists all instances, so the service's own version renders them all; only
      // its own group's instance directories are kept from that render.
      const spec: Spec = { kind: "ServiceSpec", source: svc.spec, pipeline: withPipeline ? pipelineInputs.pipeline : undefined, instances: withPipeline ? readyInstances.map((i) => i.inst) : mine };
      const keep = new Set(mine.map((i) => i.name));
      const withDeployed = mine.some((i) => deployed.has(i.index));
      if (!withDeployed || withPipeline) {
        const out = planRender(group.bundle, spec, svc.name, context(group.version.minor));
        problems.push(...out.problems);
        for (const resource of out.resources) {
          if (resource.kind === "service_instance" && (withDeployed || !keep.has(resource.name))) continue;
          planned.push({ resource, version: group.version, source: svc.source.displayFile });
        }
      }
      if (!withDeployed) continue;
      // Instances run what their pipeline deployed; the pipeline keeps the spec's inputs, so a
      // deployment does not re-render (and re-apply) the pipeline.
      const instanceSpec: Spec = { kind: "ServiceSpec", source: svc.spec, instances: mine.map((i) => ({ ...i, inputs: deployed.get(i.index) ?? i.inputs })) };
      const own = planRender(group.bundle, instanceSpec, svc.name, context(group.version.minor));
      problems.push(...own.problems);
      for (const resource of own.resources) if (resource.kind === "service_instance") planned.push({ resource, version: group.version, source: svc.source.displayFile });
    }

    for (const c of svc.components) {
      const entry = readyInstances.find((i) => i.inst.name === c.instance);
      if (!entry) continue;
      const dir = componentDir(entry.inst.environment, c.name);
      claim(dir, svc.source, ["components", c.name], `component ${c.name}`);
      const resolved = resolve(svc.source, ["components", c.name, "template"], c.template, c.version, dir, "component");
      if (!resolved) continue;
      const env = envs.get(entry.inst.environment) as EnvInfo;
      let ok = true;
      for (const ref of readsOf(resolved.bundle.infrastructure as TemplateFolder)) {
        if (env.context.outputs?.[ref.name] === undefined) {
          problems.push(
            problemAt(svc.source, ["components", c.name, "instance"], `environment "${entry.inst.environment}" has no recorded output "${ref.name}", which ${versionLabel(resolved.version)} reads (${folderFile(resolved.bundle, ref.file)}:${ref.line})`, `apply a version of ${env.template} that outputs ${ref.name} first`),
          );
          ok = false;
        }
      }
      if (!ok) continue;
      const spec: Spec = { kind: "ServiceSpec", source: svc.spec, instances: [entry.inst] };
      const out = planRender(resolved.bundle, spec, svc.name, { ...context(resolved.version.minor), components: { [c.instance]: { name: c.name } } });
      problems.push(...out.problems);
      for (const resource of out.resources) planned.push({ resource, version: resolved.version, source: svc.source.displayFile });
    }
  }

  if (problems.length > 0) {
    const sorted = [...problems].sort((a, b) => (a.details.file ?? "").localeCompare(b.details.file ?? "") || (a.details.line ?? 0) - (b.details.line ?? 0));
    throw new ProtonkitError(uniqueProblems(sorted), `platform render: ${problemCount(uniqueProblems(sorted).length)}; nothing was written`);
  }

  const resources: PlatformResource[] = planned.map(({ resource, version, source }) => ({
    kind: resource.kind,
    name: resource.name,
    dir: resource.relativeDir,
    arn: resource.arn,
    files: withDeploymentId(resource),
    version: versionLabel(version),
    source,
    deleted: false,
  }));
  const live = new Set([...resources.map((r) => r.dir), ...pending.map((p) => p.dir)]);
  const removed: string[] = [];
  for (const [dir, info] of existing) {
    if (live.has(dir)) continue;
    if (records.deployment(dir)?.status === "DELETED") removed.push(dir);
    else resources.push(deletionFromDisk(root, dir, info));
  }
  resources.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  warnings.push(...renameWarnings(resources, isNew, (dir) => records.deployment(dir) !== undefined));
  const { writes, removes } = changes(root, resources, removed.sort(), new Set(existing.keys()));
  const pendingOut = pending.map((p) => (isNew(p.dir) ? p : { ...p, rendered: true })).sort((a, b) => (a.dir < b.dir ? -1 : 1));
  return { resources, pending: pendingOut, removed, writes, removes, warnings, catalogCommit: catalog.index.refCommit, recordsCommit: records.commit };
}

/** What makes two resources the same but for their names: kind, template and inputs. */
function fingerprintOf(r: PlatformResource): { key: string; service: string; instance: string } | undefined {
  try {
    const file = (p: string): JsonObject | undefined => {
      const f = r.files.find((x) => x.path === p);
      return f ? (JSON.parse(f.content) as JsonObject) : undefined;
    };
    const meta = file(METADATA_FILE);
    const vars = file("proton.auto.tfvars.json");
    if (!meta || !vars) return undefined;
    const inner = isPlainObject(meta.resourceMetadata) ? meta.resourceMetadata : isPlainObject(meta.componentMetadata) ? meta.componentMetadata : {};
    const own = (name: string): JsonObject | undefined => (isPlainObject(vars[name]) ? (vars[name] as JsonObject) : undefined);
    const block = own("service_instance") ?? own("pipeline") ?? own("component") ?? own("environment");
    const service = own("service");
    return {
      key: JSON.stringify([r.kind, inner.templateArn ?? "", block?.inputs ?? null]),
      service: typeof service?.name === "string" ? service.name : "",
      instance: typeof own("service_instance")?.name === "string" ? String(own("service_instance")?.name) : "",
    };
  } catch {
    return undefined;
  }
}

/**
 * A deleted directory and a new one of the same kind, template and inputs look like a rename
 * (e.g. `orders.yaml` renamed to `Orders_Svc.yaml`): the apply would destroy the running
 * resources and create new ones. Warned about, since a rename may be meant.
 */
function renameWarnings(resources: readonly PlatformResource[], isNew: (dir: string) => boolean, deployed: (dir: string) => boolean): string[] {
  const created = resources.filter((r) => !r.deleted && isNew(r.dir)).map((r) => ({ r, f: fingerprintOf(r) }));
  const out: string[] = [];
  // Only what was deployed: destroying a directory never applied loses nothing.
  for (const gone of resources.filter((r) => r.deleted && deployed(r.dir))) {
    const f = fingerprintOf(gone);
    if (!f) continue;
    const match = created.find((c) => c.f?.key === f.key);
    if (!match?.f) continue;
    const why: string[] = [];
    if (f.service !== match.f.service) {
      why.push(`the service name comes from the file name (platform/services/<service>.yaml): service ${f.service} became ${match.f.service}${match.r.source ? ` (${match.r.source})` : ""}`);
    }
    if (f.instance !== match.f.instance) why.push(`instance ${f.instance} became ${match.f.instance}`);
    out.push(
      `${gone.dir}/ is deleted and ${match.r.dir}/ is new, with the same template and spec: this looks like a rename${why.length ? `; ${why.join("; ")}` : ""}. ` +
        `Applying it destroys the running ${gone.kind.replace("_", " ")} of ${gone.dir}/ and creates a new one in ${match.r.dir}/ (the directory, and the state key, come from the service and instance names). ` +
        `To keep it, keep the old name${f.service !== match.f.service ? ` (rename the file back to platform/services/${f.service}.yaml)` : ""}; if the new name is meant, go on: the old resources are destroyed`,
    );
  }
  return out;
}

/** Per environment, the services with an instance in it, by owner (sorted). */
function ownersByEnvironment(state: DesiredState): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const svc of state.services) {
    for (const env of new Set(instancesOf(svc.spec.value).map((i) => i.environment))) {
      if (!env) continue;
      const byOwner = out.get(env) ?? new Map<string, string[]>();
      out.set(env, byOwner);
      const list = byOwner.get(svc.owner) ?? [];
      byOwner.set(svc.owner, list);
      if (!list.includes(svc.name)) list.push(svc.name);
    }
  }
  for (const byOwner of out.values()) for (const list of byOwner.values()) list.sort();
  return out;
}

/**
 * The environment's spec with `team_access` filled from the owners of the services that run
 * in it, one `<team>;<principal>;<service>,...` entry per owning team, when the template
 * declares the input and the spec does not set it (an explicit value, even `[]`, wins).
 */
function withTeamAccess(
  env: EnvironmentState,
  bundle: Bundle,
  spec: EnvironmentSpec,
  accountId: string,
  teamServices: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>,
  teams: Entitlements | undefined,
  problems: Problem[],
): EnvironmentSpec {
  const property = bundle.schema?.environmentInputType?.properties.team_access;
  const written = isPlainObject(env.spec.value) && isPlainObject(env.spec.value.spec) ? env.spec.value.spec : {};
  if (!property || written.team_access !== undefined) return spec;
  const byOwner = teamServices.get(env.name) ?? new Map<string, readonly string[]>();
  const entries = [...byOwner.keys()].sort().map((owner) => {
    const configured = teams?.teams.find((t) => t.name === owner)?.accessPrincipal;
    const principal = configured ? configured.split("{account_id}").join(accountId) : `arn:aws:iam::${accountId}:root`;
    return `${owner};${principal};${(byOwner.get(owner) ?? []).join(",")}`;
  });
  const checked = validateAgainst(objectSchema({ name: "team_access", properties: { team_access: property }, required: [] }), { team_access: entries });
  for (const issue of checked.problems) {
    const index = typeof issue.path[1] === "number" ? issue.path[1] : undefined;
    const entry = index === undefined ? "" : ` (entry "${entries[index]}")`;
    problems.push(
      problemAt(
        env.source,
        ["spec", "spec"],
        `team_access, filled from the owners of the services in ${env.name}${entry}: ${issue.message}`,
        "owners name IAM roles: use lowercase letters, digits and '-' for owner: in platform/services/*.yaml (and an access_principal that is a role ARN), or set spec.team_access in this file",
      ),
    );
  }
  return { ...spec, inputs: { ...spec.inputs, team_access: entries } };
}

function instancesOf(spec: unknown): { name: string; environment: string }[] {
  const list = isPlainObject(spec) && Array.isArray(spec.instances) ? spec.instances : [];
  return list.map((raw: unknown) => ({
    name: isPlainObject(raw) && typeof raw.name === "string" ? raw.name : "",
    environment: isPlainObject(raw) && typeof raw.environment === "string" ? raw.environment : "",
  }));
}

const MANAGED = (name: string): boolean => name.endsWith(".tf") || name === "proton.auto.tfvars.json";

/**
 * First phase of a deletion, from the files on disk (the desired state is gone): every header
 * becomes the deletion comment, and the metadata says `isResourceDeleted` with Proton's
 * deleted deployment id. The values stay, so the destroy plans against the same resources.
 */
function deletionFromDisk(root: string, dir: string, info: Existing): PlatformResource {
  const abs = path.join(root, ...dir.split("/"));
  const files: RenderedFile[] = [];
  for (const name of fs.readdirSync(abs).sort()) {
    if (!MANAGED(name) || !fs.statSync(path.join(abs, name)).isFile()) continue;
    let content = fs.readFileSync(path.join(abs, name), "utf8");
    if (name.endsWith(".tf")) {
      const nl = content.indexOf("\n");
      const first = nl < 0 ? content : content.slice(0, nl);
      if (first.startsWith("/*") && first.endsWith("*/")) content = `${deletedHeader(info.arn)}${nl < 0 ? "" : content.slice(nl)}`;
    }
    files.push({ path: name, content });
  }
  const meta = JSON.parse(fs.readFileSync(path.join(abs, ...METADATA_FILE.split("/")), "utf8")) as JsonObject;
  files.push({ path: METADATA_FILE, content: protonJson({ ...meta, deploymentId: DELETED_DEPLOYMENT_ID, isResourceDeleted: true }) });
  const kind: ResourceKind = isPlainObject(meta.componentMetadata) ? "component" : dir.endsWith("/pipeline") ? "pipeline" : dir.includes("/") ? "service_instance" : "environment";
  return { kind, name: dir.split("/").pop() ?? dir, dir, arn: info.arn, files, deleted: true };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Files to write and to remove so that the repository matches the plan. */
function changes(root: string, resources: readonly PlatformResource[], removed: readonly string[], rendered: ReadonlySet<string>): { writes: Map<string, string>; removes: string[] } {
  const writes = new Map<string, string>();
  const removes: string[] = [];
  for (const r of resources) {
    const abs = path.join(root, ...r.dir.split("/"));
    const keep = new Set(r.files.map((f) => f.path));
    for (const f of r.files) {
      const rel = `${r.dir}/${f.path}`;
      if (readIfExists(path.join(abs, ...f.path.split("/"))) !== f.content) writes.set(rel, f.content);
    }
    if (fs.existsSync(abs)) {
      for (const name of fs.readdirSync(abs).sort()) if (MANAGED(name) && !keep.has(name)) removes.push(`${r.dir}/${name}`);
    }
  }
  for (const dir of removed) {
    // Everything of the directory goes, except directories of other resources inside it.
    const abs = path.join(root, ...dir.split("/"));
    const nested = [...rendered].filter((d) => d.startsWith(`${dir}/`));
    for (const name of fs.readdirSync(abs).sort()) {
      const rel = `${dir}/${name}`;
      if (nested.some((d) => d === rel || d.startsWith(`${rel}/`))) continue;
      removes.push(rel);
    }
    if (nested.length === 0) removes.push(dir);
  }
  return { writes: new Map([...writes].sort((a, b) => (a[0] < b[0] ? -1 : 1))), removes };
}

/**
 * Writes a plan: every changed file is staged in a temporary folder of the repository and
 * renamed into place, then removals run. Unchanged files are not touched.
 */
export function writePlatform(root: string, plan: PlatformPlan): void {
  if (plan.writes.size === 0 && plan.removes.length === 0) return;
  const tmp = fs.mkdtempSync(path.join(root, ".protonkit-render-"));
  try {
    let i = 0;
    const staged: [string, string][] = [];
    for (const [rel, content] of plan.writes) {
      const file = path.join(tmp, String(i++));
      fs.writeFileSync(file, content);
      staged.push([file, path.join(root, ...rel.split("/"))]);
    }
    for (const [from, to] of staged) {
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.renameSync(from, to);
    }
    for (const rel of plan.removes) fs.rmSync(path.join(root, ...rel.split("/")), { recursive: true, force: true });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
