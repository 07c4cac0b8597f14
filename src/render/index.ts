/**
 * Rendering: a Proton Terraform bundle + a validated spec + a deployment context produce the
 * directories Proton wrote into a provisioning repository (docs/PROTON-CONTRACT.md, section
 * "4. A rendered resource directory").
 */
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import { NO_INPUTS } from "../proton/schema";
import type { Spec, SpecTarget } from "../spec/spec";
import { checkSpec } from "../spec/spec";
import { resourceNameError } from "../proton/names";
import { displayPath, readYamlFile } from "../support/yaml";
import { problemCount } from "../support/problems";
import type { Bundle } from "../proton/bundle";
import type { ResourceKind } from "../proton/contract";
import { readBundle } from "./bundle";
import type { DeploymentContext } from "./context";
import { contextProblems } from "./context";
import type { PlannedResource } from "./plan";
import { planRender } from "./plan";
import { writeRendered } from "./write";

export { readBundle, environmentOutputReferences } from "./bundle";
export type { OutputReference } from "./bundle";
export type { Bundle, TemplateFile, TemplateFolder } from "../proton/bundle";
export { loadContextFile, contextProblems, CONTEXT_SCHEMA, DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "./context";
export type { DeploymentContext, EnvironmentContext, ServiceContext, ComponentContext, KeptShape } from "./context";
export { Arns } from "./arns";
export { planRender } from "./plan";
export type { PlannedResource, RenderedFile } from "./plan";
export { writeRendered } from "./write";
export { protonJson } from "./proton-json";
export { DELETED_DEPLOYMENT_ID, renderedHeader, deletedHeader, variablesFile, uuidV5 } from "./files";
export type { ResourceKind } from "../proton/contract";

/** What to render and where. */
export interface RenderOptions {
  /** A bundle's `<template>/v<major>` folder. */
  bundleDir: string;
  /** A `proton: EnvironmentSpec` or `proton: ServiceSpec` file. */
  specFile: string;
  /** Environment name (environment bundles) or service name (service and component bundles). */
  name: string;
  /** Root of the provisioning repository to write into. */
  outDir: string;
  /**
   * What Proton knew about the account, environments and service.
   * @default {} (local defaults for account and region)
   */
  context?: DeploymentContext;
  /**
   * Service specs: render only these instances (and no pipeline unless `pipeline` is true).
   * @default - every instance and the pipeline
   */
  instances?: readonly string[];
  /**
   * With `instances`: render the pipeline too.
   * @default false
   */
  pipeline?: boolean;
}

/** One resource directory written by {@link render}. */
export interface RenderedResource {
  kind: ResourceKind;
  /** Environment, instance, service (pipeline) or component name. */
  name: string;
  /** Absolute path. */
  dir: string;
  /** Under `outDir`, `/`-separated, e.g. `prod/api-web`. */
  relativeDir: string;
}

/** The spec a bundle takes and the types it is checked against. */
export function specTarget(bundle: Bundle): SpecTarget {
  const id = `${bundle.templateName}:${bundle.major}`;
  switch (bundle.kind) {
    case "environment":
      return { kind: "EnvironmentSpec", templateLabel: `environment template ${id}`, environmentInputs: bundle.schema?.environmentInputType, pipeline: { allowed: false } };
    case "service":
      return {
        kind: "ServiceSpec",
        templateLabel: `service template ${id}`,
        instanceInputs: bundle.schema?.serviceInputType,
        pipeline: { allowed: bundle.pipelineInfrastructure !== undefined, inputs: bundle.schema?.pipelineInputType ?? NO_INPUTS },
      };
    case "component":
      return {
        kind: "ServiceSpec",
        templateLabel: `component ${id}: infrastructure/ without an environment schema`,
        kindFix: "render a ServiceSpec (components use their service's spec), or add schema/schema.yaml with environment_input_type to make this an environment template",
        pipeline: { allowed: true },
      };
  }
}

/**
 * Reads the bundle, the spec and the context, checks all of them and renders in memory.
 * Throws one {@link ProtonkitError} listing every problem; writes nothing.
 */
export function plan(options: Omit<RenderOptions, "outDir">): PlannedResource[] {
  const bundle = readBundle(options.bundleDir);
  const problems: Problem[] = [];
  const context = options.context ?? {};
  problems.push(...contextProblems(context));
  const nameErr = resourceNameError(options.name);
  if (nameErr) {
    problems.push(new Problem(nameErr, { field: "name", fix: `pass a valid ${bundle.kind === "environment" ? "environment" : "service"} name` }));
  }
  const read = readYamlFile(options.specFile, "spec file");
  problems.push(...read.problems);
  let spec: Spec | undefined;
  if (read.source) {
    const checked = checkSpec(read.source, specTarget(bundle));
    problems.push(...checked.problems);
    spec = checked.spec;
  }
  const summary = (n: number): string => `${displayPath(options.specFile)}: ${problemCount(n)}; nothing was written`;
  if (problems.length > 0 || !spec) throw new ProtonkitError(problems, summary(problems.length));
  if (spec.kind === "ServiceSpec" && options.instances) {
    const known = spec.instances.map((i) => i.name);
    const unknown = options.instances.filter((i) => !known.includes(i));
    if (unknown.length > 0) {
      throw new ProtonkitError(
        new Problem(`expected instances of the spec (${known.join(", ")}), found ${unknown.map((u) => `"${u}"`).join(", ")}`, { field: "instances", fix: "pass instance names the spec declares" }),
        summary(1),
      );
    }
  }
  // Without the pipeline, instances left out are not checked either (their environments may be
  // missing from the context); the pipeline needs every instance.
  if (spec.kind === "ServiceSpec" && options.instances && options.pipeline !== true) {
    const only = options.instances;
    spec = { ...spec, instances: spec.instances.filter((i) => only.includes(i.name)) };
  }
  const planned = planRender(bundle, spec, options.name, context);
  if (planned.problems.length > 0) throw new ProtonkitError(planned.problems, summary(planned.problems.length));
  let resources = planned.resources;
  if (spec.kind === "ServiceSpec" && options.instances) {
    const only = options.instances;
    const rendered: Spec = spec;
    resources = resources.filter((r) => (r.kind === "pipeline" ? options.pipeline === true : only.includes(r.kind === "component" ? componentInstance(rendered, context, r.name) : r.name)));
  }
  return resources;
}

function componentInstance(spec: Spec, context: DeploymentContext, component: string): string {
  if (spec.kind !== "ServiceSpec") return "";
  return spec.instances.find((i) => context.components?.[i.name]?.name === component)?.name ?? "";
}

/**
 * Renders a spec with a bundle into `outDir`, atomically: on any problem nothing is written.
 * Rendering the same inputs twice gives byte-identical files.
 */
export function render(options: RenderOptions): RenderedResource[] {
  const resources = plan(options);
  const dirs = writeRendered(options.outDir, resources);
  return resources.map((r, i) => ({ kind: r.kind, name: r.name, dir: path.resolve(dirs[i]), relativeDir: r.relativeDir }));
}
