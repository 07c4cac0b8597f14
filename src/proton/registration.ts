/**
 * `.template-registration.yaml` (or the legacy `.compatible-envs`): what a service template is
 * registered with besides its files, its compatible environments and component sources.
 */
import YAML from "yaml";
import { Problem } from "../errors";
import { problemAt } from "../support/problems";
import { displayPath, isPlainObject, parseYamlText } from "../support/yaml";
import type { PathSegment } from "../support/yaml";
import type { EnvironmentTemplateRef } from "./names";
import { parseTemplateRef } from "./names";

/** The registration file, relative to `<template>/v<major>/`. */
export const REGISTRATION_FILE = ".template-registration.yaml";

/** The older registration file: one `<environment-template>:<major>` per line. */
export const LEGACY_REGISTRATION_FILE = ".compatible-envs";

/** A service template's registration. */
export interface Registration {
  /** Whether a registration file was there at all. */
  readonly found: boolean;
  readonly compatibleEnvironments: readonly EnvironmentTemplateRef[];
  /** E.g. `DIRECTLY_DEFINED`. */
  readonly supportedComponentSources: readonly string[];
}

/** Registration text for a service template: `name:major` of each compatible environment template. */
export function registrationYaml(compatibleEnvironments: readonly string[], directlyDefinedComponents: boolean): string {
  const registration: Record<string, string[]> = { compatible_environments: [...compatibleEnvironments] };
  if (directlyDefinedComponents) registration.supported_component_sources = ["DIRECTLY_DEFINED"];
  return YAML.stringify(registration);
}

/**
 * Parses a bundle's registration from its files (path relative to the bundle to content);
 * `fileOf` gives the path of a bundle file for problems.
 */
export function parseRegistration(files: ReadonlyMap<string, string>, fileOf: (rel: string) => string, problems: Problem[]): Registration {
  const compatibleEnvironments: EnvironmentTemplateRef[] = [];
  const supportedComponentSources: string[] = [];
  const result = { found: true, compatibleEnvironments, supportedComponentSources };
  const text = files.get(REGISTRATION_FILE);
  if (text !== undefined) {
    const read = parseYamlText(text, fileOf(REGISTRATION_FILE), "template registration");
    if (!read.source) {
      problems.push(...read.problems);
      return result;
    }
    const source = read.source;
    const root = source.value;
    const at = (segments: PathSegment[], message: string, fix: string): void => {
      problems.push(problemAt(source, segments, message, fix));
    };
    if (root !== undefined && root !== null && !isPlainObject(root)) {
      at([], "expected a map with compatible_environments", "write `compatible_environments: [ <environment-template>:<major> ]`");
    } else if (isPlainObject(root)) {
      for (const key of Object.keys(root)) {
        if (key !== "compatible_environments" && key !== "supported_component_sources") at([key], `unknown field "${key}"`, "use compatible_environments and supported_component_sources");
      }
      const envs = root.compatible_environments ?? [];
      if (!Array.isArray(envs)) at(["compatible_environments"], "expected a list of <environment-template>:<major>", "write one `- name:major` per line");
      else
        envs.forEach((raw: unknown, i: number) => {
          const ref = parseTemplateRef(raw);
          if (ref) compatibleEnvironments.push(ref);
          else at(["compatible_environments", i], `expected <environment-template>:<major>, found ${JSON.stringify(raw)}`, "write e.g. `- vpc-env:1`");
        });
      const sources = root.supported_component_sources ?? [];
      if (!Array.isArray(sources)) at(["supported_component_sources"], "expected a list", "write `- DIRECTLY_DEFINED`");
      else
        sources.forEach((raw: unknown, i: number) => {
          if (raw === "DIRECTLY_DEFINED") supportedComponentSources.push(raw);
          else at(["supported_component_sources", i], `expected "DIRECTLY_DEFINED", found ${JSON.stringify(raw)}`, "Proton knows only DIRECTLY_DEFINED");
        });
    }
    return result;
  }
  const legacy = files.get(LEGACY_REGISTRATION_FILE);
  if (legacy !== undefined) {
    legacy.split("\n").forEach((line, i) => {
      const text = line.trim();
      if (text === "" || text.startsWith("#")) return;
      const ref = parseTemplateRef(text);
      if (ref) compatibleEnvironments.push(ref);
      else problems.push(new Problem(`expected <environment-template>:<major>, found ${JSON.stringify(text)}`, { file: displayPath(fileOf(LEGACY_REGISTRATION_FILE)), line: i + 1, fix: "write one `name:major` per line" }));
    });
    return result;
  }
  return { ...result, found: false };
}
