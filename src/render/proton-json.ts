/**
 * The byte format of the JSON files Proton committed (`proton.auto.tfvars.json`,
 * `.proton/deployment-metadata.json`): Jackson's default pretty printer. Writing the same
 * bytes lets a repository Proton wrote be re-rendered with no diff at all.
 */
import type { JsonValue } from "../support/yaml";

/**
 * `value` as Proton wrote it: two-space indent, `"key" : value`, an empty object as `{ }`,
 * arrays on one line (`[ 1, 2 ]`, empty `[ ]`) with objects inside them opened in place, keys
 * in insertion order, and no newline at the end.
 */
export function protonJson(value: JsonValue): string {
  return write(value, 0);
}

function write(value: JsonValue, depth: number): string {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") return number(value);
  if (typeof value === "string") return string(value);
  if (Array.isArray(value)) {
    // Jackson indents arrays inline, so their items stay at the array's own depth.
    return value.length === 0 ? "[ ]" : `[ ${value.map((v) => write(v, depth)).join(", ")} ]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{ }";
  const inner = "  ".repeat(depth + 1);
  const fields = keys.map((k) => `${inner}${string(k)} : ${write(value[k], depth + 1)}`);
  return `{\n${fields.join(",\n")}\n${"  ".repeat(depth)}}`;
}

function number(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`${n} cannot be written as JSON (a protonkit bug, please report it)`);
  return JSON.stringify(n);
}

/** JSON's escapes, with Jackson's upper-case hex in `\uXXXX` (control characters, lone surrogates). */
function string(s: string): string {
  return JSON.stringify(s).replace(/\\(u[0-9a-f]{4}|.)/g, (escape: string, body: string) => (body.startsWith("u") && body.length === 5 ? `\\u${body.slice(1).toUpperCase()}` : escape));
}
