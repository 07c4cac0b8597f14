import type { InputProperty } from "../proton/schema";
import type { TemplateInterface } from "../proton/lock";

/**
 * Changes from `before` to `after` that break existing specs or consumers, as sentences.
 * Widening is fine (a new optional input, a looser bound, an added enum value, integer to
 * number); anything that can make a valid spec invalid, or remove what a consumer reads, is not.
 */
export function breakingChanges(before: TemplateInterface, after: TemplateInterface): string[] {
  const out: string[] = [];
  for (const [section, oldInputs] of Object.entries(before.inputs)) {
    const newInputs = after.inputs[section];
    if (!newInputs) {
      out.push(`${section}: the whole section was removed`);
      continue;
    }
    for (const [name, old] of Object.entries(oldInputs)) {
      const now = newInputs[name];
      if (!now) out.push(`${section}.${name}: input removed (or renamed)`);
      else out.push(...propertyChanges(`${section}.${name}`, old, now));
    }
    for (const [name, now] of Object.entries(newInputs)) {
      if (!oldInputs[name] && now.required) out.push(`${section}.${name}: new required input without a default`);
    }
  }
  for (const [section, inputs] of Object.entries(after.inputs)) {
    if (!before.inputs[section]) {
      for (const [name, now] of Object.entries(inputs)) if (now.required) out.push(`${section}.${name}: new required input without a default`);
    }
  }
  const read = new Set([...(before.outputsRead ?? []), ...(after.outputsRead ?? [])]);
  for (const [folder, names] of Object.entries(before.outputs)) {
    const now = new Set(after.outputs[folder] ?? []);
    for (const n of names) if (!now.has(n) && read.has(n)) out.push(`output ${n} removed from ${folder}, but compatible services read it`);
  }
  return out;
}

function propertyChanges(at: string, old: InputProperty & { required?: boolean }, now: InputProperty & { required?: boolean }): string[] {
  const out: string[] = [];
  if (!old.required && now.required) out.push(`${at}: became required`);
  if (old.type !== now.type && !(old.type === "integer" && now.type === "number")) out.push(`${at}: type changed from ${old.type} to ${now.type}`);
  if (now.enum) {
    const removed = old.enum ? old.enum.filter((v) => !now.enum!.includes(v)) : undefined;
    if (!removed) out.push(`${at}: now restricted to ${now.enum.join(", ")}`);
    else if (removed.length > 0) out.push(`${at}: enum value${removed.length > 1 ? "s" : ""} ${removed.join(", ")} removed`);
  }
  if (now.pattern !== undefined && now.pattern !== old.pattern) out.push(`${at}: pattern ${old.pattern === undefined ? "added" : "changed"} (${now.pattern})`);
  const lower = (k: "minimum" | "minLength" | "minItems") => {
    if (now[k] !== undefined && (old[k] === undefined || now[k]! > old[k]!)) out.push(`${at}: ${k} raised from ${old[k] ?? "none"} to ${now[k]}`);
  };
  const upper = (k: "maximum" | "maxLength" | "maxItems") => {
    if (now[k] !== undefined && (old[k] === undefined || now[k]! < old[k]!)) out.push(`${at}: ${k} lowered from ${old[k] ?? "none"} to ${now[k]}`);
  };
  lower("minimum");
  lower("minLength");
  lower("minItems");
  upper("maximum");
  upper("maxLength");
  upper("maxItems");
  if (old.items && now.items) out.push(...propertyChanges(`${at}[]`, old.items, now.items));
  if (old.default !== undefined && now.default === undefined && !now.required) out.push(`${at}: default removed, so specs that relied on it change meaning`);
  return out;
}
