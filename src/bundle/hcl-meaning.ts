import { closingQuote, scanTemplate } from "./hcl";

/**
 * What a Terraform template string means, as a canonical text, so that two spellings of one
 * meaning compare equal. HashiCorp's parser (through @cdktf/hcl2json) reads HCL back in its
 * own spelling: `"a-${c ? "x" : "y"}"` comes back as `a-%{if c}x%{else}y%{endif}`, and an
 * expression laid out over several lines comes back with its line breaks. Here:
 * - a conditional interpolation and an `%{if}` directive become the same node;
 * - expressions lose their layout: whitespace goes, a line break between items counts as a
 *   comma, and a trailing comma before a closing bracket goes.
 */
export function templateMeaning(s: string): string {
  return JSON.stringify(parse(s, false));
}

type Node = { readonly lit: string } | { readonly expr: string } | { readonly if: string; readonly then: Node[]; readonly else: Node[] } | { readonly dir: string };

interface Frame {
  readonly cond: string;
  readonly then: Node[];
  readonly else: Node[];
  inElse: boolean;
}

/** Template text to nodes; `escaped` when the text is the inside of an HCL quoted string (literals carry `\"`). */
function parse(s: string, escaped: boolean): Node[] {
  const root: Node[] = [];
  const frames: Frame[] = [];
  const out = () => (frames.length === 0 ? root : frames[frames.length - 1].inElse ? frames[frames.length - 1].else : frames[frames.length - 1].then);
  for (const part of scanTemplate(s)) {
    if (part.kind === "literal") {
      out().push({ lit: escaped ? unescape(part.text) : part.text });
    } else if (part.kind === "interpolation") {
      const text = stripMarkers(part.text);
      const cond = conditional(text);
      out().push(cond ? { if: expression(cond[0]), then: branch(cond[1]), else: branch(cond[2]) } : { expr: expression(text) });
    } else {
      const text = stripMarkers(part.text);
      const head = /^if\s+([\s\S]*)$/.exec(text);
      if (head) frames.push({ cond: expression(head[1]), then: [], else: [], inElse: false });
      else if (text === "else" && frames.length > 0) frames[frames.length - 1].inElse = true;
      else if (text === "endif" && frames.length > 0) {
        const f = frames.pop()!;
        out().push({ if: f.cond, then: merge(f.then), else: merge(f.else) });
      } else out().push({ dir: expression(text) });
    }
  }
  // An unterminated %{if} is left as it is: it will not compare equal to anything valid.
  for (const f of frames.reverse()) root.push({ dir: `if ${f.cond}` }, ...f.then, ...f.else);
  return merge(root);
}

function stripMarkers(text: string): string {
  return text.replace(/^~/, "").replace(/~$/, "").trim();
}

/** A conditional's result as template nodes: a quoted string is its template, a literal its text. */
function branch(text: string): Node[] {
  const t = text.trim();
  if (t.startsWith('"') && closingQuote(t, 1) === t.length - 1) return parse(t.slice(1, -1), true);
  if (t === "null") return [];
  if (/^(-?\d+(\.\d+)?|true|false)$/.test(t)) return [{ lit: t }];
  return [{ expr: expression(t) }];
}

/** `[cond, then, else]` when the whole expression is a conditional at the top level. */
function conditional(e: string): [string, string, string] | undefined {
  let depth = 0;
  let question = -1;
  let pending = 0;
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (c === '"') {
      i = closingQuote(e, i + 1);
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && c === "?") {
      if (question === -1) question = i;
      else pending++;
    } else if (depth === 0 && c === ":" && question !== -1) {
      if (pending > 0) pending--;
      else return [e.slice(0, question), e.slice(question + 1, i), e.slice(i + 1)];
    }
  }
  return undefined;
}

/** An expression without layout: see {@link templateMeaning}. String literals inside keep their text. */
function expression(e: string): string {
  let out = "";
  let i = 0;
  while (i < e.length) {
    const c = e[i];
    if (c === '"') {
      const end = closingQuote(e, i + 1);
      out += `"${JSON.stringify(parse(e.slice(i + 1, end), true))}"`;
      i = end + 1;
      continue;
    }
    if (/\s/.test(c)) {
      let j = i;
      while (j < e.length && /\s/.test(e[j])) j++;
      const next = e[j] ?? "";
      const prev = out[out.length - 1] ?? "";
      if (e.slice(i, j).includes("\n") && prev !== "" && !"{[(,".includes(prev) && next !== "" && !"}]),".includes(next)) out += ",";
      i = j;
      continue;
    }
    if ((c === "}" || c === "]" || c === ")") && out.endsWith(",")) out = out.slice(0, -1);
    out += c;
    i++;
  }
  return out;
}

function merge(nodes: Node[]): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    const last = out[out.length - 1];
    if ("lit" in n && n.lit === "") continue;
    if ("lit" in n && last && "lit" in last) out[out.length - 1] = { lit: last.lit + n.lit };
    else out.push(n);
  }
  return out;
}

/** HCL quoted-string escapes to their characters (template sequences `$${` stay as they are). */
function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ({ n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" } as Record<string, string>)[e] ?? e;
  });
}
