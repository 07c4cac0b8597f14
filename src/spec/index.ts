/**
 * Specs: reading `proton: EnvironmentSpec` / `proton: ServiceSpec` files, checking them against
 * a template's schema.yaml (OpenAPI 3.0 subset, via ajv) and filling defaults. Every problem
 * names the file, the line and the field path.
 */
export * from "./schema";
export * from "./spec";
export { validateAgainst, closest } from "../support/json-schema";
export type { ValidationIssue } from "../support/json-schema";
export * from "../support/yaml";
