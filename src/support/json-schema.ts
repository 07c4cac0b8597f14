import type Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { FormatName } from "ajv-formats";
import type { JsonValue, PathSegment } from "./yaml";
import { describeValue, isPlainObject } from "./yaml";

/** One schema violation, with the path into the validated data (not yet tied to a file). */
export interface ValidationIssue {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly fix?: string;
}

/** A JSON Schema (draft-07) document, as ajv takes it. */
export type JsonSchema = { [key: string]: JsonValue };

/** The string formats every protonkit validator checks (schema.yaml's `format` accepts these). */
export const KNOWN_FORMATS: readonly FormatName[] = ["date", "time", "date-time", "email", "hostname", "ipv4", "ipv6", "uri", "uuid", "regex"];

/**
 * A strict ajv that reports every error. verbose: errors carry the offending data and their
 * schema, which messages quote.
 */
export function newAjv(options: { readonly useDefaults?: boolean } = {}): Ajv {
  // Loaded on first use: ajv and its formats cost a synth that validates nothing new ~40 ms.
  const AjvClass = (require("ajv") as typeof import("ajv")).default;
  const addFormats = (require("ajv-formats") as typeof import("ajv-formats")).default;
  const ajv = new AjvClass({ allErrors: true, useDefaults: options.useDefaults === true, verbose: true, strict: true });
  addFormats(ajv, [...KNOWN_FORMATS]);
  return ajv;
}

let shared: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function compile(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = compiled.get(key);
  if (!fn) {
    shared ??= newAjv({ useDefaults: true });
    fn = shared.compile(schema);
    compiled.set(key, fn);
  }
  return fn;
}

/**
 * Validates `data` against a JSON Schema, filling defaults into a copy. Returns the copy and
 * every problem, sorted by path, with a message of the form `expected ..., found ...`.
 */
export function validateAgainst(schema: JsonSchema, data: unknown, noun: "input" | "field" = "input"): { value: unknown; problems: ValidationIssue[] } {
  const value: unknown = data === undefined ? undefined : structuredClone(data);
  const fn = compile(schema);
  if (fn(value)) return { value, problems: [] };
  const errors = fn.errors ?? [];
  const problems: ValidationIssue[] = [];
  const typeFailed = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  for (const e of errors) {
    // A wrong type makes enum/bounds errors at the same spot noise.
    if (e.keyword !== "type" && typeFailed.has(e.instancePath)) continue;
    // propertyNames reports the failing name's own error too; that one says more.
    if (e.keyword === "propertyNames") continue;
    const issue = issueFor(e, value, noun);
    const name = (e as ErrorObject & { propertyName?: string }).propertyName;
    problems.push(name === undefined ? issue : { ...issue, path: [...issue.path, name], message: `invalid name: ${issue.message}` });
  }
  return { value, problems };
}

/** The path a JSON pointer (ajv's `instancePath`) names in `root`: array indexes as numbers. */
export function pathOf(pointer: string, root: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = isPlainObject(node) ? node[seg] : undefined;
    }
  }
  return out;
}

function typeName(schema: unknown): string {
  if (!isPlainObject(schema)) return "a value";
  const t = schema.type;
  if (t === "array" && isPlainObject(schema.items)) return `array of ${String(schema.items.type)}`;
  return typeof t === "string" ? t : "a value";
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

/** Levenshtein distance, for "did you mean" hints on unknown fields. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest known name to `name`, if any is close. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

function items(n: number): string {
  return n === 1 ? "1 item" : `${n} items`;
}

function chars(n: number): string {
  return n === 1 ? "1 character" : `${n} characters`;
}

function issueFor(e: ErrorObject, root: unknown, noun: string): ValidationIssue {
  const path = pathOf(e.instancePath, root);
  const found = describeValue(e.data);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type":
      return { path, message: `expected ${typeName(e.parentSchema)}, found ${found}` };
    case "required": {
      const name = String(params.missingProperty);
      const props = isPlainObject(e.parentSchema) && isPlainObject(e.parentSchema.properties) ? e.parentSchema.properties : {};
      return {
        path: [...path, name],
        message: `required ${noun} is missing: expected ${typeName(props[name])}, found nothing`,
        fix: `add ${name}`,
      };
    }
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const props = isPlainObject(e.parentSchema) && isPlainObject(e.parentSchema.properties) ? Object.keys(e.parentSchema.properties) : [];
      const hint = closest(name, props);
      return {
        path: [...path, name],
        message: `unknown field: expected one of ${props.length ? props.join(", ") : "(none: this type takes no inputs)"}, found "${name}"`,
        fix: hint ? `did you mean ${hint}?` : "remove it",
      };
    }
    case "enum":
      return { path, message: `expected one of ${quoteList((params.allowedValues as unknown[]) ?? [])}, found ${found}` };
    case "pattern":
      return { path, message: `expected a string matching ${String(params.pattern)}, found ${found}` };
    case "format":
      return { path, message: `expected a string in ${String(params.format)} format, found ${found}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { path, message: `expected a number ${String(params.comparison)} ${String(params.limit)}, found ${found}` };
    case "minLength":
      return { path, message: `expected at least ${chars(Number(params.limit))}, found ${String((e.data as string).length)} (${JSON.stringify(e.data)})` };
    case "maxLength":
      return { path, message: `expected at most ${chars(Number(params.limit))}, found ${String((e.data as string).length)} (${JSON.stringify(e.data)})` };
    case "minItems":
      return { path, message: `expected at least ${items(Number(params.limit))}, found ${String((e.data as unknown[]).length)}` };
    case "maxItems":
      return { path, message: `expected at most ${items(Number(params.limit))}, found ${String((e.data as unknown[]).length)}` };
    case "uniqueItems":
      return { path, message: `expected unique items, found duplicates at [${Math.min(Number(params.i), Number(params.j))}] and [${Math.max(Number(params.i), Number(params.j))}]` };
    default:
      return { path, message: `${e.message ?? e.keyword}, found ${found}` };
  }
}
