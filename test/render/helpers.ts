import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../src/cli/main";

/** Repository root (tests run from it, so problems print repository-relative paths). */
export const ROOT = path.resolve(__dirname, "..", "..");
/** The hand-written bundles root. */
export const BUNDLES = path.join(ROOT, "test", "fixtures", "handwritten-bundle");
/** Example and bad specs/contexts. */
export const SPECS = path.join(ROOT, "test", "fixtures", "specs");

/** Bundle folder of a hand-written template. */
export function bundle(template: "pizza-env" | "pizza-svc" | "pizza-alarm"): string {
  return path.join(BUNDLES, template, "v1");
}

/** A fresh temporary directory. */
export function tmpDir(prefix = "protonkit-render-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Copies a hand-written template into a temporary bundles root and lets `change` break it.
 * Returns the copy's `<template>/v1` folder.
 */
export function brokenBundle(template: "pizza-env" | "pizza-svc" | "pizza-alarm", change: (dir: string) => void, folderName = "v1"): string {
  const root = tmpDir("protonkit-bundle-");
  const dir = path.join(root, template, folderName);
  fs.cpSync(bundle(template), dir, { recursive: true });
  change(dir);
  return dir;
}

/** Every file under `dir` (relative, `/`-separated, sorted) with its content. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out[r] = fs.readFileSync(path.join(d, e.name), "utf8");
    }
  };
  if (fs.existsSync(dir)) walk(dir, "");
  return out;
}

/** Runs the CLI in-process and captures what it printed. */
export async function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(["node", "protonkit", ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
