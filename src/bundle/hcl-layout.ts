import { closingQuote, spaceBraces } from "./hcl";

/**
 * Lays out a long Terraform expression over several lines, as people write it: object
 * literals one key per line with their `=` aligned, lists and function arguments one item per
 * line with a trailing comma, a function's only argument hugging its parentheses
 * (`jsonencode({` ... `})`). Indentation and alignment follow `terraform fmt`: one level per
 * line that leaves brackets open, whatever their number. Parts that fit stay on one line.
 */

/** A line that fits in this many characters stays on one line. */
export const LINE_WIDTH = 100;
/** Groups shorter than this stay on one line even when the line is long. */
const MIN_BROKEN = 50;

/** Text between brackets, or a bracketed group with its comma-separated items. */
type Piece = { readonly text: string } | Group;

interface Group {
  readonly open: "(" | "[" | "{";
  readonly close: ")" | "]" | "}";
  /** Items as written (trimmed); one item for a for-expression. */
  readonly items: readonly string[];
  /** `(` after a name: a function's arguments; `[` after a value: an index, not a list. */
  readonly role: "call" | "list" | "object" | "other";
  readonly source: string;
}

/**
 * `expression` (written flat, as cdktf resolves it) as lines: the first follows `key = `
 * (`lead` characters into the line), the rest carry their own indentation. `indent` is the
 * indentation level of the line the expression starts on.
 */
export function layoutExpression(expression: string, indent: number, lead: number): string[] {
  const flat = spaceBraces(expression);
  if (lead + flat.length <= LINE_WIDTH || flat.includes("\n")) return [flat];
  return layoutPieces(pieces(expression), indent, lead);
}

function layoutPieces(list: readonly Piece[], indent: number, lead: number): string[] {
  const lines: string[] = [""];
  const column = () => (lines.length === 1 ? lead : 0) + lines[lines.length - 1].length;
  list.forEach((p, i) => {
    const flat = spaceBraces("text" in p ? p.text : p.source);
    // Only a long group that ends its expression breaks: `x ? max(a, b) : y` stays as it is.
    const tail = list.slice(i + 1).every((q) => "text" in q && /^[\s)\]}.,]*$/.test(q.text));
    if ("text" in p || column() + flat.length <= LINE_WIDTH || flat.length < MIN_BROKEN || !tail || !breakable(p)) {
      lines[lines.length - 1] += flat;
      return;
    }
    const broken = layoutGroup(p, indent, column());
    lines[lines.length - 1] += broken[0];
    lines.push(...broken.slice(1));
  });
  return lines;
}

function breakable(g: Group): boolean {
  if (g.items.length === 0) return false;
  if (/^for\s/.test(g.items[0])) return forHead(g.items[0]) !== -1;
  return g.role === "object" || g.role === "list" || g.role === "call";
}

/** Index of the `:` ending a for-expression's `for ... in ...` head, or -1. */
function forHead(item: string): number {
  return topLevelIndex(item, (i) => item[i] === ":");
}

function layoutGroup(g: Group, indent: number, column: number): string[] {
  if (/^for\s/.test(g.items[0])) {
    // [for x in xs : body] as [ / for x in xs : body / ], the body laid out in turn.
    const item = g.items[0];
    const colon = forHead(item);
    const head = `${"  ".repeat(indent + 1)}${spaceBraces(item.slice(0, colon).trim())} : `;
    const rest = item.slice(colon + 1).trim();
    // In {for ... : key => value}, the key is laid out as if it ended the expression.
    const arrow = topLevel(rest, "=>");
    const body = layoutPieces(pieces(arrow === -1 ? rest : rest.slice(0, arrow).trim()), indent + 1, head.length);
    if (arrow !== -1) body[body.length - 1] += ` => ${spaceBraces(rest.slice(arrow + 2).trim())}`;
    return [g.open, head + body[0], ...body.slice(1), `${"  ".repeat(indent)}${g.close}`];
  }
  if (g.role === "call" && g.items.length === 1) {
    // The only argument hugs the parentheses: jsonencode({ ... }).
    const inner = layoutPieces(pieces(g.items[0]), indent, column + 1);
    inner[0] = `(${inner[0]}`;
    inner[inner.length - 1] += ")";
    return inner;
  }
  const pad = "  ".repeat(indent + 1);
  const body: string[] = [];
  if (g.role === "object") {
    body.push(...objectItems(g.items, indent + 1));
  } else {
    for (const item of g.items) {
      const lines = layoutPieces(pieces(item), indent + 1, pad.length);
      body.push(pad + lines[0], ...lines.slice(1));
      body[body.length - 1] += ",";
    }
  }
  return [g.open, ...body, `${"  ".repeat(indent)}${g.close}`];
}

/** Object items one per line; consecutive one-line items align their `=` as `terraform fmt` does. */
function objectItems(items: readonly string[], indent: number): string[] {
  const pad = "  ".repeat(indent);
  const out: string[] = [];
  let group: [string, string][] = [];
  const flush = () => {
    const width = Math.max(0, ...group.map(([k]) => k.length));
    for (const [k, v] of group) out.push(`${pad}${k.padEnd(width)} = ${v}`);
    group = [];
  };
  for (const item of items) {
    const at = assignment(item);
    if (at === -1) {
      flush();
      out.push(pad + spaceBraces(item));
      continue;
    }
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    const lines = layoutPieces(pieces(value), indent, pad.length + key.length + 3);
    if (lines.length === 1) {
      group.push([key, lines[0]]);
    } else {
      flush();
      out.push(`${pad}${key} = ${lines[0]}`, ...lines.slice(1));
    }
  }
  flush();
  return out;
}

/** Index of `token` at the top level of `e` (outside brackets and strings), or -1. */
function topLevel(e: string, token: string): number {
  return topLevelIndex(e, (i) => e.startsWith(token, i));
}

/** The first index at the top level of `e` (outside brackets and strings) where `at` holds, or -1. */
function topLevelIndex(e: string, at: (i: number) => boolean): number {
  let depth = 0;
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (c === '"') {
      i = closingQuote(e, i + 1);
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && at(i)) return i;
  }
  return -1;
}

/** Index of an object item's `=` (not `==`, `!=`, `<=`, `>=`, `=>`) at the top level, or -1. */
function assignment(item: string): number {
  return topLevelIndex(item, (i) => item[i] === "=" && !"=!<>".includes(item[i - 1] ?? "") && !"=>".includes(item[i + 1] ?? ""));
}

/** Splits an expression into text and top-level bracketed groups. */
function pieces(e: string): Piece[] {
  const out: Piece[] = [];
  let text = "";
  let i = 0;
  while (i < e.length) {
    const c = e[i];
    if (c === '"') {
      const end = closingQuote(e, i + 1);
      text += e.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") {
      const end = matching(e, i);
      const before = text.trimEnd();
      const last = before[before.length - 1] ?? "";
      const role = c === "{" ? "object" : c === "(" ? (/[A-Za-z0-9_]/.test(last) ? "call" : "other") : /[A-Za-z0-9_)\]}.*"]/.test(last) ? "other" : "list";
      if (text) out.push({ text });
      text = "";
      out.push({ open: c, close: c === "(" ? ")" : c === "[" ? "]" : "}", items: splitItems(e.slice(i + 1, end)), role, source: e.slice(i, end + 1) });
      i = end + 1;
      continue;
    }
    text += c;
    i++;
  }
  if (text) out.push({ text });
  return out;
}

/** Index of the bracket closing the one at `open`. */
function matching(e: string, open: number): number {
  let depth = 0;
  for (let i = open; i < e.length; i++) {
    const c = e[i];
    if (c === '"') {
      i = closingQuote(e, i + 1);
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c) && --depth === 0) return i;
  }
  throw new Error(`HCL writer: unbalanced brackets in ${JSON.stringify(e)}`);
}

/** Top-level comma-separated items (a for-expression is one item), trimmed, without a trailing empty one. */
function splitItems(inner: string): string[] {
  if (/^\s*for\s/.test(inner)) return [inner.trim()];
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '"') {
      i = closingQuote(inner, i + 1);
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      items.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = inner.slice(start).trim();
  if (last) items.push(last);
  return items;
}
