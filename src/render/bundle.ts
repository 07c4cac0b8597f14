import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import type { Bundle, TemplateFolder } from "../proton/bundle";
import { checkBundle } from "../proton/bundle";
import { lockedMinor } from "../proton/lock";
import { listFiles } from "../support/files";
import { problemCount } from "../support/problems";
import { displayPath } from "../support/yaml";

/**
 * Reads a Terraform template bundle in template-sync layout (`<template>/v<major>/`) and checks
 * it with the bundle validator (src/proton/bundle.ts), then looks up its minor version in the
 * nearest lock file. All problems are reported in one {@link ProtonkitError}.
 */
export function readBundle(dir: string): Bundle {
  const abs = path.resolve(dir);
  const problems: Problem[] = [];
  const thrown = (): ProtonkitError => new ProtonkitError(problems, `${displayPath(abs)}: ${problemCount(problems.length)} in the template bundle`);
  if (!isDir(abs)) {
    problems.push(new Problem("bundle directory does not exist", { file: displayPath(abs), fix: "pass --bundle <bundles root>/<template>/v<major>" }));
    throw thrown();
  }
  const majorMatch = /^v(\d+)$/.exec(path.basename(abs));
  if (!majorMatch) {
    problems.push(new Problem(`expected a major-version folder named v<major>, found "${path.basename(abs)}"`, { file: displayPath(abs), fix: "pass the bundle's <template>/v<major> folder (template-sync layout)" }));
    throw thrown();
  }
  const templateName = path.basename(path.dirname(abs));
  const major = Number(majorMatch[1]);
  const files = new Map(listFiles(abs).map((f) => [f, fs.readFileSync(path.join(abs, f), "utf8")]));
  const checked = checkBundle(abs, files, { templateName, major });
  problems.push(...checked.problems, ...checked.quota);
  const lock = lockedMinor(abs, templateName, major);
  problems.push(...lock.problems);
  if (problems.length > 0 || !checked.bundle) throw thrown();
  return lock.minor === undefined ? checked.bundle : { ...checked.bundle, lockedMinor: lock.minor };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A place where a template reads `var.environment.outputs.<name>`. */
export interface OutputReference {
  readonly name: string;
  /** Absolute path of the .tf file. */
  readonly file: string;
  readonly line: number;
}

/**
 * The environment outputs a folder's templates read (`var.environment.outputs.x` or
 * `var.environment.outputs["x"]`), first occurrence of each, sorted by name. References are
 * found textually: guarded reads (`try(...)`) count too, so a template that treats an output
 * as optional should read it via `lookup(var.environment.outputs, "x", default)`.
 */
export function environmentOutputReferences(folder: TemplateFolder): OutputReference[] {
  const found = new Map<string, OutputReference>();
  for (const f of folder.files) {
    const re = /var\.environment\.outputs(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*"([^"]+)"\s*\])/g;
    for (const m of f.content.matchAll(re)) {
      const name = m[1] ?? m[2];
      if (!found.has(name)) found.set(name, { name, file: path.join(folder.dir, f.name), line: f.content.slice(0, m.index).split("\n").length });
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
