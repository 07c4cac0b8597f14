import * as crypto from "node:crypto";
import type { ResourceKind } from "../proton/contract";
import type { InputObjectType, InputProperty } from "../proton/schema";


/** The deployment id Proton writes for a deleted resource (2023 on). */
export const DELETED_DEPLOYMENT_ID = "<proton-resource-deleted>";

/** Header of every rendered `.tf` file. It must not claim to be Proton. */
export function renderedHeader(templateVersion: string, arn: string): string {
  return `/* Rendered by protonkit from ${templateVersion} for ${arn}. Changes here are overwritten by the next deployment. */`;
}

/** One-line comment replacing the header when the resource was deleted. */
export function deletedHeader(arn: string): string {
  return `/* No longer managed by protonkit: ${arn} was deleted. These files remain only so that the automation can destroy it. */`;
}

const PROTON_TAGS = `variable "proton_tags" {
  type    = map(string)
  default = null
}
`;

const ENVIRONMENT_FOR_INSTANCE = `variable "environment" {
  type = object({
    account_id = string
    name       = string
    outputs    = map(string)
  })
  default = null
}
`;

const SERVICE = (withDefault: boolean): string => `variable "service" {
  type = object({
    name                      = string
    branch_name               = string
    repository_connection_arn = string
    repository_id             = string
  })${withDefault ? "\n  default = null" : ""}
}
`;

/**
 * Body of `proton.<kind>.variables.tf` in the newest shapes Proton wrote (docs/PROTON-CONTRACT.md,
 * section "4. A rendered resource directory"): `inputs = any` so inputs keep their JSON types.
 */
export function variablesFile(kind: ResourceKind, instanceInputsType = "any"): string {
  switch (kind) {
    case "environment":
      return `variable "environment" {
  type = object({
    inputs = any
    name   = string
  })
  default = null
}

${PROTON_TAGS}`;
    case "service_instance":
      return `${ENVIRONMENT_FOR_INSTANCE}
${SERVICE(false)}
variable "service_instance" {
  type = object({
    name       = string
    inputs     = any
    components = map(any)
  })
  default = null
}

${PROTON_TAGS}`;
    case "pipeline":
      return `variable "service_instances" {
  type = list(object({
    name    = string
    inputs  = ${instanceInputsType}
    outputs = map(string)
    environment = object({
      account_id = string
      name       = string
      outputs    = map(string)
    })
  }))
}

${SERVICE(true)}
variable "pipeline" {
  type = object({
    inputs = any
  })
  default = null
}

${PROTON_TAGS}`;
    case "component":
      return `variable "component" {
  type = object({
    name = string
  })
  default = null
}

${ENVIRONMENT_FOR_INSTANCE}
${SERVICE(true)}
variable "service_instance" {
  type = object({
    name   = string
    inputs = any
  })
  default = null
}

${PROTON_TAGS}`;
  }
}

/** The Terraform type of one input. */
function inputType(prop: InputProperty): string {
  switch (prop.type) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "bool";
    case "array":
      return `list(${prop.items ? inputType(prop.items) : "string"})`;
  }
}

/**
 * The Terraform type of a service's instance inputs inside the pipeline's `service_instances`
 * list. Proton's `any` cannot be used there: Terraform needs one element type for a list, and
 * instances whose inputs differ (an optional input set on one only, arrays of different
 * lengths) have none. The schema gives that type; inputs neither required nor defaulted are
 * `optional`.
 */
export function pipelineInstanceInputsType(type: InputObjectType | undefined): string {
  if (!type) return "any";
  const names = Object.keys(type.properties).sort();
  if (names.length === 0) return "object({})";
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => {
    const prop = type.properties[n];
    const t = inputType(prop);
    const optional = !type.required.includes(n) && prop.default === undefined;
    return `      ${n.padEnd(width)} = ${optional ? `optional(${t})` : t}`;
  });
  return `object({\n${lines.join("\n")}\n    })`;
}

export { jsonFile, sortKeys } from "../json";

// A fixed namespace for protonkit's name-based (v5) deployment ids.
const NAMESPACE = "6f1c8f9e-2d4b-5c7a-9e3f-70726f746f6e";

/** RFC 4122 version 5 UUID of `name` in protonkit's namespace: the same input, the same id. */
export function uuidV5(name: string): string {
  const ns = Buffer.from(NAMESPACE.replace(/-/g, ""), "hex");
  const hash = crypto.createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
