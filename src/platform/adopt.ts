/**
 * Adopt: reads a provisioning repository that Proton wrote (rendered directories,
 * `proton.auto.tfvars.json`, `.proton/deployment-metadata.json`) with the template bundles,
 * and writes the desired state (`platform/environments/*.yaml`, `platform/services/*.yaml`)
 * and the recorded outputs that render the same Terraform. What the files do not say is
 * listed, never guessed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { Problem, ProtonkitError } from "../errors";
import { METADATA_FILE, parseDeploymentMetadata, type DeploymentMetadata } from "../provision/metadata";
import { tryGit } from "../provision/git";
import { readBundle, type Bundle } from "../render";
import { isPlainObject } from "../support/yaml";
import { ENVIRONMENTS_DIR, SERVICES_DIR } from "./model";
import { scanRendered } from "./render";
import { RECORD_FORMAT, type DeploymentEvent, type RecordedKind } from "./records-store";
import { componentDir, serviceInstanceDir } from "../render/layout";

/** One resource directory as Proton left it. */
export interface FoundResource {
  readonly dir: string;
  readonly metadata: DeploymentMetadata;
  readonly tfvars: Record<string, unknown>;
  /** Template `.tf` files (not Proton's variables file), headers stripped. */
  readonly tf: Readonly<Record<string, string>>;
  /** `proton.<kind>.variables.tf`, header stripped, when present. */
  readonly variables?: string;
}

/** What adopt found and would write. */
export interface AdoptResult {
  /** Desired-state files by path relative to the platform repository. */
  readonly files: ReadonlyMap<string, string>;
  /** Outputs to record, as deployment events (one SUCCEEDED per resource with outputs or a record). */
  readonly records: readonly DeploymentEvent[];
  /** What could not be recovered, or renders differently, one line each. */
  readonly unrecovered: readonly string[];
  /** Values for `.protonkit/platform.yaml`. */
  readonly config: { readonly account_id?: string; readonly region?: string; readonly environmentAccounts: Readonly<Record<string, string>> };
  /** Resources Proton marked deleted (left for the automation to destroy). */
  readonly deleted: readonly string[];
}

/** Strips a leading `/* ... *\/` block (Proton's header, or ours) and the line break after it. */
export function stripHeader(content: string): string {
  if (!content.startsWith("/*")) return content;
  const end = content.indexOf("*/");
  if (end < 0) return content;
  let rest = content.slice(end + 2);
  if (rest.startsWith("\r\n")) rest = rest.slice(2);
  else if (rest.startsWith("\n")) rest = rest.slice(1);
  return rest;
}

function obj(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? (v as Record<string, unknown>) : {};
}

function strings(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === "string") out[k] = x;
  return out;
}

/** Reads every resource directory of a provisioning repository. */
export function readProvisioningRepo(repo: string): FoundResource[] {
  const found: FoundResource[] = [];
  const problems: Problem[] = [];
  for (const dir of [...scanRendered(repo).keys()].sort()) {
    const abs = path.join(repo, ...dir.split("/"));
    const metaFile = `${dir}/${METADATA_FILE}`;
    try {
      const metadata = parseDeploymentMetadata(fs.readFileSync(path.join(abs, ...METADATA_FILE.split("/")), "utf8"), metaFile);
      let tfvars: Record<string, unknown> = {};
      const tfvarsFile = path.join(abs, "proton.auto.tfvars.json");
      if (fs.existsSync(tfvarsFile)) tfvars = obj(JSON.parse(fs.readFileSync(tfvarsFile, "utf8")));
      else problems.push(new Problem("proton.auto.tfvars.json is missing", { file: dir, fix: "adopt a directory Proton rendered completely" }));
      const tf: Record<string, string> = {};
      let variables: string | undefined;
      for (const name of fs.readdirSync(abs).sort()) {
        if (!name.endsWith(".tf") || !fs.statSync(path.join(abs, name)).isFile()) continue;
        const content = stripHeader(fs.readFileSync(path.join(abs, name), "utf8"));
        if (/^proton\.[a-z_]+\.variables\.tf$/.test(name)) variables = content;
        else tf[name] = content;
      }
      found.push({ dir, metadata, tfvars, tf, variables });
    } catch (err) {
      if (err instanceof ProtonkitError) problems.push(...err.problems);
      else problems.push(new Problem(`cannot read: ${(err as Error).message}`, { file: dir }));
    }
  }
  if (problems.length > 0) throw new ProtonkitError(problems, `cannot adopt ${repo}: ${problems.length} problem(s); nothing was written`);
  return found;
}

/** Every `<template>/v<major>` bundle under a bundles folder. */
export function readBundles(bundlesDir: string): Bundle[] {
  const out: Bundle[] = [];
  if (!fs.existsSync(bundlesDir)) throw new ProtonkitError(new Problem("does not exist", { file: bundlesDir, field: "--bundles", fix: "pass the folder holding <template>/v<major>/ bundles (e.g. the catalog's proton-bundles/)" }));
  for (const t of fs.readdirSync(bundlesDir).sort()) {
    const tdir = path.join(bundlesDir, t);
    if (!fs.statSync(tdir).isDirectory()) continue;
    for (const v of fs.readdirSync(tdir).sort()) {
      if (!/^v\d+$/.test(v)) continue;
      out.push(readBundle(path.join(tdir, v)));
    }
  }
  return out;
}

const NUMERIC = new Set(["number", "integer"]);

/** Inputs as the schema types them: Proton's 2022 `map(string)` wrote every value as a string. */
function typedInputs(inputs: Record<string, unknown>, properties: Readonly<Record<string, { type: string }>> | undefined, where: string, notes: string[]): Record<string, unknown> {
  if (!properties) return inputs;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const type = properties[k]?.type;
    if (typeof v === "string" && type && NUMERIC.has(type) && v.trim() !== "" && !Number.isNaN(Number(v))) {
      out[k] = Number(v);
      notes.push(`${where}: input ${k} was written as the string "${v}" (inputs = map(string)); the spec says ${v} as the schema types it (${type})`);
    } else if (typeof v === "string" && type === "boolean" && (v === "true" || v === "false")) {
      out[k] = v === "true";
      notes.push(`${where}: input ${k} was written as the string "${v}" (inputs = map(string)); the spec says ${v} as the schema types it (boolean)`);
    } else out[k] = v;
  }
  return out;
}

function templateOf(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const m = /:(?:environment|service)-template\/([^/]+)$/.exec(arn);
  return m?.[1];
}

function recordKind(m: DeploymentMetadata): RecordedKind {
  return m.arn.kind;
}

/** Options of {@link adopt}. */
export interface AdoptOptions {
  /** The provisioning repository. */
  readonly repo: string;
  /** The template bundles (`<template>/v<major>/`). */
  readonly bundles: string;
  /** Clock for the records. @default () => new Date() */
  readonly now?: () => Date;
}

/** Reads what Proton wrote and builds the desired state, the records and the list of what is not recovered. */
export function adopt(options: AdoptOptions): AdoptResult {
  const found = readProvisioningRepo(options.repo);
  const bundles = readBundles(options.bundles);
  const byTemplate = new Map(bundles.map((b) => [`${b.templateName}:${b.major}`, b]));
  const now = (options.now ?? (() => new Date()))().toISOString();
  const head = tryGit(options.repo, ["rev-parse", "HEAD"]);
  const commit = head.code === 0 ? head.stdout.trim() : undefined;
  const unrecovered: string[] = [];
  const notes: string[] = [];
  const files = new Map<string, string>();
  const events: DeploymentEvent[] = [];
  const deleted: string[] = [];
  const accounts = new Set<string>();
  const regions = new Set<string>();
  const environmentAccounts: Record<string, string> = {};
  const envOutputs = new Map<string, { outputs: Record<string, string>; from: string }>();
  const instanceOutputs = new Map<string, Record<string, string>>();
  const componentOutputs = new Map<string, Record<string, string>>();
  const live = found.filter((f) => {
    if (f.metadata.isResourceDeleted) deleted.push(f.dir);
    return !f.metadata.isResourceDeleted;
  });
  for (const f of live) {
    accounts.add(f.metadata.arn.account);
    regions.add(f.metadata.arn.region);
  }

  const record = (f: FoundResource, outputs: Record<string, string> | undefined): void => {
    events.push({
      v: RECORD_FORMAT,
      resource: f.dir,
      kind: recordKind(f.metadata),
      arn: f.metadata.arn.arn,
      deploymentId: f.metadata.deploymentId ?? "",
      ...(f.metadata.templateVersion && templateOf(f.metadata.templateArn) ? { templateVersion: `${templateOf(f.metadata.templateArn)}:${f.metadata.templateVersion}` } : {}),
      ...(commit ? { commit } : {}),
      status: "SUCCEEDED",
      at: now,
      run: "adopt",
      ...(outputs && Object.keys(outputs).length ? { outputs } : {}),
    });
  };

  const legacyShapes = (f: FoundResource): void => {
    const v = f.variables ?? "";
    if (/inputs\s*=\s*map\(string\)/.test(v)) unrecovered.push(`${f.dir}: declares inputs = map(string) (2022): kept as Proton wrote it while the directory exists (the spec types the values by the schema, the tfvars keep them as strings); a template version that needs today's variables needs the file removed first`);
    const service = obj(f.tfvars.service);
    if (f.tfvars.service !== undefined && Object.keys(service).length === 1 && "name" in service) {
      unrecovered.push(`${f.dir}: var.service has only name (2022): kept so while the directory exists; repository: in the service file is not rendered into it`);
    }
    if (f.tfvars.proton_tags === undefined) {
      unrecovered.push(`${f.dir}: proton.auto.tfvars.json has no proton_tags: kept without them while the directory exists (adding them would change the plan of every resource tagged with var.proton_tags)`);
    }
  };

  // Environments.
  const envFiles = new Map<string, { template: string; version: string; inputs: Record<string, unknown> }>();
  for (const f of live.filter((x) => x.metadata.arn.kind === "environment")) {
    legacyShapes(f);
    const name = f.metadata.arn.name;
    const template = templateOf(f.metadata.templateArn);
    const version = f.metadata.templateVersion;
    const env = obj(f.tfvars.environment);
    if (!template || !version) {
      unrecovered.push(`${f.dir}: the metadata names no template or version (resourceMetadata.templateArn, templateMajorVersion): environment ${name} not written`);
      continue;
    }
    const bundle = byTemplate.get(`${template}:${version.split(".")[0]}`);
    if (!bundle) unrecovered.push(`${f.dir}: no bundle ${template}/v${version.split(".")[0]} under --bundles: inputs kept as written`);
    const inputs = typedInputs(obj(env.inputs), bundle?.schema?.environmentInputType?.properties as Record<string, { type: string }> | undefined, f.dir, notes);
    envFiles.set(name, { template, version, inputs });
    files.set(
      `${ENVIRONMENTS_DIR}/${name}.yaml`,
      `# Adopted from ${f.dir}/ (Proton). Pinned to the deployed version; write "${version.split(".")[0]}" to follow new minors.\n${stringify({ template, version, spec: { proton: "EnvironmentSpec", spec: inputs } }, { lineWidth: 0 })}`,
    );
  }

  // Service instances, pipelines, components: grouped by service.
  interface SvcAcc {
    template?: string;
    versions: Map<string, string>;
    instances: Array<{ name: string; environment: string; spec: Record<string, unknown> }>;
    pipeline?: Record<string, unknown>;
    pipelineVersion?: string;
    repository?: Record<string, unknown>;
    components: Record<string, { instance: string; template: string; version: string }>;
  }
  const services = new Map<string, SvcAcc>();
  const acc = (svc: string): SvcAcc => {
    let a = services.get(svc);
    if (!a) {
      a = { versions: new Map(), instances: [], components: {} };
      services.set(svc, a);
    }
    return a;
  };
  for (const f of live.filter((x) => x.metadata.arn.kind === "service-instance")) {
    legacyShapes(f);
    const { service, name } = f.metadata.arn;
    const a = acc(service);
    const template = templateOf(f.metadata.templateArn);
    const version = f.metadata.templateVersion;
    if (!template || !version) {
      unrecovered.push(`${f.dir}: the metadata names no template or version: instance ${service}/${name} not written`);
      continue;
    }
    if (a.template && a.template !== template) unrecovered.push(`${f.dir}: instances of ${service} use two templates (${a.template}, ${template}); a platform service has one`);
    a.template ??= template;
    a.versions.set(name, version);
    const env = obj(f.tfvars.environment);
    const si = obj(f.tfvars.service_instance);
    const environment = typeof env.name === "string" ? env.name : (f.metadata.environmentArn?.name ?? f.dir.split("/")[0]);
    const bundle = byTemplate.get(`${template}:${version.split(".")[0]}`);
    a.instances.push({ name, environment, spec: typedInputs(obj(si.inputs), bundle?.schema?.serviceInputType?.properties as Record<string, { type: string }> | undefined, f.dir, notes) });
    if (!a.repository && f.tfvars.service !== undefined) a.repository = obj(f.tfvars.service);
    // What the instance was handed: its environment's outputs, its component's.
    const outs = strings(env.outputs);
    const seen = envOutputs.get(environment);
    if (seen && JSON.stringify(seen.outputs) !== JSON.stringify(outs)) {
      unrecovered.push(`${f.dir}: saw other outputs of environment ${environment} than ${seen.from}/ did (rendered at different times); the outputs of ${seen.from}/ are recorded`);
    } else if (!seen) envOutputs.set(environment, { outputs: outs, from: f.dir });
    if (typeof env.account_id === "string" && env.account_id !== f.metadata.arn.account) environmentAccounts[environment] = env.account_id;
    const comp = obj(obj(si.components).default);
    if (typeof comp.name === "string") componentOutputs.set(componentDir(environment, comp.name), strings(comp.outputs));
  }
  for (const f of live.filter((x) => x.metadata.arn.kind === "pipeline")) {
    legacyShapes(f);
    const a = acc(f.metadata.arn.service);
    a.pipeline = obj(obj(f.tfvars.pipeline).inputs);
    a.pipelineVersion = f.metadata.templateVersion;
    a.template ??= templateOf(f.metadata.templateArn);
    if (!a.repository && f.tfvars.service !== undefined) a.repository = obj(f.tfvars.service);
    const list = Array.isArray(f.tfvars.service_instances) ? f.tfvars.service_instances : [];
    for (const si of list) {
      const s = obj(si);
      const env = obj(s.environment);
      if (typeof s.name === "string" && typeof env.name === "string") instanceOutputs.set(serviceInstanceDir(env.name, f.metadata.arn.service, s.name), strings(s.outputs));
    }
  }
  const componentBundles = bundles.filter((b) => b.kind === "component");
  for (const f of live.filter((x) => x.metadata.arn.kind === "component")) {
    legacyShapes(f);
    const service = obj(f.tfvars.service).name;
    const instance = obj(f.tfvars.service_instance).name;
    if (typeof service !== "string" || typeof instance !== "string") {
      unrecovered.push(`${f.dir}: proton.auto.tfvars.json names no service or service instance: component ${f.metadata.arn.name} not written`);
      continue;
    }
    // Proton records no template for a directly defined component: the bundle whose files match is it.
    const match = componentBundles.find((b) => {
      const folder = b.infrastructure;
      if (!folder) return false;
      const mine = Object.keys(f.tf).sort();
      return JSON.stringify(folder.files.map((x) => x.name).sort()) === JSON.stringify(mine) && folder.files.every((x) => f.tf[x.name] === x.content);
    });
    if (!match) {
      unrecovered.push(`${f.dir}: no component bundle under --bundles has exactly these .tf files: component ${f.metadata.arn.name} not written (add its bundle to the catalog)`);
      continue;
    }
    acc(service).components[f.metadata.arn.name] = { instance, template: match.templateName, version: `${match.major}.${match.lockedMinor ?? 0}` };
  }

  for (const [name, a] of [...services].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    if (!a.template) continue;
    const versions = [...a.versions.values()];
    const version = a.pipelineVersion ?? versions.sort()[versions.length - 1];
    if (!version) {
      unrecovered.push(`service ${name}: no version found: not written`);
      continue;
    }
    const overrides: Record<string, { version: string }> = {};
    for (const [inst, v] of [...a.versions].sort()) if (v !== version) overrides[inst] = { version: v };
    const repo = a.repository ?? {};
    const id = typeof repo.repository_id === "string" && repo.repository_id !== "" ? repo.repository_id : undefined;
    const branch = typeof repo.branch_name === "string" && repo.branch_name !== "" ? repo.branch_name : undefined;
    if (!id || !branch) {
      unrecovered.push(`service ${name}: the source repository (var.service.repository_id, branch_name) is not in the files: repository: is written as unknown/${name}, branch unknown; set them before rendering`);
    }
    unrecovered.push(`service ${name}: the owning team is not in the files: owner: is written as unknown; set it (entitlements, CODEOWNERS)`);
    const doc: Record<string, unknown> = {
      template: a.template,
      version,
      owner: "unknown",
      repository: { id: id ?? `unknown/${name}`, branch: branch ?? "unknown", ...(typeof repo.repository_connection_arn === "string" && repo.repository_connection_arn !== "" ? { connection_arn: repo.repository_connection_arn } : {}) },
      ...(Object.keys(overrides).length ? { instances: overrides } : {}),
      ...(Object.keys(a.components).length ? { components: Object.fromEntries(Object.entries(a.components).sort()) } : {}),
      spec: {
        proton: "ServiceSpec",
        ...(a.pipeline !== undefined ? { pipeline: a.pipeline } : {}),
        instances: a.instances.sort((x, y) => (x.name < y.name ? -1 : 1)).map((i) => ({ name: i.name, environment: i.environment, spec: i.spec })),
      },
    };
    files.set(`${SERVICES_DIR}/${name}.yaml`, `# Adopted from Proton's rendered directories. Versions are pinned to what was deployed.\n${stringify(doc, { lineWidth: 0 })}`);
  }

  // Records: what each resource handed its dependents, as the last successful deployment.
  for (const f of live) {
    const kind = f.metadata.arn.kind;
    const outputs = kind === "environment" ? envOutputs.get(f.dir)?.outputs : kind === "service-instance" ? instanceOutputs.get(f.dir) : kind === "component" ? componentOutputs.get(f.dir) : undefined;
    if (kind === "environment" && !envOutputs.has(f.dir)) unrecovered.push(`${f.dir}: no instance reads this environment, so its outputs are not in the files; they are recorded at its next apply`);
    if (kind === "service-instance" && !instanceOutputs.has(f.dir) && services.get(f.metadata.arn.service)?.pipeline !== undefined) {
      unrecovered.push(`${f.dir}: the pipeline does not list this instance, so its outputs are not in the files; they are recorded at its next apply`);
    }
    record(f, outputs);
  }
  for (const d of deleted) unrecovered.push(`${d}: deleted in Proton (isResourceDeleted); not in the desired state, so the platform renders its deletion and removes it once the destroy is recorded`);
  unrecovered.push(
    "every resource: which inputs were set explicitly is not recoverable (Proton wrote defaults into the tfvars); all are written explicitly, so a later default change in the template does not reach them",
    "every resource: new deployment ids (in .proton/deployment-metadata.json) and protonkit's header replace Proton's",
    "every environment: tier (rollout waves) and owner are not in the files; add them",
  );
  if (accounts.size > 1) unrecovered.push(`resources carry several management accounts (${[...accounts].sort().join(", ")}); a platform has one account_id`);
  if (regions.size > 1) unrecovered.push(`resources carry several regions (${[...regions].sort().join(", ")}); a platform has one region`);
  return {
    files,
    records: events,
    unrecovered: [...unrecovered, ...notes].sort((a, b) => (a.startsWith("every") === b.startsWith("every") ? (a < b ? -1 : a > b ? 1 : 0) : a.startsWith("every") ? 1 : -1)),
    config: { account_id: [...accounts].sort()[0], region: [...regions].sort()[0], environmentAccounts },
    deleted,
  };
}

/** Writes the desired-state files under `out` atomically (all or nothing); refuses to overwrite. */
export function writeAdopted(out: string, result: AdoptResult): void {
  const clash = [...result.files.keys()].filter((f) => fs.existsSync(path.join(out, f)));
  if (clash.length > 0) {
    throw new ProtonkitError(
      clash.map((f) => new Problem("already exists", { file: f, fix: "adopt into a platform repository without desired state for these resources, or remove the file" })),
      `adopt: ${clash.length} file(s) exist; nothing was written`,
    );
  }
  const staged: Array<[string, string]> = [];
  try {
    for (const [rel, content] of result.files) {
      const file = path.join(out, ...rel.split("/"));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, content);
      staged.push([tmp, file]);
    }
    for (const [tmp, file] of staged) fs.renameSync(tmp, file);
  } finally {
    for (const [tmp] of staged) fs.rmSync(tmp, { force: true });
  }
}
