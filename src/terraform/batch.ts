import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { hclValue, type MockValue } from "./baseline";
import { blankSpan, blockSpan, scanHcl } from "./hcl-scan";

/**
 * The batched strategy of `protonkit test`: the rendered directories of one template version
 * and kind differ only in `proton.auto.tfvars.json` (and the header comment naming the
 * resource), so they share one Terraform working directory, one `terraform init` and one
 * `terraform test`. Each example spec becomes its own test files there, carrying the spec's
 * tfvars as `variables`; one file's runs share state, so specs never see each other's.
 */

/** A digest of a rendered directory's configuration: every file but the tfvars and `.proton/`, header comments left out. */
export function configDigest(dir: string): string {
  const hash = createHash("sha256");
  for (const rel of configFiles(dir)) {
    let text = fs.readFileSync(path.join(dir, rel), "utf8");
    // The renderer heads each .tf file with a comment naming the resource's ARN.
    if (rel.endsWith(".tf")) text = text.replace(/^\/\*[^]*?\*\/\n?/, "");
    hash.update(`${rel}\u0000${text}\u0000`);
  }
  return hash.digest("hex");
}

/** Files of a rendered directory that make up its configuration (relative, sorted). */
export function configFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (p === "proton.auto.tfvars.json" || p === ".proton" || p === ".terraform" || p === ".terraform.lock.hcl") continue;
    if (e.isDirectory()) out.push(...configFiles(dir, p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Copies a rendered directory's configuration (see {@link configFiles}) into `dest`. */
export function copyConfig(src: string, dest: string): void {
  for (const rel of configFiles(src)) {
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.copyFileSync(path.join(src, rel), path.join(dest, rel));
  }
}

/** The declared variables' values from a rendered directory's `proton.auto.tfvars.json` (the `"//"` comment key left out). */
export function specVariables(dir: string, declared: readonly string[]): Record<string, MockValue> {
  const file = path.join(dir, "proton.auto.tfvars.json");
  if (!fs.existsSync(file)) return {};
  const all = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, MockValue>;
  return Object.fromEntries(Object.entries(all).filter(([k]) => declared.includes(k)));
}

/** The file-level `variables { ... }` block of a test file: its attribute names and where it is. */
function fileVariables(text: string): { names: Set<string>; attributes: { name: string; expression: string }[]; start: number; end: number } | undefined {
  const block = scanHcl(text).blocks.find((b) => b.type === "variables");
  if (!block) return undefined;
  const { start, end } = blockSpan(text, block);
  const attributes = scanHcl(block.body).attributes.map((a) => ({ name: a.name, expression: a.expression }));
  return { names: new Set(attributes.map((a) => a.name)), attributes, start, end };
}

/**
 * True when a test file's own file-level `variables` set every variable the configuration
 * declares: its runs cannot depend on the spec, so it runs once for all specs.
 */
export function setsEveryVariable(text: string, declared: readonly string[]): boolean {
  const own = fileVariables(text);
  return declared.every((v) => own?.names.has(v) === true);
}

/**
 * A template test file as it runs for one spec: the spec's tfvars become file-level
 * `variables`, below the file's own (which win, as they won over the tfvars before). The
 * file's own block is blanked in place and the merged one appended, so line numbers in
 * Terraform's messages still match the source.
 */
export function withSpecVariables(text: string, vars: Readonly<Record<string, MockValue>>): string {
  const own = fileVariables(text);
  const lines: string[] = [];
  for (const a of own?.attributes ?? []) lines.push(`  ${a.name} = ${a.expression}`);
  for (const [name, value] of Object.entries(vars)) if (!own?.names.has(name)) lines.push(`  ${name} = ${hclValue(value, "  ")}`);
  const body = own ? blankSpan(text, own) : text;
  const sep = body.endsWith("\n") ? "\n" : "\n\n";
  return `${body}${sep}# Added by protonkit test: the example spec's proton.auto.tfvars.json${own ? ", under this file's own variables" : ""}.\nvariables {\n${lines.join("\n")}\n}\n`;
}

/** Name of a spec's copy of a test file: `<spec key>--<file>`. */
export function specFileName(key: string, file: string): string {
  return `${key}--${file}`;
}

/** One run or file-level outcome read from `terraform test -json`. */
export interface TestFileOutcome {
  /** Runs by name: `pass`, `fail`, `error` or `skip`. */
  readonly runs: Map<string, string>;
  /** The file's own status (`pass`, `fail`, `error`, `skip`), when reported. */
  status?: string;
  /** Error and warning diagnostics for this file, formatted. */
  readonly diagnostics: string[];
}

/** What one `terraform test -json` said, per test file (named as in the test directory). */
export interface TestJson {
  readonly files: Map<string, TestFileOutcome>;
  /** Error diagnostics that name no test file (configuration errors, ...). */
  readonly general: string[];
}

function formatDiagnostic(d: { severity?: string; summary?: string; detail?: string; range?: { filename?: string; start?: { line?: number } } }, run?: string): string {
  const where = d.range?.filename ? `\n  on ${d.range.filename} line ${d.range.start?.line ?? "?"}${run ? `, in run "${run}"` : ""}` : run ? `\n  in run "${run}"` : "";
  return `${d.severity === "warning" ? "Warning" : "Error"}: ${d.summary ?? ""}${where}${d.detail ? `\n\n${d.detail}` : ""}`;
}

/** Parses `terraform test -json` output; lines that are not JSON are ignored. */
export function parseTestJson(stdout: string): TestJson {
  const files = new Map<string, TestFileOutcome>();
  const general: string[] = [];
  const file = (p: string): TestFileOutcome => {
    const name = path.basename(p);
    let f = files.get(name);
    if (!f) files.set(name, (f = { runs: new Map(), diagnostics: [] }));
    return f;
  };
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    let m: {
      type?: string;
      "@testfile"?: string;
      "@testrun"?: string;
      test_run?: { path: string; run: string; progress?: string; status?: string };
      test_file?: { path: string; progress?: string; status?: string };
      test_abstract?: Record<string, string[]>;
      diagnostic?: { severity?: string; summary?: string; detail?: string; range?: { filename?: string; start?: { line?: number } } };
    };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      continue;
    }
    if (m.type === "test_abstract" && m.test_abstract) {
      for (const [p, runs] of Object.entries(m.test_abstract)) for (const r of runs) file(p).runs.set(r, "pending");
    } else if (m.type === "test_run" && m.test_run?.progress === "complete") {
      file(m.test_run.path).runs.set(m.test_run.run, m.test_run.status ?? "error");
    } else if (m.type === "test_file" && m.test_file?.progress === "complete") {
      file(m.test_file.path).status = m.test_file.status;
    } else if (m.type === "diagnostic" && m.diagnostic) {
      const text = formatDiagnostic(m.diagnostic, m["@testrun"]);
      const testFile = m["@testfile"] ?? (m.diagnostic.range?.filename?.endsWith(".tftest.hcl") ? m.diagnostic.range.filename : undefined);
      if (testFile) file(testFile).diagnostics.push(text);
      else if (m.diagnostic.severity !== "warning") general.push(text);
    }
  }
  return { files, general };
}
