import { Problem } from "../errors";
import { describeValue } from "../support/yaml";

/** A resource name as a regular-expression fragment (no anchors), to build larger patterns such as ARNs. */
export const NAME = "[0-9A-Za-z]+[0-9A-Za-z_-]*";

/** Proton's rule for template and resource names (templates, environments, services, instances, components). */
export const RESOURCE_NAME = new RegExp(`^${NAME}$`);

/** Proton's longest resource name. */
export const MAX_NAME_LENGTH = 100;

/** `<template>:<major>`, as compatible environments name environment templates (a JSON-schema pattern). */
export const TEMPLATE_REF_PATTERN = `^${NAME}:\\d+$`;
const TEMPLATE_REF = new RegExp(`^(${NAME}):(\\d+)$`);

/** An environment template and major version, `<name>:<major>`. */
export interface EnvironmentTemplateRef {
  readonly name: string;
  readonly major: number;
}

/** Parses `<name>:<major>` (surrounding blanks allowed); undefined when it is not one. */
export function parseTemplateRef(raw: unknown): EnvironmentTemplateRef | undefined {
  if (typeof raw !== "string") return undefined;
  const m = TEMPLATE_REF.exec(raw.trim());
  return m ? { name: m[1], major: Number(m[2]) } : undefined;
}

/**
 * Why `name` is not a valid Proton resource name, or undefined when it is. The message has
 * the form `expected ..., found ...`.
 */
export function resourceNameError(name: unknown): string | undefined {
  if (typeof name !== "string") return `expected a resource name (string), found ${describeValue(name)}`;
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) return `expected a resource name of 1..${MAX_NAME_LENGTH} characters, found ${name.length} characters`;
  if (!RESOURCE_NAME.test(name)) return `expected a resource name matching ${RESOURCE_NAME.source}, found ${JSON.stringify(name)}`;
  return undefined;
}

/** Problems with a template name, as a template definition gives it. */
export function nameProblems(name: string): Problem[] {
  const problems: Problem[] = [];
  if (!RESOURCE_NAME.test(name)) problems.push(new Problem(`template name "${name}" does not match ${RESOURCE_NAME.source}`, { field: "name", fix: "use letters, digits, '-' and '_', starting with a letter or digit" }));
  if (name.length > MAX_NAME_LENGTH) problems.push(new Problem(`template name is ${name.length} characters; Proton allows at most ${MAX_NAME_LENGTH}`, { field: "name", fix: "shorten it" }));
  return problems;
}
