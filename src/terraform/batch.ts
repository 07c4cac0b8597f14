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

/** One `run` block of a test file, as {@link forLaterSpecs} reads it. */
export interface TestRun {
  readonly name: string;
  /** `plan` or `apply` (the default). */
  readonly command: string;
  /** The state the run uses: its `state_key`, else its `module` source, else the main configuration (`""`). */
  readonly stateKey: string;
  /** True when the run has its own `variables` block. */
  readonly ownVariables: boolean;
  /** True when the run executes another module (`module { source = ... }`). */
  readonly module: boolean;
  /** Names of earlier runs it reads (`run.<name>`). */
  readonly reads: readonly string[];
  readonly start: number;
  readonly end: number;
}

const unquote = (e: string | undefined): string | undefined => e?.trim().replace(/^"|"$/g, "");

/** The `run` blocks of a test file, in order. */
export function testRuns(text: string): TestRun[] {
  return scanHcl(text)
    .blocks.filter((b) => b.type === "run" && b.labels[0])
    .map((b) => {
      const body = scanHcl(b.body);
      const attr = (n: string): string | undefined => unquote(body.attributes.find((a) => a.name === n)?.expression);
      const mod = body.blocks.find((x) => x.type === "module");
      const source = mod ? unquote(scanHcl(mod.body).attributes.find((a) => a.name === "source")?.expression) : undefined;
      const { start, end } = blockSpan(text, b);
      return {
        name: b.labels[0] as string,
        command: attr("command") ?? "apply",
        stateKey: attr("state_key") ?? (mod ? `module:${source ?? ""}` : ""),
        ownVariables: body.blocks.some((x) => x.type === "variables"),
        module: mod !== undefined,
        reads: [...new Set([...b.body.matchAll(/\brun\.([A-Za-z_][A-Za-z0-9_-]*)/g)].map((m) => m[1] as string))],
        start,
        end,
      };
    });
}

/**
 * A template test file as it runs for every example spec after the first. Runs come in two
 * sorts: a run without `variables` of its own that takes a variable from the spec checks the
 * spec, and runs for every spec; a run that sets its own `variables` (or takes nothing from the
 * spec, the file's variables setting them all) is a scenario the file sets up, and runs once per
 * template version and kind, in the first spec's copy of the file. Here the scenario runs are
 * left out, unless a run that stays needs them: it reads their outputs (`run.<name>`), or it
 * uses the state an `apply` scenario leaves (same `state_key`, or both on the main
 * configuration). So every run that stays sees exactly the state and inputs it saw in the whole
 * file. Left-out runs are blanked in place, so line numbers in messages still match the source.
 * Returns undefined when no run stays.
 */
export function forLaterSpecs(text: string, declared: readonly string[]): { text: string; left: string[] } | undefined {
  const fileVars = fileVariables(text)?.names ?? new Set<string>();
  const takesSpec = declared.some((v) => !fileVars.has(v));
  const runs = testRuns(text);
  const keep = new Set<TestRun>();
  const needsState = new Set<string>();
  const read = new Set<string>();
  for (const r of [...runs].reverse()) {
    const specCheck = !r.ownVariables && takesSpec;
    if (!(specCheck || r.module || read.has(r.name) || (r.command !== "plan" && needsState.has(r.stateKey)))) continue;
    keep.add(r);
    needsState.add(r.stateKey);
    for (const n of r.reads) read.add(n);
  }
  if (keep.size === 0) return undefined;
  const left = runs.filter((r) => !keep.has(r));
  // Blank from the end, so earlier spans keep their offsets.
  const out = [...left].reverse().reduce((acc, r) => blankSpan(acc, r), text);
  return { text: out, left: left.map((r) => r.name) };
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
