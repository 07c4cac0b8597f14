/**
 * A small, dependency-free scanner for Terraform native syntax (`.tf`, `.tftest.hcl`). It does
 * not evaluate anything: it finds blocks (type, labels, body) and attributes (name, expression
 * text) at one nesting level, skipping strings with interpolations, heredocs and comments
 * correctly. That is all the template test runner needs to list outputs, provider
 * configurations and mock providers without a full HCL parser.
 */

/** One block found at the scanned level, e.g. `provider "aws" { ... }`. */
export interface HclBlock {
  /** Block type, e.g. `provider`, `output`, `default_tags`. */
  readonly type: string;
  /** Labels, unquoted, e.g. `["aws"]`. */
  readonly labels: readonly string[];
  /** The text between the braces. Scan it again with {@link scanHcl} for nested items. */
  readonly body: string;
  /** 1-based line of the block header in the scanned text. */
  readonly line: number;
}

/** One attribute found at the scanned level, e.g. `tags = var.proton_tags`. */
export interface HclAttribute {
  readonly name: string;
  /** The expression exactly as written, trimmed. */
  readonly expression: string;
  /** 1-based line of the attribute in the scanned text. */
  readonly line: number;
}

/** Blocks and attributes of one body (or a whole file), in source order. */
export interface HclBody {
  readonly blocks: readonly HclBlock[];
  readonly attributes: readonly HclAttribute[];
}

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;

/** Scans one level of `text`: a whole file, or the body of a block. Malformed input ends the scan early. */
export function scanHcl(text: string): HclBody {
  const blocks: HclBlock[] = [];
  const attributes: HclAttribute[] = [];
  let i = 0;
  const n = text.length;
  const lineAt = (pos: number): number => {
    let line = 1;
    for (let k = 0; k < pos && k < n; k++) if (text.charCodeAt(k) === 10) line++;
    return line;
  };
  while (i < n) {
    i = skipSpaceAndComments(text, i, true);
    if (i >= n) break;
    IDENT.lastIndex = i;
    const m = IDENT.exec(text);
    if (!m) {
      // Not an item start (malformed or unsupported): skip to the next line.
      const nl = text.indexOf("\n", i);
      if (nl < 0) break;
      i = nl + 1;
      continue;
    }
    const start = i;
    const name = m[0];
    i = skipSpaceAndComments(text, IDENT.lastIndex, false);
    if (text[i] === "=" && text[i + 1] !== "=") {
      const exprStart = i + 1;
      const end = skipExpression(text, exprStart, "\n");
      attributes.push({ name, expression: text.slice(exprStart, end).trim(), line: lineAt(start) });
      const nl = text.indexOf("\n", end);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    const labels: string[] = [];
    let ok = true;
    while (i < n && text[i] !== "{") {
      if (text[i] === '"') {
        const end = skipString(text, i);
        labels.push(unquote(text.slice(i, end)));
        i = end;
      } else {
        IDENT.lastIndex = i;
        const l = IDENT.exec(text);
        if (!l) {
          ok = false;
          break;
        }
        labels.push(l[0]);
        i = IDENT.lastIndex;
      }
      i = skipSpaceAndComments(text, i, false);
    }
    if (!ok || i >= n) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) break;
      i = nl + 1;
      continue;
    }
    const close = skipExpression(text, i + 1, "}");
    blocks.push({ type: name, labels, body: text.slice(i + 1, close), line: lineAt(start) });
    i = close + 1;
  }
  return { blocks, attributes };
}

/** Skips blanks (and newlines when `newlines`) and comments from `i`. */
function skipSpaceAndComments(text: string, i: number, newlines: boolean): number {
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) {
      i++;
    } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) return n;
      i = newlines ? nl + 1 : nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else {
      break;
    }
  }
  return i;
}

/** `i` at an opening quote; returns the index just after the closing quote. */
function skipString(text: string, i: number): number {
  const n = text.length;
  i++;
  while (i < n) {
    const c = text[i];
    if (c === "\\") {
      i += 2;
    } else if (c === '"') {
      return i + 1;
    } else if ((c === "$" || c === "%") && text[i + 1] === "{") {
      if (text[i - 1] === c && text[i - 2] !== c) {
        // `$${` / `%%{` is an escaped literal.
        i += 2;
      } else {
        i = skipExpression(text, i + 2, "}") + 1;
      }
    } else if (c === "\n") {
      return i; // unterminated: stop at the line end
    } else {
      i++;
    }
  }
  return n;
}

/** `i` at `<<`; returns the index after the heredoc's closing marker line, or `i + 2` when it is not a heredoc. */
function skipHeredoc(text: string, i: number): number {
  const m = /<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/y;
  m.lastIndex = i;
  const h = m.exec(text);
  if (!h) return i + 2;
  const marker = h[1];
  let pos = m.lastIndex;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const line = text.slice(pos, nl < 0 ? text.length : nl);
    if (line.trim() === marker) return nl < 0 ? text.length : nl;
    if (nl < 0) return text.length;
    pos = nl + 1;
  }
  return text.length;
}

/**
 * Scans an expression or body from `i` until `stop` appears outside any bracket, string,
 * heredoc or comment; returns its index (or the text length).
 */
function skipExpression(text: string, i: number, stop: "\n" | "}"): number {
  const n = text.length;
  let depth = 0;
  while (i < n) {
    const c = text[i];
    if (depth === 0 && c === stop) return i;
    if (c === '"') {
      i = skipString(text, i);
    } else if (c === "<" && text[i + 1] === "<") {
      i = skipHeredoc(text, i);
    } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      if (depth === 0 && stop === "\n") return i; // a trailing comment ends the expression
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "{" || c === "[" || c === "(") {
      depth++;
      i++;
    } else if (c === "}" || c === "]" || c === ")") {
      depth--;
      i++;
      if (depth < 0) return i - 1;
    } else {
      i++;
    }
  }
  return n;
}

function unquote(s: string): string {
  try {
    return JSON.parse(s) as string;
  } catch {
    return s.replace(/^"|"$/g, "");
  }
}

/** Where `block` (found by {@link scanHcl} in `text`) starts and ends in `text`: from its header line to after its closing brace. */
export function blockSpan(text: string, block: HclBlock): { start: number; end: number } {
  let start = 0;
  for (let line = 1; line < block.line; line++) start = text.indexOf("\n", start) + 1;
  const open = text.indexOf("{", start);
  return { start, end: open + 1 + block.body.length + 1 };
}

/** `text` with the span blanked: every character but newlines removed, so later lines keep their numbers. */
export function blankSpan(text: string, span: { start: number; end: number }): string {
  return text.slice(0, span.start) + text.slice(span.start, span.end).replace(/[^\n]/g, "") + text.slice(span.end);
}
