import YAML from "yaml";
import type { InputDeclaration, InputSet } from "../authoring/inputs";
import type { InputSection } from "../authoring/template";

/** An OpenAPI 3.0 Schema Object for one input, as schema.yaml holds it. */
export interface PropertySchema {
  type: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: readonly string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: PropertySchema;
}

/** The object type of one input section. */
export interface InputTypeSchema {
  type: "object";
  description: string;
  properties: Record<string, PropertySchema>;
  required?: string[];
}

/** schema.yaml as an object. */
export interface ProtonSchema {
  schema: {
    format: { openapi: "3.0.0" };
    environment_input_type?: string;
    service_input_type?: string;
    pipeline_input_type?: string;
    types: Record<string, InputTypeSchema>;
  };
}

const SECTION_KEY: Record<InputSection, "environment_input_type" | "service_input_type" | "pipeline_input_type"> = {
  environment: "environment_input_type",
  service_instance: "service_input_type",
  pipeline: "pipeline_input_type",
};

/** Builds schema.yaml's object from declared inputs; key order is fixed so output is stable. */
export function buildSchema(templateName: string, sections: ReadonlyMap<InputSection, InputSet>): ProtonSchema {
  const schema: ProtonSchema["schema"] = { format: { openapi: "3.0.0" }, types: {} };
  const base = pascal(templateName);
  for (const [section, inputs] of sections) {
    const typeName = `${base}${section === "environment" ? "Environment" : section === "pipeline" ? "Pipeline" : "Service"}Input`;
    schema[SECTION_KEY[section]] = typeName;
    const required = Object.entries(inputs)
      .filter(([, d]) => d.required)
      .map(([n]) => n);
    schema.types[typeName] = {
      type: "object",
      description: `${section === "pipeline" ? "Pipeline" : section === "environment" ? "Environment" : "Service instance"} inputs of ${templateName}`,
      properties: Object.fromEntries(Object.entries(inputs).map(([n, d]) => [n, property(d)])),
      ...(required.length > 0 ? { required } : {}),
    };
  }
  // Reorder: format, then the *_input_type keys, then types, as Proton's samples do.
  const { format, types, ...refs } = schema;
  return { schema: { format, ...refs, types } };
}

/** The schema.yaml property for one input declaration. */
export function property(d: InputDeclaration): PropertySchema {
  const p: PropertySchema = { type: d.type };
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
    p.items = { type, ...rest } as PropertySchema;
    if (d.minItems !== undefined) p.minItems = d.minItems;
    if (d.maxItems !== undefined) p.maxItems = d.maxItems;
  }
  if (d.default !== undefined) p.default = d.default;
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
