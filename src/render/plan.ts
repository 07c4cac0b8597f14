/**
 * Rendering in memory: one planner per bundle kind turns a checked bundle, a checked spec and
 * a deployment context into the resource directories Proton would write
 * (docs/PROTON-CONTRACT.md, section "4. A rendered resource directory").
 */
import * as crypto from "node:crypto";
import { Problem } from "../errors";
import type { Bundle, ComponentBundle, EnvironmentBundle, ServiceBundle, TemplateFolder } from "../proton/bundle";
import type { ResourceKind } from "../proton/contract";
import type { EnvironmentSpec, ServiceInstanceSpec, ServiceSpec, Spec } from "../spec/spec";
import type { JsonObject, JsonValue } from "../support/yaml";
import { displayPath, lineOf } from "../support/yaml";
import { Arns } from "./arns";
import { environmentOutputReferences } from "./bundle";
import { protonJson } from "./proton-json";
import type { DeploymentContext, EnvironmentContext, KeptShape } from "./context";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "./context";
import { DELETED_DEPLOYMENT_ID, deletedHeader, pipelineInstanceInputsType, renderedHeader, sortKeys, uuidV5, variablesFile } from "./files";
import { componentDir, environmentDir, pipelineDir, serviceInstanceDir } from "./layout";

/** One file of a rendered resource directory. */
export interface RenderedFile {
  /** Path inside the resource directory, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

/** A resource directory rendered in memory, not yet written. */
export interface PlannedResource {
  readonly kind: ResourceKind;
  readonly name: string;
  /** Directory under the output root, `/`-separated, e.g. `prod/api-web`. */
  readonly relativeDir: string;
  readonly arn: string;
  readonly files: readonly RenderedFile[];
}

/** What every resource of one render shares; planners add their problems here. */
interface RenderRun {
  readonly bundle: Bundle;
  readonly context: DeploymentContext;
  readonly account: string;
  readonly arns: Arns;
  readonly minor: number;
  readonly deleted: boolean;
  readonly problems: Problem[];
}

/** One resource directory before assembly. */
interface ResourceParts {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly relativeDir: string;
  readonly arn: string;
  readonly folder: TemplateFolder;
  readonly tfvars: JsonObject;
  /** `.proton/deployment-metadata.json` for the deployment id. */
  readonly metadata: (deploymentId: string) => JsonObject;
}

/**
 * Renders every resource directory of one deployment in memory. Returns the resources or the
 * problems (incompatible environments, missing environment outputs, ...), never both.
 */
export function planRender(bundle: Bundle, spec: Spec, name: string, context: DeploymentContext): { resources: PlannedResource[]; problems: Problem[] } {
  const account = context.account_id ?? DEFAULT_ACCOUNT_ID;
  const run: RenderRun = {
    bundle,
    context,
    account,
    arns: new Arns(account, context.region ?? DEFAULT_REGION),
    minor: context.template_minor ?? bundle.lockedMinor ?? 0,
    deleted: context.deleted === true,
    problems: [],
  };
  let resources: PlannedResource[];
  switch (bundle.kind) {
    case "environment":
      resources = planEnvironment(run, bundle, specOf(spec, "EnvironmentSpec"), name);
      break;
    case "component":
      resources = planComponent(run, bundle, specOf(spec, "ServiceSpec"), name);
      break;
    case "service":
      resources = planService(run, bundle, specOf(spec, "ServiceSpec"), name);
      break;
  }
  return run.problems.length > 0 ? { resources: [], problems: run.problems } : { resources, problems: run.problems };
}

/** The spec as the kind its bundle takes; checkSpec has made sure of it. */
function specOf<K extends Spec["kind"]>(spec: Spec, kind: K): Extract<Spec, { kind: K }> {
  if (spec.kind !== kind) throw new Error(`a ${spec.kind} reached the ${kind} planner (a protonkit bug, please report it)`);
  return spec as Extract<Spec, { kind: K }>;
}

function planEnvironment(run: RenderRun, bundle: EnvironmentBundle, spec: EnvironmentSpec, name: string): PlannedResource[] {
  const envCtx = run.context.environments?.[name];
  const here = `${bundle.templateName}:${bundle.major}`;
  if (envCtx?.template !== undefined && envCtx.template !== here) {
    run.problems.push(
      new Problem(`the context says environment "${name}" runs ${envCtx.template}, but the bundle is ${here}`, {
        field: `context.environments.${name}.template`,
        fix: `set it to ${here}, or render with the ${envCtx.template} bundle`,
      }),
    );
  }
  const arn = run.arns.environment(name);
  const templateArn = run.arns.environmentTemplate(bundle.templateName);
  return [
    assemble(run, {
      kind: "environment",
      name,
      relativeDir: environmentDir(name),
      arn,
      folder: bundle.infrastructure,
      tfvars: {
        environment: { name, inputs: sortKeys(spec.inputs) },
        proton_tags: { "proton:account": run.account, "proton:template": templateArn, "proton:environment": arn },
      },
      metadata: resourceMetadata(run, arn, templateArn),
    }),
  ];
}

function planComponent(run: RenderRun, bundle: ComponentBundle, spec: ServiceSpec, service: string): PlannedResource[] {
  const resources: PlannedResource[] = [];
  for (const inst of spec.instances) {
    const component = run.context.components?.[inst.name];
    if (!component) continue;
    const envCtx = environmentOf(run, spec, inst, bundle.infrastructure, undefined);
    if (!envCtx) continue;
    const arn = run.arns.component(component.name);
    const envArn = run.arns.environment(inst.environment);
    resources.push(
      assemble(run, {
        kind: "component",
        name: component.name,
        relativeDir: componentDir(inst.environment, component.name),
        arn,
        folder: bundle.infrastructure,
        tfvars: {
          component: { name: component.name },
          environment: environmentValue(run, inst.environment, envCtx),
          service: serviceValue(run, service),
          service_instance: { name: inst.name, inputs: sortKeys(inst.inputs) },
          proton_tags: {
            "proton:account": run.account,
            "proton:environment": envArn,
            "proton:service": run.arns.service(service),
            "proton:service-instance": run.arns.serviceInstance(service, inst.name),
            "proton:component": arn,
          },
        },
        metadata: (deploymentId) => ({ deploymentId, isResourceDeleted: run.deleted, componentMetadata: { arn, environmentArn: envArn, componentType: "default" } }),
      }),
    );
  }
  if (run.problems.length === 0 && resources.length === 0) {
    run.problems.push(
      new Problem(
        `no instance of service "${service}" has a component in the deployment context: expected components.<instance>.name for one of ${spec.instances.map((i) => i.name).join(", ")}, found ${Object.keys(run.context.components ?? {}).join(", ") || "nothing"}`,
        { field: "context.components", fix: "add components: { <instance>: { name: <component> } } to the context" },
      ),
    );
  }
  return resources;
}

function planService(run: RenderRun, bundle: ServiceBundle, spec: ServiceSpec, service: string): PlannedResource[] {
  const resources: PlannedResource[] = [];
  const folder = bundle.instanceInfrastructure;
  const templateArn = run.arns.serviceTemplate(bundle.templateName);
  const compatible = bundle.compatibleEnvironments.map((r) => `${r.name}:${r.major}`);
  const pipelineInstances: JsonValue[] = [];
  for (const inst of spec.instances) {
    const envCtx = environmentOf(run, spec, inst, folder, compatible);
    if (!envCtx) continue;
    const arn = run.arns.serviceInstance(service, inst.name);
    const envArn = run.arns.environment(inst.environment);
    const component = run.context.components?.[inst.name];
    const environment = environmentValue(run, inst.environment, envCtx);
    resources.push(
      assemble(run, {
        kind: "service_instance",
        name: inst.name,
        relativeDir: serviceInstanceDir(inst.environment, service, inst.name),
        arn,
        folder,
        tfvars: {
          environment,
          service: serviceValue(run, service),
          service_instance: {
            name: inst.name,
            inputs: sortKeys(inst.inputs),
            components: component ? { default: { name: component.name, outputs: sortKeys({ ...(component.outputs ?? {}) }) } } : {},
          },
          proton_tags: {
            "proton:account": run.account,
            "proton:template": templateArn,
            "proton:environment": envArn,
            "proton:service": run.arns.service(service),
            "proton:service-instance": arn,
          },
        },
        metadata: resourceMetadata(run, arn, templateArn, envArn),
      }),
    );
    pipelineInstances.push({
      name: inst.name,
      inputs: sortKeys(inst.inputs),
      outputs: sortKeys({ ...(run.context.instance_outputs?.[inst.name] ?? {}) }),
      environment,
    });
  }
  if (bundle.pipelineInfrastructure && spec.pipeline !== undefined) {
    const arn = run.arns.pipeline(service);
    resources.push(
      assemble(run, {
        kind: "pipeline",
        name: service,
        relativeDir: pipelineDir(service),
        arn,
        folder: bundle.pipelineInfrastructure,
        tfvars: {
          service_instances: pipelineInstances,
          service: serviceValue(run, service),
          pipeline: { inputs: sortKeys(spec.pipeline) },
          proton_tags: { "proton:account": run.account, "proton:template": templateArn, "proton:service": run.arns.service(service) },
        },
        metadata: resourceMetadata(run, arn, templateArn),
      }),
    );
  }
  return resources;
}

/** Assembles a resource directory: headed template files, variables, values and metadata. */
function assemble(run: RenderRun, parts: ResourceParts): PlannedResource {
  const { bundle, deleted } = run;
  const header = deleted ? deletedHeader(parts.arn) : renderedHeader(`${bundle.templateName}:${bundle.major}.${run.minor}`, parts.arn);
  const files: RenderedFile[] = parts.folder.files.map((f) => ({ path: f.name, content: `${header}\n${f.content}` }));
  const inputsType = parts.kind === "pipeline" ? pipelineInstanceInputsType(bundle.schema?.serviceInputType) : undefined;
  const kept = run.context.kept_shapes?.[parts.relativeDir];
  files.push({ path: `proton.${parts.kind}.variables.tf`, content: `${header}\n${kept?.variables ?? variablesFile(parts.kind, inputsType)}` });
  files.push({ path: "proton.auto.tfvars.json", content: protonJson({ ...keptTfvars(parts.tfvars, kept), "//": parts.arn }) });
  // Derived from everything else written (template, version, values), so re-rendering the
  // same deployment gives the same id and any change gives a new one.
  const digest = crypto.createHash("sha256");
  for (const f of files) digest.update(`${f.path}\0${f.content}\0`);
  const deploymentId = deleted ? DELETED_DEPLOYMENT_ID : (run.context.deployment_id ?? uuidV5(`${parts.arn}\n${digest.digest("hex")}`));
  files.push({ path: ".proton/deployment-metadata.json", content: protonJson(parts.metadata(deploymentId)) });
  return { kind: parts.kind, name: parts.name, relativeDir: parts.relativeDir, arn: parts.arn, files };
}

/** The tfvars in a shape Proton wrote and a re-render keeps (see `KeptShape`). */
function keptTfvars(tfvars: JsonObject, kept: KeptShape | undefined): JsonObject {
  if (!kept) return tfvars;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(tfvars)) {
    if (key === "proton_tags" && kept.omit_proton_tags) continue;
    if (key === "service" && kept.service_name_only && isObject(value)) out[key] = { name: value.name ?? "" };
    else if (kept.string_inputs && isObject(value) && isObject(value.inputs)) out[key] = { ...value, inputs: stringInputs(value.inputs) };
    else out[key] = value;
  }
  return out;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Inputs as `map(string)` holds them: numbers and booleans as text. */
function stringInputs(inputs: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, typeof v === "number" || typeof v === "boolean" ? String(v) : v]));
}

/** `.proton/deployment-metadata.json` of a templated resource (all but components). */
function resourceMetadata(run: RenderRun, arn: string, templateArn: string, environmentArn?: string): (deploymentId: string) => JsonObject {
  return (deploymentId) => ({
    deploymentId,
    isResourceDeleted: run.deleted,
    resourceMetadata: {
      arn,
      templateArn,
      templateMajorVersion: String(run.bundle.major),
      templateMinorVersion: String(run.minor),
      ...(environmentArn ? { environmentArn } : {}),
    },
  });
}

/** `var.service`, as every resource of a service reads it. */
function serviceValue(run: RenderRun, service: string): JsonObject {
  return {
    name: service,
    repository_connection_arn: run.context.service?.repository_connection_arn ?? "",
    repository_id: run.context.service?.repository_id ?? "",
    branch_name: run.context.service?.branch_name ?? "",
  };
}

/** `var.environment` of a resource deployed into `env`. */
function environmentValue(run: RenderRun, env: string, envCtx: EnvironmentContext): JsonObject {
  return { account_id: envCtx.account_id ?? run.account, name: env, outputs: sortKeys({ ...(envCtx.outputs ?? {}) }) };
}

/**
 * The environment of an instance, checked: in the context, of a `compatible` template (when
 * given), with every output the folder reads. Problems point at the instance's environment.
 */
function environmentOf(run: RenderRun, spec: ServiceSpec, inst: ServiceInstanceSpec, folder: TemplateFolder, compatible: readonly string[] | undefined): EnvironmentContext | undefined {
  const at = (message: string, fix: string): void => {
    run.problems.push(new Problem(message, { file: spec.source.displayFile, line: lineOf(spec.source, ["instances", inst.index, "environment"]), field: `instances[${inst.index}].environment`, fix }));
  };
  const env = inst.environment;
  const envCtx = run.context.environments?.[env];
  if (!envCtx) {
    at(`environment "${env}" is not in the deployment context: expected environments.${env} with template and outputs, found nothing`, `add environments.${env}: { template: <environment-template>:<major>, outputs: {...} } to the context`);
    return undefined;
  }
  let ok = true;
  if (compatible) {
    const { bundle } = run;
    if (envCtx.template === undefined) {
      at(`environment "${env}" has no template in the deployment context: expected one of ${compatible.join(", ")}, found nothing`, `set environments.${env}.template`);
      ok = false;
    } else if (!compatible.includes(envCtx.template)) {
      at(
        `environment "${env}" is incompatible: ${bundle.templateName}:${bundle.major} is compatible with ${compatible.join(", ") || "no environment template"}, found ${envCtx.template}`,
        `deploy to an environment of a compatible template, or add ${envCtx.template} to compatible_environments in .template-registration.yaml`,
      );
      ok = false;
    }
  }
  for (const ref of environmentOutputReferences(folder)) {
    if (envCtx.outputs?.[ref.name] === undefined) {
      at(
        `environment "${env}" lacks output "${ref.name}" (read at ${displayPath(ref.file)}:${ref.line}): expected environments.${env}.outputs.${ref.name}, found nothing`,
        `add the output to the context, or deploy to an environment that outputs ${ref.name}`,
      );
      ok = false;
    }
  }
  return ok ? envCtx : undefined;
}
