import { Problem, ProtonkitError } from "../errors";
import { KNOWN_FORMATS, validateAgainst } from "../support/json-schema";
import { problemAt, problemCount } from "../support/problems";
import type { JsonObject, JsonValue, PathSegment, YamlSource } from "../support/yaml";
import { isPlainObject, jsonTypeOf, readYamlFile } from "../support/yaml";
import type { InputObjectType, InputProperty, TemplateSchema } from "./schema";
import { objectSchema } from "./schema";

const PRIMITIVES = ["string", "number", "integer", "boolean"] as const;
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  common: ["type", "title", "description", "default", "enum"],
  string: ["pattern", "minLength", "maxLength", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
  integer: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
  boolean: [],
  array: ["items", "minItems", "maxItems", "uniqueItems"],
};
const NON_NEGATIVE = ["minLength", "maxLength", "minItems", "maxItems"];

/**
 * Reads and checks a bundle's schema.yaml. Every problem (unknown type reference, unsupported
 * keyword, a default that breaks its own constraints, ...) is reported at once.
 */
export function readSchema(file: string): TemplateSchema {
  const { source, problems } = readYamlFile(file, "schema file");
  if (!source) throw new ProtonkitError(problems, `${problems[0]?.details.file ?? file}: schema cannot be read`);
  const out = parseSchema(source);
  if (out.problems.length > 0) {
    throw new ProtonkitError(out.problems, `${source.displayFile}: ${problemCount(out.problems.length)} in the template schema`);
  }
  return out.schema as TemplateSchema;
}

/** Parses a schema document; returns the schema only when there were no problems. */
export function parseSchema(source: YamlSource): { schema?: TemplateSchema; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (segments: PathSegment[], message: string, fix?: string): void => {
    problems.push(problemAt(source, segments, message, fix));
  };
  const root = source.value;
  if (!isPlainObject(root) || !isPlainObject(root.schema)) {
    at(["schema"], "expected a map under `schema:`", "start the file with `schema:` holding `format`, `types` and `environment_input_type` or `service_input_type`");
    return { problems };
  }
  const schema = root.schema;
  for (const key of Object.keys(schema)) {
    if (!["format", "environment_input_type", "service_input_type", "pipeline_input_type", "types"].includes(key)) {
      at(["schema", key], `unknown key "${key}"`, "use format, types, environment_input_type, service_input_type, pipeline_input_type");
    }
  }
  const format = schema.format;
  const openapi = isPlainObject(format) ? format.openapi : undefined;
  if (typeof openapi !== "string" || !/^3\.0(\.\d+)?$/.test(openapi)) {
    at(["schema", "format", "openapi"], `expected "3.0.0", found ${openapi === undefined ? "nothing" : JSON.stringify(openapi)}`, 'write `format: { openapi: "3.0.0" }`');
  }
  const types: Record<string, InputObjectType> = {};
  const rawTypes = schema.types;
  if (rawTypes !== undefined && !isPlainObject(rawTypes)) {
    at(["schema", "types"], "expected a map of type names to object schemas", undefined);
  } else if (rawTypes) {
    for (const [name, raw] of Object.entries(rawTypes)) {
      const parsed = parseObjectType(name, raw, ["schema", "types", name], at);
      if (parsed) types[name] = parsed;
    }
  }
  const ref = (key: string): InputObjectType | undefined => {
    const name = schema[key];
    if (name === undefined) return undefined;
    if (typeof name !== "string") {
      at(["schema", key], `expected a type name, found ${jsonTypeOf(name)}`);
      return undefined;
    }
    const rawType = isPlainObject(rawTypes) ? rawTypes[name] : undefined;
    if (rawType === undefined) {
      at(["schema", key], `names type "${name}", which is not under schema.types`, `add types.${name} or correct the name`);
    }
    return types[name];
  };
  const environmentInputType = ref("environment_input_type");
  const serviceInputType = ref("service_input_type");
  const pipelineInputType = ref("pipeline_input_type");
  if (schema.environment_input_type !== undefined && schema.service_input_type !== undefined) {
    at(["schema", "service_input_type"], "a schema declares environment_input_type or service_input_type, not both", "split the template in two");
  }
  if (schema.pipeline_input_type !== undefined && schema.service_input_type === undefined) {
    at(["schema", "pipeline_input_type"], "pipeline_input_type needs service_input_type (pipelines belong to service templates)");
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    schema: { file: source.file, displayFile: source.displayFile, environmentInputType, serviceInputType, pipelineInputType, types },
  };
}

type At = (segments: PathSegment[], message: string, fix?: string) => void;

function parseObjectType(name: string, raw: unknown, where: PathSegment[], at: At): InputObjectType | undefined {
  if (!isPlainObject(raw)) {
    at(where, "expected an object schema (type: object, properties, required)");
    return undefined;
  }
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (!["type", "description", "title", "properties", "required"].includes(key)) {
      at([...where, key], `unsupported keyword "${key}" on an input type`, "use type, description, properties, required");
      ok = false;
    }
  }
  if (raw.type !== "object") {
    at([...where, "type"], `expected "object", found ${raw.type === undefined ? "nothing" : JSON.stringify(raw.type)}`, "write `type: object`");
    ok = false;
  }
  const properties: Record<string, InputProperty> = {};
  if (raw.properties !== undefined && !isPlainObject(raw.properties)) {
    at([...where, "properties"], "expected a map of input names to schemas");
    ok = false;
  } else if (raw.properties) {
    for (const [input, schema] of Object.entries(raw.properties)) {
      if (input.length > 100) {
        at([...where, "properties", input], `input name is ${input.length} characters, Proton allows at most 100`, "shorten it");
        ok = false;
      }
      const prop = parseProperty(schema, [...where, "properties", input], at, false);
      if (prop) properties[input] = prop;
      else ok = false;
    }
  }
  const required: string[] = [];
  if (raw.required !== undefined) {
    if (!Array.isArray(raw.required) || raw.required.some((r) => typeof r !== "string")) {
      at([...where, "required"], "expected a list of input names");
      ok = false;
    } else {
      raw.required.forEach((r: string, i: number) => {
        if (!isPlainObject(raw.properties) || !(r in raw.properties)) {
          at([...where, "required", i], `"${r}" is required but not under properties`, `declare properties.${r} or drop it from required`);
          ok = false;
        }
        required.push(r);
      });
    }
  }
  if (!ok) return undefined;
  const type: InputObjectType = { name, description: typeof raw.description === "string" ? raw.description : undefined, properties, required };
  // Defaults must satisfy their own constraints, or every spec relying on them would break.
  const defaults: JsonObject = {};
  for (const [input, prop] of Object.entries(properties)) if (prop.default !== undefined) defaults[input] = prop.default;
  const checked = validateAgainst({ ...objectSchema(type), required: [] }, defaults);
  for (const p of checked.problems) {
    const input = p.path[0] as string;
    at([...where, "properties", input, "default"], `default does not satisfy its own schema: ${p.message}`, "fix the default or the constraint");
    ok = false;
  }
  return ok ? type : undefined;
}

function parseProperty(raw: unknown, where: PathSegment[], at: At, isItem: boolean): InputProperty | undefined {
  if (!isPlainObject(raw)) {
    at(where, "expected a schema map (type, description, default, ...)");
    return undefined;
  }
  const type = raw.type;
  const allowedTypes: readonly string[] = isItem ? PRIMITIVES : [...PRIMITIVES, "array"];
  if (typeof type !== "string" || !allowedTypes.includes(type)) {
    at(
      [...where, "type"],
      `expected one of ${allowedTypes.join(", ")}, found ${type === undefined ? "nothing" : JSON.stringify(type)}`,
      isItem ? "array items must be primitives (Proton handles arrays of primitives only)" : "Proton handles primitives and arrays of primitives only",
    );
    return undefined;
  }
  let ok = true;
  const allowed = [...ALLOWED.common, ...ALLOWED[type]];
  for (const [key, value] of Object.entries(raw)) {
    if (!allowed.includes(key)) {
      at([...where, key], `keyword "${key}" is not supported for type ${type}`, `use ${allowed.join(", ")}`);
      ok = false;
      continue;
    }
    const numeric = ["minimum", "maximum", ...NON_NEGATIVE].includes(key);
    if (numeric && (typeof value !== "number" || (NON_NEGATIVE.includes(key) && (!Number.isInteger(value) || value < 0)))) {
      at([...where, key], `expected ${NON_NEGATIVE.includes(key) ? "a non-negative integer" : "a number"}, found ${jsonTypeOf(value)}`);
      ok = false;
    }
    if (["exclusiveMinimum", "exclusiveMaximum", "uniqueItems"].includes(key) && typeof value !== "boolean") {
      at([...where, key], `expected a boolean (OpenAPI 3.0), found ${jsonTypeOf(value)}`);
      ok = false;
    }
    if (["title", "description", "pattern", "format"].includes(key) && typeof value !== "string") {
      at([...where, key], `expected a string, found ${jsonTypeOf(value)}`);
      ok = false;
    }
    if (key === "pattern" && typeof value === "string") {
      try {
        new RegExp(value, "u");
      } catch (err) {
        at([...where, key], `not a valid regular expression: ${(err as Error).message}`);
        ok = false;
      }
    }
    if (key === "format" && typeof value === "string" && !(KNOWN_FORMATS as readonly string[]).includes(value)) {
      at([...where, key], `unknown format "${value}"`, `use one of ${KNOWN_FORMATS.join(", ")}, or a pattern`);
      ok = false;
    }
    if (key === "enum" && (!Array.isArray(value) || value.length === 0)) {
      at([...where, key], "expected a non-empty list of allowed values");
      ok = false;
    }
  }
  let items: InputProperty | undefined;
  if (type === "array") {
    if (raw.items === undefined) {
      at([...where, "items"], "an array input needs `items` (a primitive schema)", "add e.g. `items: { type: string }`");
      ok = false;
    } else {
      items = parseProperty(raw.items, [...where, "items"], at, true);
      if (!items) ok = false;
    }
  }
  if (!ok) return undefined;
  const prop = { ...(raw as Record<string, JsonValue>), type } as unknown as InputProperty;
  return items ? { ...prop, items } : prop;
}
