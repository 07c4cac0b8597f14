import { Problem, ProtonkitError } from "../errors";
import { MAX_NAME_LENGTH, RESOURCE_NAME, TEMPLATE_REF_PATTERN } from "../proton/names";
import { validateAgainst } from "../support/json-schema";
import type { JsonValue } from "../support/yaml";
import { formatPath, readYamlFile } from "../support/yaml";
import { problemAt, problemCount } from "../support/problems";

/** What one environment looks like to the resources deployed into it. */
export interface EnvironmentContext {
  /**
   * The environment's template, `<name>:<major>`; checked against a service template's compatible environments.
   * @default - unknown: a service instance deployed here is refused, an environment render is not checked
   */
  readonly template?: string;
  /**
   * The environment's Terraform outputs (strings only, as Proton stores them).
   * @default - none
   */
  readonly outputs?: Readonly<Record<string, string>>;
  /**
   * Account the environment deploys into, when not the management account.
   * @default - the context's account_id
   */
  readonly account_id?: string;
}

/** The service's source repository, as `var.service` carries it. */
export interface ServiceContext {
  /**
   * `var.service.repository_id`.
   * @default ""
   */
  readonly repository_id?: string;
  /**
   * `var.service.repository_connection_arn`.
   * @default ""
   */
  readonly repository_connection_arn?: string;
  /**
   * `var.service.branch_name`.
   * @default ""
   */
  readonly branch_name?: string;
}

/** A component attached to a service instance. */
export interface ComponentContext {
  /** The component's name. */
  readonly name: string;
  /**
   * The component's outputs, as the instance reads them.
   * @default - none
   */
  readonly outputs?: Readonly<Record<string, string>>;
}

/**
 * Everything a render needs that is not in the bundle or the spec: what Proton knew about the
 * account, the environments and the service. Keys are snake_case, as in the context file.
 */
export interface DeploymentContext {
  /**
   * Management account (ARNs, `proton:account`).
   * @default {@link DEFAULT_ACCOUNT_ID} (fit for local rendering only)
   */
  readonly account_id?: string;
  /**
   * Region of the ARNs.
   * @default {@link DEFAULT_REGION} (fit for local rendering only)
   */
  readonly region?: string;
  /**
   * Environments by name. A service instance's environment must be here (compatibility, outputs).
   * @default - none
   */
  readonly environments?: Readonly<Record<string, EnvironmentContext>>;
  /**
   * The service's source repository.
   * @default - every field ""
   */
  readonly service?: ServiceContext;
  /**
   * Components by the name of the service instance they are attached to.
   * @default - none
   */
  readonly components?: Readonly<Record<string, ComponentContext>>;
  /**
   * Outputs of service instances by instance name (the pipeline's `service_instances[*].outputs`).
   * @default - none
   */
  readonly instance_outputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Fixed deployment id (a UUID) for every rendered resource.
   * @default - derived from the ARN and the rendered content
   */
  readonly deployment_id?: string;
  /**
   * Shapes Proton wrote that a re-render keeps, by resource directory (`prod/orders-web`): a
   * repository taken over from Proton must not change under its users (older variable shapes,
   * tfvars without `proton_tags`). @default {}
   */
  readonly kept_shapes?: Readonly<Record<string, KeptShape>>;
  /**
   * Template minor version.
   * @default - the bundle's protonkit.lock.json entry, else 0
   */
  readonly template_minor?: number;
  /**
   * Render a deletion (isResourceDeleted, `<proton-resource-deleted>`, deletion headers).
   * @default false
   */
  readonly deleted?: boolean;
}

/** What a re-render keeps of a directory Proton wrote. */
export interface KeptShape {
  /** The body of `proton.<kind>.variables.tf` (no header), kept verbatim (2022's `inputs = map(string)`, a `service` with only `name`). */
  readonly variables?: string;
  /** Inputs written as strings, as `inputs = map(string)` holds them. @default false */
  readonly string_inputs?: boolean;
  /** No `proton_tags` in the tfvars (a 2024 environment had none; adding them changes every tagged resource). @default false */
  readonly omit_proton_tags?: boolean;
  /** `service` with only `name` in the tfvars (2022). @default false */
  readonly service_name_only?: boolean;
}

/** Account id used when neither the context nor a flag gives one. Fit for local rendering only. */
export const DEFAULT_ACCOUNT_ID = "111111111111";
/** Region used when neither the context nor a flag gives one. Fit for local rendering only. */
export const DEFAULT_REGION = "us-east-1";

const STRINGS = { type: "object", additionalProperties: { type: "string" } };
const RESOURCE_NAMES = { pattern: RESOURCE_NAME.source, maxLength: MAX_NAME_LENGTH };

/** JSON Schema of a deployment context (the context file). */
export const CONTEXT_SCHEMA: { [key: string]: JsonValue } = {
  type: "object",
  additionalProperties: false,
  properties: {
    account_id: { type: "string", pattern: "^\\d{12}$" },
    region: { type: "string", pattern: "^[a-z]{2}(-[a-z]+)+-\\d+$" },
    environments: {
      type: "object",
      propertyNames: RESOURCE_NAMES,
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          template: { type: "string", pattern: TEMPLATE_REF_PATTERN },
          outputs: STRINGS,
          account_id: { type: "string", pattern: "^\\d{12}$" },
        },
      },
    },
    service: {
      type: "object",
      additionalProperties: false,
      properties: { repository_id: { type: "string" }, repository_connection_arn: { type: "string" }, branch_name: { type: "string" } },
    },
    components: {
      type: "object",
      propertyNames: RESOURCE_NAMES,
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        properties: { name: { type: "string", ...RESOURCE_NAMES }, outputs: STRINGS },
      },
    },
    instance_outputs: { type: "object", propertyNames: RESOURCE_NAMES, additionalProperties: STRINGS },
    deployment_id: { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" },
    template_minor: { type: "integer", minimum: 0 },
    deleted: { type: "boolean" },
    kept_shapes: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: { variables: { type: "string" }, string_inputs: { type: "boolean" }, omit_proton_tags: { type: "boolean" }, service_name_only: { type: "boolean" } },
      },
    },
  },
};

/** Checks a context given in code; problems carry the field path under `context`. */
export function contextProblems(context: unknown): Problem[] {
  return validateAgainst(CONTEXT_SCHEMA, context, "field").problems.map(
    (p) => new Problem(p.message.replace("unknown field", "unknown context field"), { field: formatPath(["context", ...p.path]), fix: p.fix }),
  );
}

/**
 * Loads a deployment context from a YAML or JSON file and checks it; every problem names the
 * file, the line and the field.
 */
export function loadContextFile(file: string): DeploymentContext {
  const { source, problems } = readYamlFile(file, "context file");
  if (!source) throw new ProtonkitError(problems, `${problems[0]?.details.file ?? file}: the deployment context cannot be read`);
  const value = source.value ?? {};
  const checked = validateAgainst(CONTEXT_SCHEMA, value, "field");
  if (checked.problems.length > 0) {
    const list = checked.problems.map((p) => problemAt(source, p.path, p.message, p.fix));
    throw new ProtonkitError(list, `${source.displayFile}: ${problemCount(list.length)} in the deployment context`);
  }
  return value as DeploymentContext;
}
