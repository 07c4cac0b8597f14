/**
 * Shapes Proton wrote that the platform render keeps while a directory exists: a repository
 * taken over from Proton (`protonkit platform adopt`) re-renders without a plan change.
 * - `proton.<kind>.variables.tf` declaring 2022's `inputs = map(string)`, or a `service` object
 *   with only `name`: kept verbatim, and inputs written as strings for `map(string)`;
 * - `proton.auto.tfvars.json` without `proton_tags`: they stay out (adding them retags every
 *   resource that uses `default_tags { tags = var.proton_tags }`);
 * - a `service` value with only `name`: kept so.
 * A directory rendered by protonkit (or in today's shapes) keeps nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KeptShape } from "../render";
import { isPlainObject } from "../support/yaml";

/** `inputs = map(string)` anywhere in a variables file (2022). */
const MAP_STRING_INPUTS = /\binputs\s*=\s*map\(string\)/;
/** `variable "service"` typed as an object with only `name` (2022). */
const NAME_ONLY_SERVICE = /variable\s+"service"\s*\{\s*type\s*=\s*object\(\{\s*name\s*=\s*string\s*\}\)/;

/** The body of a file after a leading block comment (Proton's header or protonkit's). */
function body(content: string): string {
  if (!content.startsWith("/*")) return content;
  const end = content.indexOf("*/");
  if (end < 0) return content;
  const rest = content.slice(end + 2);
  return rest.startsWith("\n") ? rest.slice(1) : rest;
}

/** What to keep of one directory, or undefined when it is in today's shapes. */
export function keptShapeOf(root: string, dir: string): KeptShape | undefined {
  const abs = path.join(root, ...dir.split("/"));
  let names: string[];
  try {
    names = fs.readdirSync(abs);
  } catch {
    return undefined;
  }
  const shape: { -readonly [K in keyof KeptShape]: KeptShape[K] } = {};
  const variablesName = names.find((n) => /^proton\.[a-z_]+\.variables\.tf$/.test(n));
  if (variablesName) {
    const variables = body(fs.readFileSync(path.join(abs, variablesName), "utf8"));
    if (MAP_STRING_INPUTS.test(variables) || NAME_ONLY_SERVICE.test(variables)) {
      shape.variables = variables;
      if (MAP_STRING_INPUTS.test(variables)) shape.string_inputs = true;
    }
  }
  if (names.includes("proton.auto.tfvars.json")) {
    try {
      const tfvars = JSON.parse(fs.readFileSync(path.join(abs, "proton.auto.tfvars.json"), "utf8")) as unknown;
      if (isPlainObject(tfvars)) {
        if (!("proton_tags" in tfvars)) shape.omit_proton_tags = true;
        const service = tfvars.service;
        if (isPlainObject(service) && Object.keys(service).length === 1 && "name" in service) shape.service_name_only = true;
      }
    } catch {
      // Unreadable tfvars: rendered anew.
    }
  }
  return Object.keys(shape).length > 0 ? shape : undefined;
}

/** Kept shapes of every existing (not deleted) rendered directory. */
export function keptShapes(root: string, dirs: Iterable<string>): Record<string, KeptShape> {
  const out: Record<string, KeptShape> = {};
  for (const dir of [...dirs].sort()) {
    const shape = keptShapeOf(root, dir);
    if (shape) out[dir] = shape;
  }
  return out;
}
