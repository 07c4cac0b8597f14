import { Problem } from "../errors";

/** Proton's fixed quotas for a template bundle (not adjustable). */
export const QUOTAS = {
  bundleBytes: 5 * 1024 * 1024,
  manifestBytes: 50 * 1024,
  schemaBytes: 50 * 1024,
  otherFileBytes: 200 * 1024,
  templateFiles: 10,
} as const;

/** Checks a bundle's files (path relative to `<template>/v<major>/`) against Proton's quotas. */
export function quotaProblems(bundleDir: string, files: ReadonlyMap<string, string>): Problem[] {
  const problems: Problem[] = [];
  let total = 0;
  let templateFiles = 0;
  for (const [file, content] of files) {
    const size = Buffer.byteLength(content);
    total += size;
    const where = `${bundleDir}/${file}`;
    const base = file.split("/").pop()!;
    const limit = base === "manifest.yaml" ? QUOTAS.manifestBytes : base === "schema.yaml" ? QUOTAS.schemaBytes : QUOTAS.otherFileBytes;
    if (size > limit) {
      problems.push(new Problem(`is ${size} bytes; Proton allows at most ${limit} bytes for this file`, { file: where, fix: base.endsWith(".tf") ? "move constructs into another top-level construct so they land in another file" : "shrink it" }));
    }
    if (file.endsWith(".tf")) templateFiles++;
  }
  if (templateFiles > QUOTAS.templateFiles) {
    problems.push(new Problem(`has ${templateFiles} template files; Proton allows at most ${QUOTAS.templateFiles} per bundle`, { file: bundleDir, fix: "group constructs under fewer top-level constructs (one file is written per top-level construct)" }));
  }
  if (total > QUOTAS.bundleBytes) {
    problems.push(new Problem(`is ${total} bytes; Proton allows at most ${QUOTAS.bundleBytes} bytes per bundle`, { file: bundleDir, fix: "split the template" }));
  }
  return problems;
}
