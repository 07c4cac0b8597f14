import { App, TerraformElement, TerraformStack } from "cdktf";
import { fail } from "../errors";
import { InfrastructureFolder, ProtonTemplate } from "../authoring/template";
import { RESERVED_VARIABLES } from "../proton/contract";
import { moduleFiles, PassCache } from "../support/pass-cache";
import { BlockPaths, scanTemplate, TfJson, toHcl, unwrap } from "./hcl";

/** The AWS provider every bundle pins: the version @cdktf/provider-aws 20.1.0 was generated from. */
export const AWS_PROVIDER = { source: "hashicorp/aws", version: "~> 5.100.0" } as const;
/** Oldest Terraform the bundles are written for (`terraform test` with mock providers). */
export const REQUIRED_TERRAFORM = ">= 1.7.0";

/** One infrastructure folder of a bundle: the clean Terraform JSON and its HCL files. */
export interface SynthesizedFolder {
  readonly folder: InfrastructureFolder;
  /** Terraform JSON as cdktf resolved it, without cdktf metadata or local paths. */
  readonly json: TfJson;
  /** Which keys are nested blocks (from cdktf's attribute metadata). */
  readonly blocks: BlockPaths;
  /** File name (`network.tf`) to the Terraform JSON it holds. */
  readonly parts: ReadonlyMap<string, TfJson>;
  /** File name to formatted HCL. */
  readonly files: ReadonlyMap<string, string>;
}

const synthesized = new WeakMap<TerraformStack, TfJson>();

/** cdktf's module that records where each token was created. */
interface TokenStackTraces {
  captureStackTrace: (below?: unknown) => string[];
}

/**
 * Runs `work` while cdktf records no stack trace for the tokens it creates. cdktf captures a
 * full trace for every token (thousands in the catalog, a tenth of a synth's CPU) only to quote
 * it when a token cannot be resolved. `PROTONKIT_DEBUG=1` keeps them.
 */
export async function withoutTokenStackTraces<T>(work: () => Promise<T>): Promise<T> {
  let traces: TokenStackTraces | undefined;
  try {
    if (!process.env.PROTONKIT_DEBUG) traces = require("cdktf/lib/tokens/private/stack-trace") as TokenStackTraces;
  } catch {
    // another cdktf layout: keep its traces
  }
  const capture = traces?.captureStackTrace;
  if (traces) traces.captureStackTrace = () => [];
  try {
    return await work();
  } finally {
    if (traces && capture) traces.captureStackTrace = capture;
  }
}

/**
 * Runs `app.synth()` (aspects, validations, cdktf.out) and keeps each stack's Terraform JSON as
 * cdktf resolved it there, after the stack's aspects and validations: the JSON in cdktf.out.
 * {@link stackJson} hands it out afterwards, so the bundle writer and the guardrails do not
 * resolve every token of the catalog again. Nothing may change the construct tree after this.
 */
export function synthesizeApp(app: App): void {
  const stacks = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  for (const stack of stacks) {
    const own = stack.toTerraform;
    // An own property over the prototype's method, for the length of app.synth().
    stack.toTerraform = function recorded(this: TerraformStack): TfJson {
      const json = own.call(this) as TfJson;
      synthesized.set(stack, json);
      return json;
    };
  }
  try {
    app.synth();
  } finally {
    for (const stack of stacks) delete (stack as { toTerraform?: unknown }).toTerraform;
  }
}

/**
 * A stack's Terraform JSON (`stack.toTerraform()`): the one {@link synthesizeApp} kept, else
 * resolved now. Read it, never change it: it is shared.
 */
export function stackJson(stack: TerraformStack): TfJson {
  return synthesized.get(stack) ?? (stack.toTerraform() as TfJson);
}

/** HCL written before, by its Terraform JSON, block paths and the HCL writer's code. */
let rendered: PassCache | undefined;

/** Synthesizes every folder of a template. Call after `app.synth()` so aspects have run. */
export function synthesizeTemplate(template: ProtonTemplate): SynthesizedFolder[] {
  const missing = template.missingOutputs();
  if (missing.length > 0) {
    fail(`declares outputs it never sets: ${missing.join(", ")}`, {
      field: `${template.definition.name}.outputs`,
      fix: "call output(name, value) for each, or remove them from the definition",
    });
  }
  return [...template.stacks].map(([folder, stack]) => synthesizeFolder(template, folder, stack));
}

function synthesizeFolder(template: ProtonTemplate, folder: InfrastructureFolder, stack: TerraformStack): SynthesizedFolder {
  const resolved = stackJson(stack);
  const name = template.definition.name;
  const declared = Object.keys((resolved.variable as TfJson | undefined) ?? {});
  const reserved = declared.filter((v) => RESERVED_VARIABLES.includes(v));
  if (reserved.length > 0) {
    fail(`declares variable${reserved.length > 1 ? "s" : ""} ${reserved.map((v) => `"${v}"`).join(", ")}, which Proton declares itself in proton.*.variables.tf; a second declaration fails every deployment with a duplicate-variable error`, {
      field: `${name}/${folder}`,
      fix: "remove the TerraformVariable and read the value through the template API (inputs, context, environmentOutputs)",
    });
  }
  const paths = constructPaths(resolved);
  const json = stripMetadata(resolved) as TfJson;
  const dropped = droppedOperands(json, "");
  if (dropped.length > 0) {
    fail(`has expressions where cdktf dropped an operand and wrote "undefined": ${dropped.slice(0, 5).join(", ")}`, {
      field: `${name}/${folder}`,
      fix: 'cdktf renders a falsy right-hand operand of Op.* (0, "", false) and Token.nullValue() inside Fn.* as nothing; wrap it in literal() from src/authoring/refs',
    });
  }
  const undefinedText = undefinedInText(json, "");
  if (undefinedText.length > 0) {
    const at = undefinedText[0];
    const owner = paths.get(at.split(".").slice(0, 3).join("."));
    fail(`${owner ?? stack.node.path}: ${at} has the text "undefined" in it, where JavaScript read something that does not exist into a string`, {
      field: `${name}/${folder}`,
      fix: "check the names read in that string (a typo in a property, or a value read before it was set)",
    });
  }
  if (template.kind !== "service") refuseUnencodedCollections(json, stack.node.path);
  configureTerraformBlock(json, template.definition.backend ?? "s3");
  const blocks = blockPaths(stack);
  const parts = splitByFile(json, paths, stack.node.path, `${name}/${folder}`);
  rendered ??= new PassCache("hcl-render", moduleFiles(require.resolve("./hcl")));
  const blockList = JSON.stringify([...blocks].sort());
  const files = new Map([...parts].map(([file, part]) => [file, rendered!.text([JSON.stringify(part), blockList], () => toHcl(part, blocks))]));
  return { folder, json, blocks, parts, files };
}

/** Terraform functions whose result is a list, set, tuple, map or object. */
const COLLECTION_FUNCTIONS = new Set([
  "chunklist", "coalescelist", "compact", "concat", "distinct", "flatten", "formatlist", "keys", "matchkeys", "merge", "range", "regexall",
  "reverse", "setintersection", "setproduct", "setsubtract", "setunion", "slice", "sort", "split", "tolist", "tomap", "toset", "transpose",
  "values", "zipmap", "cidrsubnets", "fileset",
]);

/**
 * Environment and component outputs are strings in Proton. A list or map built by a Terraform
 * function (`Fn.concat`) reaches the output as a string token, so the authoring API cannot see
 * its type; the resolved expression shows it.
 */
function refuseUnencodedCollections(json: TfJson, stackPath: string): void {
  for (const [name, body] of Object.entries((json.output as Record<string, TfJson> | undefined) ?? {})) {
    const value = body.value;
    const inner = typeof value === "string" ? unwrap(value) : undefined;
    if (Array.isArray(value) || (value !== null && typeof value === "object") || (inner !== undefined && isCollectionExpression(inner))) {
      fail(`${stackPath}/output-${name}: output "${name}" is a list or map (${typeof value === "string" ? value.slice(0, 80) : "a literal"}), but Proton stores outputs as strings`, {
        field: `outputs.${name}`,
        fix: 'pass { encode: "json" } (or { encode: "csv" } for a list of strings) to output()',
      });
    }
  }
}

/** Whether a Terraform expression evidently yields a collection: a literal, a for-expression, a splat or a collection function. */
export function isCollectionExpression(expression: string): boolean {
  let e = expression.trim();
  const tostring = /^tostring\((.*)\)$/s.exec(e);
  if (tostring) e = tostring[1].trim();
  if (e.startsWith("[") || e.startsWith("{")) return true;
  if (/^[A-Za-z_][\w.]*\[\*\]/.test(e) || /^[A-Za-z_][\w]*\.[\w.]*\.\*(\.|$)/.test(e)) return true;
  const call = /^([a-z_]+)\(/.exec(e);
  return call !== null && COLLECTION_FUNCTIONS.has(call[1]) && e.endsWith(")") && closesAtEnd(e, call[0].length - 1);
}

/** Whether the parenthesis opened at `open` closes at the last character (so the whole expression is the call). */
function closesAtEnd(e: string, open: number): boolean {
  let depth = 0;
  for (let i = open; i < e.length; i++) {
    const c = e[i];
    if (c === '"') {
      i++;
      while (i < e.length && e[i] !== '"') i += e[i] === "\\" ? 2 : 1;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return i === e.length - 1;
    }
  }
  return false;
}

/** Replaces cdktf's local backend (an absolute path) and pins Terraform and the AWS provider. */
function configureTerraformBlock(json: TfJson, backend: "s3" | "none"): void {
  const tf = (json.terraform as TfJson | undefined) ?? {};
  delete tf.backend;
  const providers = (tf.required_providers as Record<string, TfJson> | undefined) ?? {};
  if (providers.aws) providers.aws = { ...AWS_PROVIDER };
  json.terraform = {
    required_version: REQUIRED_TERRAFORM,
    required_providers: providers,
    ...(backend === "s3" ? { backend: { s3: {} } } : {}),
  };
}

/** Construct path of every resource and data source, keyed `resource.<type>.<name>`. */
function constructPaths(json: TfJson): Map<string, string> {
  const paths = new Map<string, string>();
  for (const kind of ["resource", "data"]) {
    for (const [type, byName] of Object.entries((json[kind] as Record<string, TfJson> | undefined) ?? {})) {
      for (const [n, body] of Object.entries(byName)) {
        const meta = (body as { "//"?: { metadata?: { path?: string } } })["//"];
        if (meta?.metadata?.path) paths.set(`${kind}.${type}.${n}`, meta.metadata.path);
      }
    }
  }
  return paths;
}

/** JSON paths of expressions that contain a bare `undefined` (never valid Terraform). */
function droppedOperands(v: unknown, at: string): string[] {
  if (typeof v === "string") {
    const bad = scanTemplate(v).some((p) => p.kind !== "literal" && /(^|[^\w".])undefined([^\w"]|$)/.test(p.text));
    return bad ? [at] : [];
  }
  if (Array.isArray(v)) return v.flatMap((x, i) => droppedOperands(x, `${at}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => droppedOperands(x, at ? `${at}.${k}` : k));
  return [];
}

/** JSON paths of strings whose literal text has "undefined" as a word of a name or path (`/protonkit/undefined/x`). */
function undefinedInText(v: unknown, at: string): string[] {
  if (typeof v === "string") {
    return scanTemplate(v).some((p) => p.kind === "literal" && /(^|[/:_.,=\s-])undefined($|[/:_.,=\s-])/.test(p.text)) ? [at] : [];
  }
  if (Array.isArray(v)) return v.flatMap((x, i) => undefinedInText(x, `${at}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => undefinedInText(x, at ? `${at}.${k}` : k));
  return [];
}

function stripMetadata(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripMetadata);
  if (v && typeof v === "object") {
    const out: TfJson = {};
    for (const [k, x] of Object.entries(v)) if (k !== "//") out[k] = stripMetadata(x);
    return out;
  }
  return v;
}

/**
 * Splits a folder into files by concern: providers and versions, outputs, and one file per
 * top-level construct of the stack (`network/vpc` goes to `network.tf`); resources created
 * directly in the stack go to `main.tf`.
 */
function splitByFile(json: TfJson, paths: Map<string, string>, stackPath: string, where: string): Map<string, TfJson> {
  const files = new Map<string, TfJson>();
  const put = (file: string, kind: string, keys: string[], value: unknown) => {
    const doc = files.get(file) ?? {};
    files.set(file, doc);
    let node = doc;
    const path = [kind, ...keys];
    for (const k of path.slice(0, -1)) node = (node[k] as TfJson | undefined) ?? (node[k] = {});
    node[path[path.length - 1]] = value;
  };
  for (const [kind, section] of Object.entries(json)) {
    if (kind === "terraform" || kind === "provider") put("providers.tf", kind, [], section);
    else if (kind === "output") put("outputs.tf", kind, [], section);
    else if (kind === "variable") put("variables.tf", kind, [], section);
    else if (kind === "locals") put("main.tf", kind, [], section);
    else if (kind === "resource" || kind === "data") {
      for (const [type, byName] of Object.entries(section as Record<string, TfJson>))
        for (const [n, body] of Object.entries(byName)) put(fileFor(paths.get(`${kind}.${type}.${n}`), stackPath), kind, [type, n], body);
    } else {
      fail(`uses Terraform "${kind}" blocks, which protonkit bundles do not support yet`, { field: where, fix: "use resources and data sources" });
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function fileFor(constructPath: string | undefined, stackPath: string): string {
  if (!constructPath || !constructPath.startsWith(`${stackPath}/`)) return "main.tf";
  const rest = constructPath.slice(stackPath.length + 1).split("/");
  if (rest.length < 2) return "main.tf";
  const base = rest[0].replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toLowerCase().replace(/^_+|_+$/g, "");
  return `${base || "main"}.tf`;
}

interface AttributeMeta {
  value?: unknown;
  isBlock?: boolean;
  is_block?: boolean;
}

/** Collects `resource.<type>.<key>...` paths that cdktf's HCL metadata marks as blocks. */
function blockPaths(stack: TerraformStack): Set<string> {
  const paths = new Set<string>();
  const isMeta = (n: unknown): n is AttributeMeta =>
    !!n && typeof n === "object" && !Array.isArray(n) && "value" in n && ("isBlock" in n || "is_block" in n);
  const walk = (attrs: unknown, path: string) => {
    if (!attrs || typeof attrs !== "object" || Array.isArray(attrs)) return;
    for (const [key, node] of Object.entries(attrs)) {
      if (!isMeta(node)) continue;
      if (!(node.isBlock || node.is_block)) continue;
      paths.add(`${path}.${key}`);
      for (const item of Array.isArray(node.value) ? node.value : [node.value]) walk(item, `${path}.${key}`);
    }
  };
  for (const el of stack.node.findAll()) {
    if (!(el instanceof TerraformElement)) continue;
    const hcl = (el as unknown as { toHclTerraform?: () => TfJson }).toHclTerraform?.();
    if (!hcl) continue;
    for (const kind of ["resource", "data"]) {
      for (const [type, byName] of Object.entries((hcl[kind] as Record<string, TfJson> | undefined) ?? {}))
        for (const attrs of Object.values(byName)) walk(attrs, `${kind}.${type}`);
    }
    for (const [name, configs] of Object.entries((hcl.provider as Record<string, unknown[]> | undefined) ?? {}))
      for (const attrs of configs) walk(attrs, `provider.${name}`);
  }
  return paths;
}
