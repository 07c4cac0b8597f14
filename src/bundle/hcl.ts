/**
 * Terraform JSON to HCL, formatted as `terraform fmt` leaves it. cdktf's own HCL output is
 * neither formatted nor reliable, so we write HCL from the resolved JSON (the truth) and use
 * cdktf's per-attribute metadata only to know which keys are nested blocks. `hcl-check.ts`
 * parses the result back and proves it means the same as the JSON.
 */

import { layoutExpression } from "./hcl-layout";

/** A Terraform JSON document (one file's worth). */
export type TfJson = Record<string, unknown>;

/** Which keys are nested blocks, as `resource.<type>.<key>[.<key>...]` paths. */
export type BlockPaths = ReadonlySet<string>;

const TOP_LEVEL_ORDER = ["terraform", "provider", "variable", "locals", "data", "resource", "module", "output"];
const ALWAYS_BLOCKS = new Set(["lifecycle", "provisioner", "connection", "precondition", "postcondition", "dynamic", "content", "validation"]);
const META_FIRST = ["count", "for_each", "provider", "depends_on"];
/** Meta-arguments whose strings are bare references, not templates. */
const REFERENCE_LISTS = new Set(["depends_on", "ignore_changes", "replace_triggered_by"]);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Renders a Terraform JSON document as formatted HCL. */
export function toHcl(doc: TfJson, blocks: BlockPaths): string {
  const out: string[][] = [];
  const keys = Object.keys(doc).filter((k) => k !== "//");
  for (const k of keys) if (!TOP_LEVEL_ORDER.includes(k)) throw new Error(`HCL writer: unsupported top-level key "${k}"`);
  for (const kind of TOP_LEVEL_ORDER) {
    const section = doc[kind];
    if (section === undefined) continue;
    switch (kind) {
      case "terraform":
        out.push(block("terraform", [], section as TfJson, "terraform", 0, blocks));
        break;
      case "locals":
        out.push(block("locals", [], section as TfJson, "locals", 0, blocks));
        break;
      case "provider":
        for (const [name, configs] of sortedEntries(section as TfJson))
          for (const config of asList(configs)) out.push(block("provider", [name], config as TfJson, `provider.${name}`, 0, blocks));
        break;
      case "resource":
      case "data":
        for (const [type, byName] of sortedEntries(section as TfJson))
          for (const [name, body] of sortedEntries(byName as TfJson)) out.push(block(kind, [type, name], body as TfJson, `${kind}.${type}`, 0, blocks));
        break;
      default:
        for (const [name, body] of sortedEntries(section as TfJson)) out.push(block(kind, [name], body as TfJson, `${kind}.${name}`, 0, blocks));
    }
  }
  return out.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}

function block(type: string, labels: string[], body: TfJson, path: string, indent: number, blocks: BlockPaths): string[] {
  const head = [type, ...labels.map((l) => quote(l))].join(" ");
  const inner = renderBody(body, path, indent + 1, blocks, type);
  if (inner.length === 0) return [`${pad(indent)}${head} {}`];
  return [`${pad(indent)}${head} {`, ...inner, `${pad(indent)}}`];
}

function renderBody(body: TfJson, path: string, indent: number, blocks: BlockPaths, blockType: string): string[] {
  const attrs: [string, unknown][] = [];
  const nested: [string, unknown][] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === "//") continue;
    if (isBlock(path, key, blocks, blockType)) nested.push([key, value]);
    else if (value !== null || blockType === "locals") attrs.push([key, value]);
  }
  attrs.sort(([a], [b]) => rank(a) - rank(b) || compare(a, b));
  const lines = attributeLines(
    attrs.map(([k, v]) => [k, isBareReference(k, blockType) ? raw(v) : value(v, indent, indent * 2 + objectKey(k).length + 3)]),
    indent,
  );
  nested.sort(([a], [b]) => (a === "lifecycle" ? 1 : 0) - (b === "lifecycle" ? 1 : 0) || compare(a, b));
  for (const [key, v] of nested) {
    if (lines.length > 0) lines.push("");
    if (key === "dynamic") {
      for (const [label, dyn] of sortedEntries(v as TfJson)) lines.push(...block("dynamic", [label], dyn as TfJson, `${path}.${label}`, indent, blocks));
    } else if (key === "backend" || key === "provisioner") {
      for (const [label, b] of sortedEntries(v as TfJson)) for (const one of asList(b)) lines.push(...block(key, [label], one as TfJson, `${path}.${key}`, indent, blocks));
    } else {
      const items = asList(v);
      items.forEach((one, i) => {
        if (i > 0) lines.push("");
        lines.push(...block(key, [], one as TfJson, `${path}.${key}`, indent, blocks));
      });
    }
  }
  return lines;
}

/** Whether `key` inside a block of type `blockType` (at `path`) is a nested block, not an attribute. */
export function isBlock(path: string, key: string, blocks: BlockPaths, blockType: string): boolean {
  if (blockType === "terraform") return key === "required_providers" || key === "backend" || key === "cloud";
  if (blockType === "locals" || blockType === "output" || blockType === "variable") return ALWAYS_BLOCKS.has(key);
  return ALWAYS_BLOCKS.has(key) || blocks.has(`${path}.${key}`);
}

/**
 * Whether an attribute's strings are bare references rather than templates: meta-argument
 * references (`depends_on`, `provider`, `ignore_changes`), a variable's `type`, a dynamic
 * block's `iterator`.
 */
export function isBareReference(key: string, blockType: string): boolean {
  return REFERENCE_LISTS.has(key) || (key === "provider" && blockType !== "terraform") || (key === "type" && blockType === "variable") || (key === "iterator" && blockType === "dynamic");
}

function rank(key: string): number {
  const i = META_FIRST.indexOf(key);
  return i === -1 ? META_FIRST.length : i;
}

/** A rendered value: one line, or several (the first line follows `key = `). */
interface Rendered {
  readonly lines: string[];
}

/** Lays out attributes; consecutive one-line attributes align their `=` as `terraform fmt` does. */
function attributeLines(attrs: [string, Rendered][], indent: number): string[] {
  const lines: string[] = [];
  let group: [string, string][] = [];
  const flush = () => {
    const width = Math.max(0, ...group.map(([k]) => k.length));
    for (const [k, v] of group) lines.push(`${pad(indent)}${k.padEnd(width)} = ${v}`);
    group = [];
  };
  for (const [key, v] of attrs) {
    const k = objectKey(key);
    if (v.lines.length === 1) {
      group.push([k, v.lines[0]]);
    } else {
      flush();
      lines.push(`${pad(indent)}${k} = ${v.lines[0]}`, ...v.lines.slice(1));
    }
  }
  flush();
  return lines;
}

/** `lead`: characters before the value on its first line (indentation, key and ` = `). */
function value(v: unknown, indent: number, lead: number): Rendered {
  if (v === null) return { lines: ["null"] };
  if (typeof v === "boolean" || typeof v === "number") return { lines: [String(v)] };
  if (typeof v === "string") {
    const bare = unwrap(v);
    return { lines: bare !== undefined && !bare.includes("\n") ? layoutExpression(bare, indent, lead) : [stringExpression(v)] };
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return { lines: ["[]"] };
    const items = v.map((x) => value(x, indent + 1, (indent + 1) * 2));
    const inline = items.every((i) => i.lines.length === 1) && !v.some((x) => typeof x === "object" && x !== null);
    const oneLine = `[${items.map((i) => i.lines[0]).join(", ")}]`;
    if (inline && oneLine.length + indent * 2 <= 100) return { lines: [oneLine] };
    const lines = ["["];
    for (const item of items) {
      lines.push(`${pad(indent + 1)}${item.lines[0]}`, ...item.lines.slice(1));
      lines[lines.length - 1] += ",";
    }
    lines.push(`${pad(indent)}]`);
    return { lines };
  }
  if (typeof v === "object") {
    const entries = Object.entries(v as TfJson);
    if (entries.length === 0) return { lines: ["{}"] };
    const body = attributeLines(
      entries.map(([k, x]) => [k, value(x, indent + 1, (indent + 1) * 2 + objectKey(k).length + 3)]),
      indent + 1,
    );
    return { lines: ["{", ...body, `${pad(indent)}}`] };
  }
  throw new Error(`HCL writer: cannot render ${typeof v}`);
}

/** Meta-argument references (`depends_on = [aws_vpc.main]`, a dynamic block's `iterator = each`) are written bare. */
function raw(v: unknown): Rendered {
  if (typeof v === "string") return { lines: [unwrap(v) ?? v] };
  if (Array.isArray(v)) return { lines: [`[${v.map((x) => (typeof x === "string" ? unwrap(x) ?? x : String(x))).join(", ")}]`] };
  throw new Error(`HCL writer: expected a reference, found ${JSON.stringify(v)}`);
}

/** A template part: literal text, an interpolation `${...}` or a directive `%{...}`. */
export interface TemplatePart {
  readonly kind: "literal" | "interpolation" | "directive";
  /** Literal text with template escapes (`$${`, `%%{`) kept, or the inner expression. */
  readonly text: string;
}

/** Splits a Terraform template string into literal text and interpolations. */
export function scanTemplate(s: string): TemplatePart[] {
  // Most strings hold no template sequence at all.
  if (!s.includes("{")) return s ? [{ kind: "literal", text: s }] : [];
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < s.length) {
    if ((s.startsWith("$${", i) || s.startsWith("%%{", i))) {
      literal += s.slice(i, i + 3);
      i += 3;
      continue;
    }
    if (s.startsWith("${", i) || s.startsWith("%{", i)) {
      const end = closingBrace(s, i + 2);
      if (literal) parts.push({ kind: "literal", text: literal });
      literal = "";
      parts.push({ kind: s[i] === "$" ? "interpolation" : "directive", text: s.slice(i + 2, end) });
      i = end + 1;
      continue;
    }
    literal += s[i];
    i++;
  }
  if (literal) parts.push({ kind: "literal", text: literal });
  return parts;
}

/** Index of the `}` closing an interpolation that starts at `start`, skipping nested braces and strings. */
function closingBrace(s: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = closingQuote(s, i + 1) + 1;
      continue;
    }
    if (c === "{" || c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
    i++;
  }
  throw new Error(`HCL writer: unterminated interpolation in ${JSON.stringify(s)}`);
}

/** Index of the `"` closing a string literal whose content starts at `start`, skipping escapes and interpolations. */
export function closingQuote(s: string, start: number): number {
  let i = start;
  while (i < s.length) {
    if (s[i] === "\\") {
      i += 2;
      continue;
    }
    if (s.startsWith("${", i) || s.startsWith("%{", i)) {
      i = closingBrace(s, i + 2) + 1;
      continue;
    }
    if (s[i] === '"') return i;
    i++;
  }
  throw new Error(`HCL writer: unterminated string in ${JSON.stringify(s)}`);
}

/** The inner expression when the whole string is one interpolation, else undefined. */
export function unwrap(s: string): string | undefined {
  if (!s.startsWith("${")) return undefined;
  const parts = scanTemplate(s);
  return parts.length === 1 && parts[0].kind === "interpolation" ? parts[0].text.trim() : undefined;
}

/** A JSON template string as an HCL expression: bare when it is one interpolation, else quoted. */
function stringExpression(s: string): string {
  const bare = unwrap(s);
  if (bare !== undefined && !bare.includes("\n")) return spaceBraces(bare);
  return `"${scanTemplate(s)
    .map((p) => (p.kind === "literal" ? escape(p.text) : `${p.kind === "interpolation" ? "$" : "%"}{${spaceBraces(p.text)}}`))
    .join("")}"`;
}

/**
 * `terraform fmt` puts one space inside the braces of a one-line object constructor
 * (`{ "a" = 1 }`); cdktf writes `{"a" = 1}`. String literals inside the expression are
 * copied untouched, except their interpolations, which are expressions again.
 */
export function spaceBraces(expression: string): string {
  if (!expression.includes("{") && !expression.includes("}")) return expression;
  let out = "";
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (c === '"') {
      const end = closingQuote(expression, i + 1);
      const literal = expression.slice(i + 1, end);
      out += `"${scanTemplate(literal)
        .map((p) => (p.kind === "literal" ? p.text : `${p.kind === "interpolation" ? "$" : "%"}{${spaceBraces(p.text)}}`))
        .join("")}"`;
      i = end + 1;
      continue;
    }
    if (c === "{") {
      out += "{";
      const next = expression[i + 1];
      if (next !== undefined && next !== "}" && next !== " " && next !== "\n") out += " ";
      i++;
      continue;
    }
    if (c === "}") {
      const prev = out[out.length - 1];
      if (prev !== undefined && prev !== "{" && prev !== " " && prev !== "\n") out += " ";
      out += "}";
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[\\"\n\r\t\u0000-\u001f]/g, (c) => {
    switch (c) {
      case "\\":
        return "\\\\";
      case '"':
        return '\\"';
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
}

function quote(s: string): string {
  return `"${escape(s)}"`;
}

/** Object keys stay bare when they are identifiers, else quoted (`"proton:account"`). */
function objectKey(k: string): string {
  return IDENTIFIER.test(k) ? k : quote(k);
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function sortedEntries(o: TfJson): [string, unknown][] {
  return Object.entries(o)
    .filter(([k]) => k !== "//")
    .sort(([a], [b]) => compare(a, b));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pad(indent: number): string {
  return "  ".repeat(indent);
}
