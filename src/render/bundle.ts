import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import type { TemplateSchema } from "../spec/schema";
import { parseSchema } from "../spec/schema";
import { resourceNameError } from "../spec/spec";
import { displayPath, formatPath, isPlainObject, lineOf, readYamlFile } from "../support/yaml";
import type { PathSegment, YamlSource } from "../support/yaml";
import { LOCK_FILE, QUOTAS, RESERVED_VARIABLES, TERRAFORM_MANIFEST } from "../proton/contract";

/**
 * What a bundle templates. `component` is protonkit's reading of a Proton directly defined
 * component: an `infrastructure/` folder whose schema is absent or declares neither
 * `environment_input_type` nor `service_input_type` (components have no inputs of their own;
 * they read the instance's).
 */
export type BundleKind = "environment" | "service" | "component";

/** The infrastructure folders of a template-sync bundle. */
export type FolderName = "infrastructure" | "instance_infrastructure" | "pipeline_infrastructure";

/** One `.tf` file of a bundle folder. */
export interface TemplateFile {
  readonly name: string;
  readonly content: string;
}

/** One infrastructure folder: its checked manifest and its `.tf` files, sorted by name. */
export interface TemplateFolder {
  readonly name: FolderName;
  /** Absolute path. */
  readonly dir: string;
  readonly files: readonly TemplateFile[];
}

/** `<environment-template>:<major>` from `.template-registration.yaml` or `.compatible-envs`. */
export interface EnvironmentTemplateRef {
  readonly name: string;
  readonly major: number;
}

/** A read and checked Proton Terraform template bundle (`<template>/v<major>/`). */
export interface Bundle {
  /** Absolute path of `<template>/v<major>`. */
  readonly dir: string;
  readonly templateName: string;
  readonly major: number;
  readonly kind: BundleKind;
  /** Absent only for component bundles without schema. */
  readonly schema?: TemplateSchema;
  /** Service templates: environments they can be deployed to. Empty otherwise. */
  readonly compatibleEnvironments: readonly EnvironmentTemplateRef[];
  /** Service templates: e.g. `DIRECTLY_DEFINED`. */
  readonly supportedComponentSources: readonly string[];
  /** Environment and component bundles. */
  readonly infrastructure?: TemplateFolder;
  /** Service bundles. */
  readonly instanceInfrastructure?: TemplateFolder;
  /** Service bundles with a pipeline. */
  readonly pipelineInfrastructure?: TemplateFolder;
  /** Minor version recorded in the nearest `protonkit.lock.json`, if any. */
  readonly lockedMinor?: number;
}

export { LOCK_FILE };

const GENERATED_FILES = /^proton\.(environment|service_instance|pipeline|component)\.variables\.tf$/;
const MAX_TEMPLATE_FILES = QUOTAS.templateFiles;
const MAX_FILE_BYTES = QUOTAS.otherFileBytes;
const MAX_META_BYTES = QUOTAS.schemaBytes;
const MAX_BUNDLE_BYTES = QUOTAS.bundleBytes;
const MANIFEST_FIX = `write exactly:\n${TERRAFORM_MANIFEST.trimEnd()}`;

/**
 * Reads a Terraform template bundle in template-sync layout and checks everything Proton
 * would: the schema, each manifest (the exact Terraform manifest), the `.tf` files and quotas,
 * compatible environments. All problems are reported in one {@link ProtonkitError}.
 */
export function readBundle(dir: string): Bundle {
  const abs = path.resolve(dir);
  const shown = displayPath(abs);
  const problems: Problem[] = [];
  const add = (message: string, file: string, fix?: string, extra: { line?: number; field?: string } = {}): void => {
    problems.push(new Problem(message, { file: displayPath(file), fix, ...extra }));
  };
  const thrown = (): ProtonkitError =>
    new ProtonkitError(problems, `${shown}: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`} in the template bundle`);

  if (!isDir(abs)) {
    add("bundle directory does not exist", abs, "pass --bundle <bundles root>/<template>/v<major>");
    throw thrown();
  }
  const majorMatch = /^v(\d+)$/.exec(path.basename(abs));
  const templateName = path.basename(path.dirname(abs));
  if (!majorMatch) {
    add(`expected a major-version folder named v<major>, found "${path.basename(abs)}"`, abs, "pass the bundle's <template>/v<major> folder (template-sync layout)");
    throw thrown();
  }
  const major = Number(majorMatch[1]);
  if (major < 1) add("expected major version >= 1, found v0", abs, "Proton major versions start at 1");
  const nameErr = resourceNameError(templateName);
  if (nameErr) add(`template name: ${nameErr}`, path.dirname(abs), "rename the template folder");

  const has = (name: FolderName): boolean => isDir(path.join(abs, name));
  const hasInfra = has("infrastructure");
  const hasInstance = has("instance_infrastructure");
  const hasPipeline = has("pipeline_infrastructure");
  if (!hasInfra && !hasInstance) {
    add(
      "no infrastructure folder: expected infrastructure/ (environment or component) or instance_infrastructure/ (service), found neither",
      abs,
      "add the folder with manifest.yaml and .tf files",
    );
    throw thrown();
  }
  if (hasInfra && hasInstance) {
    add("expected infrastructure/ (environment) or instance_infrastructure/ (service), found both", abs, "split the bundle into two templates");
  }
  if (hasPipeline && !hasInstance) add("pipeline_infrastructure/ belongs to service templates, which need instance_infrastructure/", abs, "add instance_infrastructure/ or remove pipeline_infrastructure/");

  const schemaFile = path.join(abs, "schema", "schema.yaml");
  let schema: TemplateSchema | undefined;
  if (fs.existsSync(schemaFile)) {
    if (fs.statSync(schemaFile).size > MAX_META_BYTES) add("schema.yaml exceeds Proton's 50 KB quota", schemaFile, "shorten descriptions or split the template");
    const read = readYamlFile(schemaFile, "schema file");
    if (!read.source) problems.push(...read.problems);
    else {
      const parsed = parseSchema(read.source);
      problems.push(...parsed.problems);
      schema = parsed.schema;
    }
  } else if (hasInstance) {
    add("schema is missing", schemaFile, "add schema/schema.yaml declaring service_input_type (and pipeline_input_type when there is a pipeline)");
  }

  let kind: BundleKind;
  if (hasInstance) {
    kind = "service";
    if (schema && !schema.serviceInputType) add("a service template's schema must declare service_input_type", schemaFile, "add `service_input_type: <TypeName>` under schema", { field: "schema.service_input_type" });
    if (schema?.environmentInputType) add("environment_input_type in a service template (instance_infrastructure/)", schemaFile, "remove it, or move the template to infrastructure/");
    if (schema?.pipelineInputType && !hasPipeline) add("schema declares pipeline_input_type but the bundle has no pipeline_infrastructure/", schemaFile, "add pipeline_infrastructure/ or remove pipeline_input_type");
  } else if (schema?.serviceInputType) {
    kind = "service";
    add("schema declares service_input_type but the bundle has infrastructure/, not instance_infrastructure/", schemaFile, "rename the folder to instance_infrastructure/");
  } else {
    kind = schema?.environmentInputType ? "environment" : "component";
  }

  const folder = (name: FolderName): TemplateFolder | undefined => (has(name) ? readFolder(path.join(abs, name), name, problems) : undefined);
  const infrastructure = folder("infrastructure");
  const instanceInfrastructure = folder("instance_infrastructure");
  const pipelineInfrastructure = folder("pipeline_infrastructure");
  const total = [infrastructure, instanceInfrastructure, pipelineInfrastructure].reduce((n, f) => n + (f?.files.length ?? 0), 0);
  if (total > MAX_TEMPLATE_FILES) add(`expected at most ${MAX_TEMPLATE_FILES} template files per bundle (Proton quota), found ${total}`, abs, "merge .tf files");

  const registration = readRegistration(abs, problems);
  if (kind === "service" && registration.compatibleEnvironments.length === 0 && !registration.found) {
    add(
      "no compatible environments: expected .template-registration.yaml (or legacy .compatible-envs)",
      path.join(abs, ".template-registration.yaml"),
      "add `compatible_environments: [ <environment-template>:<major> ]`",
    );
  }
  const size = treeSize(abs);
  if (size > MAX_BUNDLE_BYTES) add(`bundle is ${(size / 1024 / 1024).toFixed(1)} MB, Proton allows at most 5 MB`, abs, "remove files the template does not need");
  const lockedMinor = readLock(abs, templateName, major, problems);
  if (problems.length > 0) throw thrown();
  return {
    dir: abs,
    templateName,
    major,
    kind,
    schema,
    compatibleEnvironments: registration.compatibleEnvironments,
    supportedComponentSources: registration.supportedComponentSources,
    infrastructure,
    instanceInfrastructure,
    pipelineInfrastructure,
    lockedMinor,
  };
}

function treeSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += treeSize(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readFolder(dir: string, name: FolderName, problems: Problem[]): TemplateFolder {
  const manifest = path.join(dir, "manifest.yaml");
  const rel = (f: string): string => displayPath(f);
  if (!fs.existsSync(manifest)) {
    problems.push(new Problem("manifest is missing", { file: rel(manifest), fix: MANIFEST_FIX }));
  } else {
    const read = readYamlFile(manifest, "manifest");
    if (!read.source) problems.push(...read.problems);
    else problems.push(...checkManifest(read.source));
  }
  const files: TemplateFile[] = [];
  for (const entry of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, entry);
    // Proton's "*" wildcard picks up files ending in .tf only (.tf.json included in "ignored").
    if (!entry.endsWith(".tf") || !fs.statSync(file).isFile()) continue;
    if (GENERATED_FILES.test(entry)) {
      problems.push(new Problem("this file name is written by the renderer and would be overwritten", { file: rel(file), fix: "rename the file" }));
      continue;
    }
    if (fs.statSync(file).size > MAX_FILE_BYTES) problems.push(new Problem("file exceeds Proton's 200 KB quota", { file: rel(file), fix: "split it" }));
    const content = fs.readFileSync(file, "utf8");
    for (const m of content.matchAll(/^\s*variable\s+"([^"]+)"/gm)) {
      if (RESERVED_VARIABLES.includes(m[1])) {
        problems.push(
          new Problem(`declares variable "${m[1]}", which the renderer declares (duplicate variable)`, {
            file: rel(file),
            line: content.slice(0, m.index).split("\n").length,
            fix: `remove the declaration and read var.${m[1]} as rendered`,
          }),
        );
      }
    }
    files.push({ name: entry, content });
  }
  if (files.length === 0) {
    problems.push(new Problem(`no .tf files in ${name}/ (Proton's manifest wildcard reads files ending in .tf only; .tf.json is ignored)`, { file: rel(dir), fix: "add the template's Terraform as .tf (HCL) files" }));
  }
  return { name, dir, files };
}

/** Checks a manifest is exactly the Terraform manifest of the contract. */
function checkManifest(source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  const at = (segments: PathSegment[], message: string): void => {
    problems.push(new Problem(message, { file: source.displayFile, line: lineOf(source, segments), field: formatPath(segments), fix: MANIFEST_FIX }));
  };
  const root = source.value;
  const infra = isPlainObject(root) ? root.infrastructure : undefined;
  const templates = isPlainObject(infra) ? infra.templates : undefined;
  if (!isPlainObject(root) || !isPlainObject(infra) || !Array.isArray(templates) || templates.length !== 1) {
    at(["infrastructure", "templates"], "expected one entry under infrastructure.templates");
    return problems;
  }
  for (const key of Object.keys(root)) if (key !== "infrastructure") at([key], `unknown field "${key}" in a Terraform manifest`);
  const entry = templates[0] as unknown;
  const expected: Record<string, string> = { file: "*", rendering_engine: "hcl", template_language: "terraform" };
  if (!isPlainObject(entry)) {
    at(["infrastructure", "templates", 0], "expected a map with file, rendering_engine, template_language");
    return problems;
  }
  for (const [key, want] of Object.entries(expected)) {
    const got = entry[key];
    if (got !== want) at(["infrastructure", "templates", 0, key], `expected ${JSON.stringify(want)}, found ${got === undefined ? "nothing" : JSON.stringify(got)}`);
  }
  for (const key of Object.keys(entry)) if (!(key in expected)) at(["infrastructure", "templates", 0, key], `unknown field "${key}" in a Terraform manifest`);
  return problems;
}

function parseEnvRef(raw: unknown): EnvironmentTemplateRef | undefined {
  if (typeof raw !== "string") return undefined;
  const m = /^([0-9A-Za-z]+[0-9A-Za-z_-]*):(\d+)$/.exec(raw.trim());
  return m ? { name: m[1], major: Number(m[2]) } : undefined;
}

function readRegistration(dir: string, problems: Problem[]): { found: boolean; compatibleEnvironments: EnvironmentTemplateRef[]; supportedComponentSources: string[] } {
  const file = path.join(dir, ".template-registration.yaml");
  const legacy = path.join(dir, ".compatible-envs");
  const compatibleEnvironments: EnvironmentTemplateRef[] = [];
  const supportedComponentSources: string[] = [];
  if (fs.existsSync(file)) {
    const read = readYamlFile(file, "template registration");
    if (!read.source) {
      problems.push(...read.problems);
      return { found: true, compatibleEnvironments, supportedComponentSources };
    }
    const source = read.source;
    const root = source.value;
    const at = (segments: PathSegment[], message: string, fix: string): void => {
      problems.push(new Problem(message, { file: source.displayFile, line: lineOf(source, segments), field: formatPath(segments), fix }));
    };
    if (root !== undefined && root !== null && !isPlainObject(root)) {
      at([], "expected a map with compatible_environments", "write `compatible_environments: [ <environment-template>:<major> ]`");
    } else if (isPlainObject(root)) {
      for (const key of Object.keys(root)) {
        if (key !== "compatible_environments" && key !== "supported_component_sources") at([key], `unknown field "${key}"`, "use compatible_environments and supported_component_sources");
      }
      const envs = root.compatible_environments ?? [];
      if (!Array.isArray(envs)) at(["compatible_environments"], "expected a list of <environment-template>:<major>", "write one `- name:major` per line");
      else
        envs.forEach((raw: unknown, i: number) => {
          const ref = parseEnvRef(raw);
          if (ref) compatibleEnvironments.push(ref);
          else at(["compatible_environments", i], `expected <environment-template>:<major>, found ${JSON.stringify(raw)}`, "write e.g. `- vpc-env:1`");
        });
      const sources = root.supported_component_sources ?? [];
      if (!Array.isArray(sources)) at(["supported_component_sources"], "expected a list", "write `- DIRECTLY_DEFINED`");
      else
        sources.forEach((raw: unknown, i: number) => {
          if (raw === "DIRECTLY_DEFINED") supportedComponentSources.push(raw);
          else at(["supported_component_sources", i], `expected "DIRECTLY_DEFINED", found ${JSON.stringify(raw)}`, "Proton knows only DIRECTLY_DEFINED");
        });
    }
    return { found: true, compatibleEnvironments, supportedComponentSources };
  }
  if (fs.existsSync(legacy)) {
    fs.readFileSync(legacy, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const text = line.trim();
        if (text === "" || text.startsWith("#")) return;
        const ref = parseEnvRef(text);
        if (ref) compatibleEnvironments.push(ref);
        else problems.push(new Problem(`expected <environment-template>:<major>, found ${JSON.stringify(text)}`, { file: displayPath(legacy), line: i + 1, fix: "write one `name:major` per line" }));
      });
    return { found: true, compatibleEnvironments, supportedComponentSources };
  }
  return { found: false, compatibleEnvironments, supportedComponentSources };
}

/** Minor version from the nearest `protonkit.lock.json` above the bundle, if one is there. */
function readLock(dir: string, template: string, major: number, problems: Problem[]): number | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, LOCK_FILE);
    if (fs.existsSync(file)) {
      let lock: unknown;
      try {
        lock = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch (err) {
        problems.push(new Problem(`lock file is not valid JSON (${(err as Error).message})`, { file: displayPath(file), fix: "restore it from git or re-run synth" }));
        return undefined;
      }
      const templates = isPlainObject(lock) ? lock.templates : undefined;
      const byMajor = isPlainObject(templates) ? templates[template] : undefined;
      const entry = isPlainObject(byMajor) ? (byMajor[String(major)] ?? byMajor[`v${major}`]) : undefined;
      if (entry === undefined) return undefined;
      const minor = isPlainObject(entry) ? entry.minor : undefined;
      if (typeof minor !== "number" || !Number.isInteger(minor) || minor < 0) {
        problems.push(
          new Problem(`expected a non-negative integer minor, found ${JSON.stringify(minor)}`, {
            file: displayPath(file),
            field: `templates.${template}.${major}.minor`,
            fix: "restore the lock file from git or re-run synth",
          }),
        );
        return undefined;
      }
      return minor;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** A place where a template reads `var.environment.outputs.<name>`. */
export interface OutputReference {
  readonly name: string;
  /** Absolute path of the .tf file. */
  readonly file: string;
  readonly line: number;
}

/**
 * The environment outputs a folder's templates read (`var.environment.outputs.x` or
 * `var.environment.outputs["x"]`), first occurrence of each, sorted by name. References are
 * found textually: guarded reads (`try(...)`) count too, so a template that treats an output
 * as optional should read it via `lookup(var.environment.outputs, "x", default)`.
 */
export function environmentOutputReferences(folder: TemplateFolder): OutputReference[] {
  const found = new Map<string, OutputReference>();
  for (const f of folder.files) {
    const re = /var\.environment\.outputs(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*"([^"]+)"\s*\])/g;
    for (const m of f.content.matchAll(re)) {
      const name = m[1] ?? m[2];
      if (!found.has(name)) found.set(name, { name, file: path.join(folder.dir, f.name), line: f.content.slice(0, m.index).split("\n").length });
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
