/**
 * Desired state of a platform repository: `platform/environments/<env>.yaml` and
 * `platform/services/<service>.yaml`. Each wraps a Proton spec verbatim under `spec:`, adds
 * the template, its version, the owner and (services) the source repository. Reading checks
 * the wrapper; the spec itself is checked against its template's schema at render time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem } from "../errors";
import { resourceNameError } from "../proton/names";
import { validateAgainst } from "../support/json-schema";
import type { JsonValue, YamlSource } from "../support/yaml";
import { problemAt } from "../support/problems";
import { isPlainObject, readYamlFile } from "../support/yaml";
import environmentSchema from "./environment.schema.json";
import serviceSchema from "./service.schema.json";

/** Where desired state lives, relative to the platform repository root. */
export const DESIRED_STATE_DIR = "platform";
/** Environment files, relative to the repository root. */
export const ENVIRONMENTS_DIR = "platform/environments";
/** Service files, relative to the repository root. */
export const SERVICES_DIR = "platform/services";

/** JSON schema of an environment file (for editors, and the wrapper check). */
export const ENVIRONMENT_FILE_SCHEMA: { [key: string]: JsonValue } = environmentSchema as { [key: string]: JsonValue };
/** JSON schema of a service file (for editors, and the wrapper check). */
export const SERVICE_FILE_SCHEMA: { [key: string]: JsonValue } = serviceSchema as { [key: string]: JsonValue };
/** Absolute paths of the two schema files, for copying into a platform repository. */
export const SCHEMA_PATHS = {
  environment: path.join(__dirname, "environment.schema.json"),
  service: path.join(__dirname, "service.schema.json"),
} as const;

/** A requested template version: `"1"` follows major 1's newest minor, `"1.2"` is pinned. */
export interface VersionRequest {
  readonly major: number;
  /** Absent when floating. */
  readonly minor?: number;
  /** As written. */
  readonly text: string;
}

/** Where a value came from, for problems: file, line and field. */
export interface Origin {
  /** The file as shown in messages. */
  readonly file: string;
  readonly line?: number;
  readonly field: string;
}

/** One `platform/environments/<env>.yaml`. */
export interface EnvironmentState {
  readonly kind: "environment";
  /** From the file name. */
  readonly name: string;
  /** The whole file. */
  readonly source: YamlSource;
  readonly template: string;
  readonly version: VersionRequest;
  readonly owner?: string;
  readonly tier?: "test" | "staging" | "production";
  /** The `spec:` node as a document of its own (lines still point into the file). */
  readonly spec: YamlSource;
}

/** A component attached to one instance of a service. */
export interface ComponentState {
  readonly name: string;
  readonly instance: string;
  readonly template: string;
  readonly version: VersionRequest;
  /** Field path in the service file, e.g. `components.cache`. */
  readonly field: string;
}

/** One `platform/services/<service>.yaml`. */
export interface ServiceState {
  readonly kind: "service";
  readonly name: string;
  readonly source: YamlSource;
  readonly template: string;
  readonly version: VersionRequest;
  readonly owner: string;
  readonly repository: { readonly id: string; readonly branch: string; readonly connectionArn: string };
  /** Per-instance version overrides by instance name. */
  readonly instanceVersions: Readonly<Record<string, VersionRequest>>;
  readonly components: readonly ComponentState[];
  readonly spec: YamlSource;
}

/** Everything under `platform/`, sorted by name. */
export interface DesiredState {
  readonly environments: readonly EnvironmentState[];
  readonly services: readonly ServiceState[];
}

/** Parses `"1"` / `"1.2"`; undefined when malformed (the schema reports it). */
export function parseVersion(text: unknown): VersionRequest | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^([1-9]\d*)(?:\.(0|[1-9]\d*))?$/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), ...(m[2] !== undefined ? { minor: Number(m[2]) } : {}), text };
}

/** `"1"` or `"1.2"` back from a request. */
export function versionText(v: { major: number; minor?: number }): string {
  return v.minor === undefined ? String(v.major) : `${v.major}.${v.minor}`;
}

const FIXES: Readonly<Record<string, string>> = {
  version: 'write "1" to follow major 1\'s newest minor, or "1.2" to pin; quote it so YAML keeps it a string',
  template: "write a template name of the catalog",
  owner: "write the owning team's name",
  proton: "paste the Proton spec unchanged under spec:",
};

/** The `spec:` node of a file as a source of its own, so spec problems keep the file's lines. */
function subSource(source: YamlSource, key: string): YamlSource {
  // A shallow copy of the document whose contents are the spec node: nodes keep their offsets,
  // so lines still point into the file (cloning every node would cost more than parsing).
  const doc = Object.assign(Object.create(Object.getPrototypeOf(source.doc) as object) as YamlSource["doc"], source.doc);
  doc.contents = (source.doc.get(key, true) ?? null) as typeof doc.contents;
  const value = isPlainObject(source.value) ? source.value[key] : undefined;
  return { ...source, doc, value };
}

function checkWrapper(source: YamlSource, schema: { [key: string]: JsonValue }, what: string): Problem[] {
  if (source.value === undefined || source.value === null) {
    return [problemAt(source, [], `the ${what} file is empty`, "write template, version and spec (see the platform schema)")];
  }
  return validateAgainst(schema, source.value, "field").problems.map((p) => {
    const last = [...p.path].reverse().find((s): s is string => typeof s === "string") ?? "";
    return problemAt(source, p.path, p.message, p.fix ?? FIXES[last]);
  });
}

function listYaml(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
}

function nameOf(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/, "");
}

/** Reads one environment file; problems name the file, the line and the field. */
export function readEnvironmentFile(file: string): { environment?: EnvironmentState; problems: Problem[] } {
  const read = readYamlFile(file, "environment file");
  if (!read.source) return { problems: read.problems };
  const source = read.source;
  const problems = checkWrapper(source, ENVIRONMENT_FILE_SCHEMA, "environment");
  const name = nameOf(file);
  const nameErr = resourceNameError(name);
  if (nameErr) problems.push(new Problem(`environment name from the file name: ${nameErr}`, { file: source.displayFile, fix: "rename the file to <environment>.yaml" }));
  if (problems.length > 0) return { problems };
  const raw = source.value as Record<string, unknown>;
  return {
    problems,
    environment: {
      kind: "environment",
      name,
      source,
      template: raw.template as string,
      version: parseVersion(raw.version) as VersionRequest,
      ...(typeof raw.owner === "string" ? { owner: raw.owner } : {}),
      ...(typeof raw.tier === "string" ? { tier: raw.tier as EnvironmentState["tier"] } : {}),
      spec: subSource(source, "spec"),
    },
  };
}

/** Reads one service file; problems name the file, the line and the field. */
export function readServiceFile(file: string): { service?: ServiceState; problems: Problem[] } {
  const read = readYamlFile(file, "service file");
  if (!read.source) return { problems: read.problems };
  const source = read.source;
  const problems = checkWrapper(source, SERVICE_FILE_SCHEMA, "service");
  const name = nameOf(file);
  const nameErr = resourceNameError(name);
  if (nameErr) problems.push(new Problem(`service name from the file name: ${nameErr}`, { file: source.displayFile, fix: "rename the file to <service>.yaml" }));
  if (problems.length > 0) return { problems };
  const raw = source.value as Record<string, unknown>;
  const repo = raw.repository as Record<string, string>;
  const instanceVersions: Record<string, VersionRequest> = {};
  const rawInstances = (raw.instances ?? {}) as Record<string, { version?: string }>;
  const specInstances = instanceNames(source.value);
  for (const [inst, settings] of Object.entries(rawInstances)) {
    if (!specInstances.includes(inst)) {
      problems.push(problemAt(source, ["instances", inst], `no instance "${inst}" in spec.instances (found ${specInstances.join(", ") || "none"})`, "name an instance of the spec, or remove the entry"));
    }
    if (settings.version !== undefined) instanceVersions[inst] = parseVersion(settings.version) as VersionRequest;
  }
  const components: ComponentState[] = [];
  const attached = new Map<string, string>();
  for (const [component, c] of Object.entries((raw.components ?? {}) as Record<string, { instance: string; template: string; version: string }>)) {
    if (!specInstances.includes(c.instance)) {
      problems.push(problemAt(source, ["components", component, "instance"], `no instance "${c.instance}" in spec.instances (found ${specInstances.join(", ") || "none"})`, "attach the component to an instance of the spec"));
    }
    const first = attached.get(c.instance);
    if (first !== undefined) {
      problems.push(problemAt(source, ["components", component, "instance"], `instance "${c.instance}" already has component "${first}": Proton attaches at most one component to an instance`, "attach it to another instance, or remove one"));
    }
    attached.set(c.instance, component);
    components.push({ name: component, instance: c.instance, template: c.template, version: parseVersion(c.version) as VersionRequest, field: `components.${component}` });
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    service: {
      kind: "service",
      name,
      source,
      template: raw.template as string,
      version: parseVersion(raw.version) as VersionRequest,
      owner: raw.owner as string,
      repository: { id: repo.id, branch: repo.branch, connectionArn: repo.connection_arn ?? "" },
      instanceVersions,
      components: components.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      spec: subSource(source, "spec"),
    },
  };
}

function instanceNames(root: unknown): string[] {
  const spec = isPlainObject(root) ? root.spec : undefined;
  const list = isPlainObject(spec) && Array.isArray(spec.instances) ? spec.instances : [];
  return list.map((i: unknown) => (isPlainObject(i) && typeof i.name === "string" ? i.name : "")).filter((n: string) => n !== "");
}

/**
 * Reads every desired-state file under `<root>/platform/`. Returns what could be read and
 * every problem; a file with problems is left out of the state.
 */
export function loadDesiredState(root: string): { state: DesiredState; problems: Problem[]; brokenEnvironments: string[] } {
  const problems: Problem[] = [];
  const environments: EnvironmentState[] = [];
  const services: ServiceState[] = [];
  const brokenEnvironments: string[] = [];
  const envDir = path.join(root, ENVIRONMENTS_DIR);
  const svcDir = path.join(root, SERVICES_DIR);
  for (const f of listYaml(envDir)) {
    const r = readEnvironmentFile(path.join(envDir, f));
    problems.push(...r.problems);
    if (r.environment) environments.push(r.environment);
    else brokenEnvironments.push(nameOf(f));
  }
  for (const f of listYaml(svcDir)) {
    const r = readServiceFile(path.join(svcDir, f));
    problems.push(...r.problems);
    if (r.service) services.push(r.service);
  }
  const seen = new Map<string, string>();
  for (const s of [...environments, ...services]) {
    const key = `${s.kind}:${s.name}`;
    const other = seen.get(key);
    if (other !== undefined) {
      problems.push(new Problem(`${s.kind} "${s.name}" is also defined in ${other}`, { file: s.source.displayFile, fix: "keep one file per name (.yaml or .yml, not both)" }));
    }
    seen.set(key, s.source.displayFile);
  }
  return { state: { environments, services }, problems, brokenEnvironments };
}
