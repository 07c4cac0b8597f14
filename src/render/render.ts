import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem } from "../errors";
import type { ServiceInstanceSpec, Spec } from "../spec/spec";
import type { JsonObject, JsonValue } from "../support/yaml";
import { displayPath, lineOf } from "../support/yaml";
import type { Bundle, TemplateFolder } from "../proton/bundle";
import { environmentOutputReferences } from "./bundle";
import type { DeploymentContext, EnvironmentContext } from "./context";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "./context";
import type { ResourceKind } from "../proton/contract";
import { DELETED_DEPLOYMENT_ID, deletedHeader, jsonFile, pipelineInstanceInputsType, renderedHeader, sortKeys, uuidV5, variablesFile } from "./files";

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

/** ARNs of one render, all built from the same account and region. */
export class Arns {
  constructor(
    readonly account: string,
    readonly region: string,
  ) {}
  private base(resource: string): string {
    return `arn:aws:proton:${this.region}:${this.account}:${resource}`;
  }
  environment(env: string): string {
    return this.base(`environment/${env}`);
  }
  service(svc: string): string {
    return this.base(`service/${svc}`);
  }
  serviceInstance(svc: string, inst: string): string {
    return this.base(`service/${svc}/service-instance/${inst}`);
  }
  pipeline(svc: string): string {
    return this.base(`service/${svc}/pipeline`);
  }
  component(name: string): string {
    return this.base(`component/${name}`);
  }
  environmentTemplate(name: string): string {
    return this.base(`environment-template/${name}`);
  }
  serviceTemplate(name: string): string {
    return this.base(`service-template/${name}`);
  }
}

/**
 * Renders every resource directory of one deployment in memory. Returns the resources or the
 * problems (incompatible environments, missing environment outputs, ...), never both.
 */
export function planRender(bundle: Bundle, spec: Spec, name: string, context: DeploymentContext): { resources: PlannedResource[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const account = context.account_id ?? DEFAULT_ACCOUNT_ID;
  const arns = new Arns(account, context.region ?? DEFAULT_REGION);
  const minor = context.template_minor ?? bundle.lockedMinor ?? 0;
  const version = `${bundle.templateName}:${bundle.major}.${minor}`;
  const deleted = context.deleted === true;
  const resources: PlannedResource[] = [];

  /** Assembles a resource directory: headed template files, variables, values and metadata. */
  const build = (
    kind: ResourceKind,
    resourceName: string,
    relativeDir: string,
    arn: string,
    folder: TemplateFolder,
    tfvars: { [key: string]: JsonValue },
    metadata: (deploymentId: string) => JsonObject,
  ): void => {
    const header = deleted ? deletedHeader(arn) : renderedHeader(version, arn);
    const files: RenderedFile[] = folder.files.map((f) => ({ path: f.name, content: `${header}\n${f.content}` }));
    const inputsType = kind === "pipeline" ? pipelineInstanceInputsType(bundle.schema?.serviceInputType) : undefined;
    files.push({ path: `proton.${kind}.variables.tf`, content: `${header}\n${variablesFile(kind, inputsType)}` });
    files.push({ path: "proton.auto.tfvars.json", content: jsonFile({ ...tfvars, "//": arn }) });
    // Derived from everything else written (template, version, values), so re-rendering the
    // same deployment gives the same id and any change gives a new one.
    const digest = crypto.createHash("sha256");
    for (const f of files) digest.update(`${f.path}\0${f.content}\0`);
    const deploymentId = deleted ? DELETED_DEPLOYMENT_ID : (context.deployment_id ?? uuidV5(`${arn}\n${digest.digest("hex")}`));
    files.push({ path: ".proton/deployment-metadata.json", content: jsonFile(metadata(deploymentId)) });
    resources.push({ kind, name: resourceName, relativeDir, arn, files });
  };

  const resourceMetadata = (arn: string, templateArn: string, environmentArn?: string) => (deploymentId: string): JsonObject => ({
    deploymentId,
    isResourceDeleted: deleted,
    resourceMetadata: {
      arn,
      templateArn,
      templateMajorVersion: String(bundle.major),
      templateMinorVersion: String(minor),
      ...(environmentArn ? { environmentArn } : {}),
    },
  });

  if (spec.kind === "EnvironmentSpec") {
    const envCtx = context.environments?.[name];
    const here = `${bundle.templateName}:${bundle.major}`;
    if (envCtx?.template !== undefined && envCtx.template !== here) {
      problems.push(
        new Problem(`the context says environment "${name}" runs ${envCtx.template}, but the bundle is ${here}`, {
          field: `context.environments.${name}.template`,
          fix: `set it to ${here}, or render with the ${envCtx.template} bundle`,
        }),
      );
    }
    const arn = arns.environment(name);
    build(
      "environment",
      name,
      name,
      arn,
      bundle.infrastructure as TemplateFolder,
      {
        environment: { name, inputs: sortKeys(spec.inputs) },
        proton_tags: { "proton:account": account, "proton:template": arns.environmentTemplate(bundle.templateName), "proton:environment": arn },
      },
      resourceMetadata(arn, arns.environmentTemplate(bundle.templateName)),
    );
    return problems.length ? { resources: [], problems } : { resources, problems };
  }

  const service = name;
  const serviceValue: JsonObject = {
    name: service,
    repository_connection_arn: context.service?.repository_connection_arn ?? "",
    repository_id: context.service?.repository_id ?? "",
    branch_name: context.service?.branch_name ?? "",
  };
  const specFile = spec.source.displayFile;
  const at = (inst: ServiceInstanceSpec, message: string, fix: string): void => {
    problems.push(new Problem(message, { file: specFile, line: lineOf(spec.source, ["instances", inst.index, "environment"]), field: `instances[${inst.index}].environment`, fix }));
  };
  /** The environment of an instance, checked: in the context, compatible, with every output read. */
  const environmentOf = (inst: ServiceInstanceSpec, folder: TemplateFolder, checkTemplate: boolean): EnvironmentContext | undefined => {
    const env = inst.environment;
    const envCtx = context.environments?.[env];
    if (!envCtx) {
      at(inst, `environment "${env}" is not in the deployment context: expected environments.${env} with template and outputs, found nothing`, `add environments.${env}: { template: <environment-template>:<major>, outputs: {...} } to the context`);
      return undefined;
    }
    let ok = true;
    if (checkTemplate) {
      const compatible = bundle.compatibleEnvironments.map((r) => `${r.name}:${r.major}`);
      if (envCtx.template === undefined) {
        at(inst, `environment "${env}" has no template in the deployment context: expected one of ${compatible.join(", ")}, found nothing`, `set environments.${env}.template`);
        ok = false;
      } else if (!compatible.includes(envCtx.template)) {
        at(
          inst,
          `environment "${env}" is incompatible: ${bundle.templateName}:${bundle.major} is compatible with ${compatible.join(", ") || "no environment template"}, found ${envCtx.template}`,
          `deploy to an environment of a compatible template, or add ${envCtx.template} to compatible_environments in .template-registration.yaml`,
        );
        ok = false;
      }
    }
    for (const ref of environmentOutputReferences(folder)) {
      if (envCtx.outputs?.[ref.name] === undefined) {
        at(
          inst,
          `environment "${env}" lacks output "${ref.name}" (read at ${displayPath(ref.file)}:${ref.line}): expected environments.${env}.outputs.${ref.name}, found nothing`,
          `add the output to the context, or deploy to an environment that outputs ${ref.name}`,
        );
        ok = false;
      }
    }
    return ok ? envCtx : undefined;
  };
  const environmentValue = (env: string, envCtx: EnvironmentContext): JsonObject => ({
    account_id: envCtx.account_id ?? account,
    name: env,
    outputs: sortKeys({ ...(envCtx.outputs ?? {}) }),
  });

  if (bundle.kind === "component") {
    const folder = bundle.infrastructure as TemplateFolder;
    for (const inst of spec.instances) {
      const component = context.components?.[inst.name];
      if (!component) continue;
      const envCtx = environmentOf(inst, folder, false);
      if (!envCtx) continue;
      const arn = arns.component(component.name);
      const envArn = arns.environment(inst.environment);
      build(
        "component",
        component.name,
        `${inst.environment}/components/${component.name}`,
        arn,
        folder,
        {
          component: { name: component.name },
          environment: environmentValue(inst.environment, envCtx),
          service: serviceValue,
          service_instance: { name: inst.name, inputs: sortKeys(inst.inputs) },
          proton_tags: {
            "proton:account": account,
            "proton:environment": envArn,
            "proton:service": arns.service(service),
            "proton:service-instance": arns.serviceInstance(service, inst.name),
            "proton:component": arn,
          },
        },
        (deploymentId) => ({ deploymentId, isResourceDeleted: deleted, componentMetadata: { arn, environmentArn: envArn, componentType: "default" } }),
      );
    }
    if (problems.length === 0 && resources.length === 0) {
      problems.push(
        new Problem(
          `no instance of service "${service}" has a component in the deployment context: expected components.<instance>.name for one of ${spec.instances.map((i) => i.name).join(", ")}, found ${Object.keys(context.components ?? {}).join(", ") || "nothing"}`,
          { field: "context.components", fix: "add components: { <instance>: { name: <component> } } to the context" },
        ),
      );
    }
    return problems.length ? { resources: [], problems } : { resources, problems };
  }

  const folder = bundle.instanceInfrastructure as TemplateFolder;
  const templateArn = arns.serviceTemplate(bundle.templateName);
  const pipelineInstances: JsonValue[] = [];
  for (const inst of spec.instances) {
    const envCtx = environmentOf(inst, folder, true);
    if (!envCtx) continue;
    const arn = arns.serviceInstance(service, inst.name);
    const envArn = arns.environment(inst.environment);
    const component = context.components?.[inst.name];
    const environment = environmentValue(inst.environment, envCtx);
    build(
      "service_instance",
      inst.name,
      `${inst.environment}/${service}-${inst.name}`,
      arn,
      folder,
      {
        environment,
        service: serviceValue,
        service_instance: {
          name: inst.name,
          inputs: sortKeys(inst.inputs),
          components: component ? { default: { name: component.name, outputs: sortKeys({ ...(component.outputs ?? {}) }) } } : {},
        },
        proton_tags: {
          "proton:account": account,
          "proton:template": templateArn,
          "proton:environment": envArn,
          "proton:service": arns.service(service),
          "proton:service-instance": arn,
        },
      },
      resourceMetadata(arn, templateArn, envArn),
    );
    pipelineInstances.push({
      name: inst.name,
      inputs: sortKeys(inst.inputs),
      outputs: sortKeys({ ...(context.instance_outputs?.[inst.name] ?? {}) }),
      environment,
    });
  }
  if (bundle.pipelineInfrastructure && spec.pipeline !== undefined) {
    const arn = arns.pipeline(service);
    build(
      "pipeline",
      service,
      `${service}/pipeline`,
      arn,
      bundle.pipelineInfrastructure,
      {
        service_instances: pipelineInstances,
        service: serviceValue,
        pipeline: { inputs: sortKeys(spec.pipeline) },
        proton_tags: { "proton:account": account, "proton:template": templateArn, "proton:service": arns.service(service) },
      },
      resourceMetadata(arn, templateArn),
    );
  }
  return problems.length ? { resources: [], problems } : { resources, problems };
}

/** Files of a resource directory that a render owns (and removes when a new version drops them). */
function isManaged(name: string): boolean {
  return name.endsWith(".tf") || name === "proton.auto.tfvars.json";
}

/**
 * Writes planned resources under `outDir`: everything is first written into a temporary
 * sibling of `outDir`, then each resource directory (or, when it exists, each file) is renamed
 * into place. Files a previous render wrote and this one does not are removed; other files
 * (e.g. `.terraform.lock.hcl`) and subdirectories (instances under an environment) are kept.
 * Returns the absolute directories written.
 */
export function writeRendered(outDir: string, resources: readonly PlannedResource[]): string[] {
  const out = path.resolve(outDir);
  const parent = path.dirname(out);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(out)}.protonkit-render-`));
  try {
    const staged = resources.map((r, i) => {
      const dir = path.join(tmp, String(i));
      for (const f of r.files) {
        const file = path.join(dir, ...f.path.split("/"));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, f.content);
      }
      return dir;
    });
    fs.mkdirSync(out, { recursive: true });
    return resources.map((r, i) => {
      const target = path.join(out, ...r.relativeDir.split("/"));
      if (!fs.existsSync(target)) {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.renameSync(staged[i], target);
        return target;
      }
      const keep = new Set(r.files.map((f) => f.path));
      for (const entry of fs.readdirSync(target)) {
        if (isManaged(entry) && !keep.has(entry) && fs.statSync(path.join(target, entry)).isFile()) fs.rmSync(path.join(target, entry));
      }
      for (const f of r.files) {
        const dest = path.join(target, ...f.path.split("/"));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.renameSync(path.join(staged[i], ...f.path.split("/")), dest);
      }
      return target;
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
