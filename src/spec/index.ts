/**
 * Specs: reading `proton: EnvironmentSpec` / `proton: ServiceSpec` files and checking them
 * against a template's schema (see src/proton/schema.ts), filling defaults. Every problem
 * names the file, the line and the field path.
 */
export * from "./spec";
