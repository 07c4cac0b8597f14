/**
 * The schema.yaml model (docs/PROTON-CONTRACT.md, section "2. schema.yaml"): the OpenAPI 3.0
 * subset Proton takes for template inputs. The bundle writer builds it from input
 * declarations; readers parse it (see schema-read.ts) and check specs against its JSON-schema
 * translation.
 */
import YAML from "yaml";
import type { InputDeclaration, InputSet } from "../authoring/inputs";
import type { JsonSchema } from "../support/json-schema";
import type { JsonValue } from "../support/yaml";
import type { InputSection } from "./contract";

/** Input types Proton handles: primitives and arrays of primitives. */
export type InputTypeName = "string" | "number" | "integer" | "boolean" | "array";

/** One input of a schema type (an OpenAPI 3.0 Schema Object, the subset Proton uses). */
export interface InputProperty {
  readonly type: InputTypeName;
  readonly title?: string;
  readonly description?: string;
  readonly default?: JsonValue;
  readonly enum?: readonly JsonValue[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  /** OpenAPI 3.0 form: a boolean that makes `minimum` exclusive. */
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  /** Element schema of an array (a primitive). */
  readonly items?: InputProperty;
}

/** A named `type: object` entry under `schema.types`. */
export interface InputObjectType {
  readonly name: string;
  readonly description?: string;
  readonly properties: Readonly<Record<string, InputProperty>>;
  readonly required: readonly string[];
}

/** The input type of a section the schema does not declare: no inputs at all. */
export const NO_INPUTS: InputObjectType = { name: "(none)", properties: {}, required: [] };

/** A parsed `schema/schema.yaml`. */
export interface TemplateSchema {
  /** Absolute path of schema.yaml. */
  readonly file: string;
  readonly displayFile: string;
  readonly environmentInputType?: InputObjectType;
  readonly serviceInputType?: InputObjectType;
  readonly pipelineInputType?: InputObjectType;
  readonly types: Readonly<Record<string, InputObjectType>>;
}

/** The keys of schema.yaml that name each section's input type. */
export const SECTION_KEY: Readonly<Record<InputSection, "environment_input_type" | "service_input_type" | "pipeline_input_type">> = {
  environment: "environment_input_type",
  service_instance: "service_input_type",
  pipeline: "pipeline_input_type",
};

/** The object type of one input section, as schema.yaml writes it. */
export interface InputTypeSchema {
  readonly type: "object";
  readonly description: string;
  readonly properties: Record<string, InputProperty>;
  readonly required?: string[];
}

/** schema.yaml as a document. */
export interface ProtonSchema {
  readonly schema: {
    readonly format: { readonly openapi: "3.0.0" };
    readonly environment_input_type?: string;
    readonly service_input_type?: string;
    readonly pipeline_input_type?: string;
    readonly types: Record<string, InputTypeSchema>;
  };
}

/** Builds schema.yaml's document from declared inputs; key order is fixed so output is stable. */
export function buildSchema(templateName: string, sections: ReadonlyMap<InputSection, InputSet>): ProtonSchema {
  const refs: Partial<Record<(typeof SECTION_KEY)[InputSection], string>> = {};
  const types: Record<string, InputTypeSchema> = {};
  const base = pascal(templateName);
  for (const [section, inputs] of sections) {
    const typeName = `${base}${section === "environment" ? "Environment" : section === "pipeline" ? "Pipeline" : "Service"}Input`;
    refs[SECTION_KEY[section]] = typeName;
    const required = Object.entries(inputs)
      .filter(([, d]) => d.required)
      .map(([n]) => n);
    types[typeName] = {
      type: "object",
      description: `${section === "pipeline" ? "Pipeline" : section === "environment" ? "Environment" : "Service instance"} inputs of ${templateName}`,
      properties: Object.fromEntries(Object.entries(inputs).map(([n, d]) => [n, property(d)])),
      ...(required.length > 0 ? { required } : {}),
    };
  }
  // format, then the *_input_type keys, then types, as Proton's samples do.
  return { schema: { format: { openapi: "3.0.0" }, ...refs, types } };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The schema.yaml property for one input declaration. */
export function property(d: InputDeclaration): InputProperty {
  const p: Mutable<InputProperty> = { type: d.type };
  if (d.title !== undefined) p.title = d.title;
  if (d.description !== undefined) p.description = d.description;
  if ("enum" in d && d.enum) p.enum = [...d.enum];
  if ("pattern" in d && d.pattern !== undefined) p.pattern = d.pattern;
  if ("minimum" in d && d.minimum !== undefined) p.minimum = d.minimum;
  if ("maximum" in d && d.maximum !== undefined) p.maximum = d.maximum;
  if ("minLength" in d && d.minLength !== undefined) p.minLength = d.minLength;
  if ("maxLength" in d && d.maxLength !== undefined) p.maxLength = d.maxLength;
  if (d.type === "array") {
    const { type, ...rest } = d.items;
    p.items = { type, ...rest } as InputProperty;
    if (d.minItems !== undefined) p.minItems = d.minItems;
    if (d.maxItems !== undefined) p.maxItems = d.maxItems;
  }
  if (d.default !== undefined) p.default = d.default as JsonValue;
  return p;
}

/** schema.yaml text: strings double-quoted, two-space indent, no line wrapping. */
export function schemaYaml(schema: ProtonSchema): string {
  return YAML.stringify(schema, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0, indent: 2 });
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** Translates one input (OpenAPI 3.0 subset) into JSON Schema draft-07. */
export function propertySchema(prop: InputProperty): JsonSchema {
  const out: JsonSchema = { type: prop.type };
  const copy = ["enum", "pattern", "format", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "default"] as const;
  for (const key of copy) {
    const value = prop[key];
    if (value !== undefined) out[key] = value as JsonValue;
  }
  // OpenAPI 3.0 exclusive bounds are booleans beside minimum/maximum; draft-07 wants numbers.
  if (prop.minimum !== undefined) out[prop.exclusiveMinimum ? "exclusiveMinimum" : "minimum"] = prop.minimum;
  if (prop.maximum !== undefined) out[prop.exclusiveMaximum ? "exclusiveMaximum" : "maximum"] = prop.maximum;
  if (prop.items) out.items = propertySchema(prop.items);
  return out;
}

/** Translates an input type into a closed JSON Schema object (unknown inputs are errors). */
export function objectSchema(type: InputObjectType): JsonSchema {
  const properties: JsonSchema = {};
  for (const name of Object.keys(type.properties)) properties[name] = propertySchema(type.properties[name]);
  return { type: "object", properties, required: [...type.required], additionalProperties: false };
}
