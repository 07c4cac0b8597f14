/**
 * The one bundle validator. A bundle is checked as a map of its files (path relative to
 * `<template>/v<major>/` to content): the writer checks what it is about to write, the reader
 * what it has read. See docs/PROTON-CONTRACT.md, section "1. Template bundles".
 */
import * as path from "node:path";
import { Problem } from "../errors";
import { problemAt } from "../support/problems";
import type { PathSegment, YamlSource } from "../support/yaml";
import { displayPath, isPlainObject, parseYamlText } from "../support/yaml";
import type { InfrastructureFolder, TemplateKind } from "./contract";
import { INFRASTRUCTURE_FOLDERS, MANIFEST_FILE, RESERVED_VARIABLES, SCHEMA_FILE, TERRAFORM_MANIFEST } from "./contract";
import type { EnvironmentTemplateRef } from "./names";
import { resourceNameError } from "./names";
import { quotaProblems } from "./quotas";
import { parseRegistration, REGISTRATION_FILE } from "./registration";
import type { TemplateSchema } from "./schema";
import { parseSchema } from "./schema-read";

/** One `.tf` file of a bundle folder. */
export interface TemplateFile {
  readonly name: string;
  readonly content: string;
}

/** One infrastructure folder: its `.tf` files, sorted by name (its manifest is checked, not kept). */
export interface TemplateFolder {
  readonly name: InfrastructureFolder;
  /** Path of the folder: absolute when the bundle was read from disk. */
  readonly dir: string;
  readonly files: readonly TemplateFile[];
}

/** What every kind of bundle has. */
interface BundleBase {
  /** Path of `<template>/v<major>`: absolute when the bundle was read from disk. */
  readonly dir: string;
  readonly templateName: string;
  readonly major: number;
  /** Absent only for component bundles without schema. */
  readonly schema?: TemplateSchema;
  /** Service templates: environments they can be deployed to. Empty otherwise. */
  readonly compatibleEnvironments: readonly EnvironmentTemplateRef[];
  /** Service templates: e.g. `DIRECTLY_DEFINED`. Empty otherwise. */
  readonly supportedComponentSources: readonly string[];
  /** Minor version recorded in the nearest `protonkit.lock.json`, if any (set by the reader). */
  readonly lockedMinor?: number;
}

/** A bundle of one `infrastructure/` folder: an environment or a component. */
interface InfrastructureBundle extends BundleBase {
  readonly infrastructure: TemplateFolder;
  readonly instanceInfrastructure?: undefined;
  readonly pipelineInfrastructure?: undefined;
}

/** An environment template: `infrastructure/` and a schema declaring `environment_input_type`. */
export interface EnvironmentBundle extends InfrastructureBundle {
  readonly kind: "environment";
}

/** A service template: `instance_infrastructure/`, maybe `pipeline_infrastructure/`. */
export interface ServiceBundle extends BundleBase {
  readonly kind: "service";
  readonly infrastructure?: undefined;
  readonly instanceInfrastructure: TemplateFolder;
  /** Present when the service has a pipeline. */
  readonly pipelineInfrastructure?: TemplateFolder;
}

/**
 * protonkit's reading of a Proton directly defined component: an `infrastructure/` folder whose
 * schema is absent or declares neither `environment_input_type` nor `service_input_type`
 * (components have no inputs of their own; they read the instance's).
 */
export interface ComponentBundle extends InfrastructureBundle {
  readonly kind: "component";
}

/** A checked Proton Terraform template bundle (`<template>/v<major>/`), by kind. */
export type Bundle = EnvironmentBundle | ServiceBundle | ComponentBundle;

/** The outcome of {@link checkBundle}: the bundle when nothing is wrong. */
export interface BundleCheck {
  readonly bundle?: Bundle;
  /** Breaches of the bundle contract (layout, manifests, schema, registration, names). */
  readonly problems: readonly Problem[];
  /** Breaches of Proton's quotas (sizes, file counts). */
  readonly quota: readonly Problem[];
}

const GENERATED_FILES = /^proton\.(environment|service_instance|pipeline|component)\.variables\.tf$/;
const MANIFEST_FIX = `write exactly:\n${TERRAFORM_MANIFEST.trimEnd()}`;

/**
 * Checks a Terraform template bundle in template-sync layout the way Proton would: the
 * schema, each manifest (the exact Terraform manifest), the `.tf` files, the registration and
 * the quotas. `dir` is where the bundle is (or will be), for messages and folder paths.
 */
export function checkBundle(dir: string, files: ReadonlyMap<string, string>, id: { readonly templateName: string; readonly major: number }): BundleCheck {
  const problems: Problem[] = [];
  const fileOf = (rel: string): string => (rel === "" ? dir : path.join(dir, rel));
  const add = (message: string, rel: string, fix?: string, field?: string): void => {
    problems.push(new Problem(message, { file: displayPath(fileOf(rel)), fix, ...(field ? { field } : {}) }));
  };
  const { templateName, major } = id;
  if (major < 1) add("expected major version >= 1, found v0", "", "Proton major versions start at 1");
  const nameErr = resourceNameError(templateName);
  if (nameErr) problems.push(new Problem(`template name: ${nameErr}`, { file: displayPath(path.dirname(dir)), fix: "rename the template folder" }));

  const has = (name: InfrastructureFolder): boolean => [...files.keys()].some((f) => f.startsWith(`${name}/`));
  const hasInfra = has("infrastructure");
  const hasInstance = has("instance_infrastructure");
  const hasPipeline = has("pipeline_infrastructure");
  if (!hasInfra && !hasInstance) {
    add("no infrastructure folder: expected infrastructure/ (environment or component) or instance_infrastructure/ (service), found neither", "", "add the folder with manifest.yaml and .tf files");
    return { problems, quota: [] };
  }
  if (hasInfra && hasInstance) add("expected infrastructure/ (environment) or instance_infrastructure/ (service), found both", "", "split the bundle into two templates");
  if (hasPipeline && !hasInstance) add("pipeline_infrastructure/ belongs to service templates, which need instance_infrastructure/", "", "add instance_infrastructure/ or remove pipeline_infrastructure/");

  let schema: TemplateSchema | undefined;
  const schemaText = files.get(SCHEMA_FILE);
  if (schemaText !== undefined) {
    const read = parseYamlText(schemaText, fileOf(SCHEMA_FILE), "schema file");
    if (!read.source) problems.push(...read.problems);
    else {
      const parsed = parseSchema(read.source);
      problems.push(...parsed.problems);
      schema = parsed.schema;
    }
  } else if (hasInstance) {
    add("schema is missing", SCHEMA_FILE, "add schema/schema.yaml declaring service_input_type (and pipeline_input_type when there is a pipeline)");
  }

  let kind: TemplateKind;
  if (hasInstance) {
    kind = "service";
    if (schema && !schema.serviceInputType) add("a service template's schema must declare service_input_type", SCHEMA_FILE, "add `service_input_type: <TypeName>` under schema", "schema.service_input_type");
    if (schema?.environmentInputType) add("environment_input_type in a service template (instance_infrastructure/)", SCHEMA_FILE, "remove it, or move the template to infrastructure/");
    if (schema?.pipelineInputType && !hasPipeline) add("schema declares pipeline_input_type but the bundle has no pipeline_infrastructure/", SCHEMA_FILE, "add pipeline_infrastructure/ or remove pipeline_input_type");
  } else if (schema?.serviceInputType) {
    kind = "service";
    add("schema declares service_input_type but the bundle has infrastructure/, not instance_infrastructure/", SCHEMA_FILE, "rename the folder to instance_infrastructure/");
  } else {
    kind = schema?.environmentInputType ? "environment" : "component";
  }

  const folders = new Map<InfrastructureFolder, TemplateFolder>();
  for (const name of INFRASTRUCTURE_FOLDERS) if (has(name)) folders.set(name, checkFolder(name, files, fileOf, problems));

  const registration = parseRegistration(files, fileOf, problems);
  if (kind === "service" && registration.compatibleEnvironments.length === 0 && !registration.found) {
    add("no compatible environments: expected .template-registration.yaml (or legacy .compatible-envs)", REGISTRATION_FILE, "add `compatible_environments: [ <environment-template>:<major> ]`");
  }
  const quota = quotaProblems(displayPath(dir), files);
  if (problems.length > 0 || quota.length > 0) return { problems, quota };
  const base = {
    dir,
    templateName,
    major,
    schema,
    compatibleEnvironments: registration.compatibleEnvironments,
    supportedComponentSources: registration.supportedComponentSources,
  };
  const bundle: Bundle =
    kind === "service"
      ? { ...base, kind, instanceInfrastructure: folders.get("instance_infrastructure")!, pipelineInfrastructure: folders.get("pipeline_infrastructure") }
      : { ...base, kind, infrastructure: folders.get("infrastructure")! };
  return { bundle, problems, quota };
}

/** Checks one infrastructure folder: its manifest and its `.tf` files (Proton's `*` reads those only). */
function checkFolder(name: InfrastructureFolder, files: ReadonlyMap<string, string>, fileOf: (rel: string) => string, problems: Problem[]): TemplateFolder {
  const manifest = files.get(`${name}/${MANIFEST_FILE}`);
  if (manifest === undefined) {
    problems.push(new Problem("manifest is missing", { file: displayPath(fileOf(`${name}/${MANIFEST_FILE}`)), fix: MANIFEST_FIX }));
  } else {
    const read = parseYamlText(manifest, fileOf(`${name}/${MANIFEST_FILE}`), "manifest");
    if (!read.source) problems.push(...read.problems);
    else problems.push(...manifestProblems(read.source));
  }
  const tf: TemplateFile[] = [];
  const entries = [...files.keys()]
    .filter((f) => f.startsWith(`${name}/`) && !f.slice(name.length + 1).includes("/"))
    .map((f) => f.slice(name.length + 1))
    .sort();
  for (const entry of entries) {
    // Proton's "*" wildcard picks up files ending in .tf only (.tf.json included in "ignored").
    if (!entry.endsWith(".tf")) continue;
    const shown = displayPath(fileOf(`${name}/${entry}`));
    if (GENERATED_FILES.test(entry)) {
      problems.push(new Problem("this file name is written by the renderer and would be overwritten", { file: shown, fix: "rename the file" }));
      continue;
    }
    const content = files.get(`${name}/${entry}`)!;
    for (const m of content.matchAll(/^\s*variable\s+"([^"]+)"/gm)) {
      if (RESERVED_VARIABLES.includes(m[1])) {
        problems.push(
          new Problem(`declares variable "${m[1]}", which the renderer declares (duplicate variable)`, {
            file: shown,
            line: content.slice(0, m.index).split("\n").length,
            fix: `remove the declaration and read var.${m[1]} as rendered`,
          }),
        );
      }
    }
    tf.push({ name: entry, content });
  }
  if (tf.length === 0) {
    problems.push(new Problem(`no .tf files in ${name}/ (Proton's manifest wildcard reads files ending in .tf only; .tf.json is ignored)`, { file: displayPath(fileOf(name)), fix: "add the template's Terraform as .tf (HCL) files" }));
  }
  return { name, dir: fileOf(name), files: tf };
}

/** Checks a manifest is exactly the Terraform manifest of the contract. */
function manifestProblems(source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  const at = (segments: PathSegment[], message: string): void => {
    problems.push(problemAt(source, segments, message, MANIFEST_FIX));
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
