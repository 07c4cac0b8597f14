/**
 * A small reader for the HCL expressions cdktf writes for `Fn.jsonencode(...)`:
 * `${jsonencode({"Version" = "2012-10-17", "Statement" = [{...}]})}`.
 *
 * It understands objects, tuples, quoted (template) strings, numbers, booleans and null. Any
 * other expression (a reference such as `aws_s3_bucket.b.arn`, a function call, a conditional)
 * is kept as the string `${<expression>}`, the same shape a token has in Terraform JSON, so
 * callers treat it as an unknown value.
 */
import { TfValue } from "./terraform-json";

/** If `value` is `${jsonencode(<expr>)}`, the decoded `<expr>`; undefined when it is not, or unreadable. */
export function decodeJsonencode(value: string): TfValue | undefined {
  const m = /^\$\{\s*jsonencode\(([\s\S]*)\)\s*\}$/.exec(value);
  if (!m) return undefined;
  try {
    const p = new Parser(m[1] ?? "");
    const v = p.value();
    p.skipSpace();
    if (!p.atEnd()) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/** Parse one HCL expression (the subset described above); throws on malformed input. */
export function parseHclExpression(text: string): TfValue {
  const p = new Parser(text);
  const v = p.value();
  p.skipSpace();
  if (!p.atEnd()) throw new Error(`unexpected ${JSON.stringify(text.slice(p.pos, p.pos + 20))} at ${p.pos}`);
  return v;
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  skipSpace(): void {
    while (!this.atEnd()) {
      const c = this.s[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else break;
    }
  }

  private peek(): string {
    return this.s[this.pos] ?? "";
  }

  value(): TfValue {
    this.skipSpace();
    const c = this.peek();
    if (c === "{") return this.object();
    if (c === "[") return this.tuple();
    if (c === '"') return this.string();
    const rest = this.s.slice(this.pos);
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w.])/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      return Number(num[0]);
    }
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (new RegExp(`^${word}(?![\\w.\\[(])`).test(rest)) {
        this.pos += word.length;
        return v;
      }
    }
    return `\${${this.opaque()}}`;
  }

  private object(): TfValue {
    this.pos++; // {
    const out: { [k: string]: TfValue } = {};
    for (;;) {
      this.skipSeparators();
      if (this.peek() === "}") {
        this.pos++;
        return out;
      }
      if (this.atEnd()) throw new Error("unterminated object");
      const key = this.key();
      this.skipSpace();
      const sep = this.peek();
      if (sep !== "=" && sep !== ":") throw new Error(`expected = after key ${key}`);
      this.pos++;
      out[key] = this.value();
    }
  }

  private key(): string {
    const c = this.peek();
    if (c === '"') {
      const k = this.string();
      return typeof k === "string" ? k : String(k);
    }
    if (c === "(") {
      const start = this.pos;
      this.pos++;
      this.skipBalanced(")");
      return `\${${this.s.slice(start, this.pos)}}`;
    }
    const m = /^[A-Za-z_][\w-]*/.exec(this.s.slice(this.pos));
    if (!m) throw new Error(`bad object key at ${this.pos}`);
    this.pos += m[0].length;
    return m[0];
  }

  private tuple(): TfValue {
    this.pos++; // [
    const out: TfValue[] = [];
    for (;;) {
      this.skipSeparators();
      if (this.peek() === "]") {
        this.pos++;
        return out;
      }
      if (this.atEnd()) throw new Error("unterminated tuple");
      out.push(this.value());
    }
  }

  private skipSeparators(): void {
    for (;;) {
      this.skipSpace();
      if (this.peek() === ",") this.pos++;
      else return;
    }
  }

  /** A quoted template string; interpolations are kept verbatim (`${...}`). */
  private string(): string {
    this.pos++; // opening quote
    let out = "";
    while (!this.atEnd()) {
      const c = this.s[this.pos] ?? "";
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === "\\") {
        const n = this.s[this.pos + 1] ?? "";
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        if (n === "u") {
          out += String.fromCharCode(parseInt(this.s.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else {
          out += map[n] ?? n;
          this.pos += 2;
        }
        continue;
      }
      if (c === "$" && this.s[this.pos + 1] === "$" && this.s[this.pos + 2] === "{") {
        out += "$${";
        this.pos += 3;
        continue;
      }
      if ((c === "$" || c === "%") && this.s[this.pos + 1] === "{") {
        const start = this.pos;
        this.pos += 2;
        this.skipBalanced("}");
        out += this.s.slice(start, this.pos);
        continue;
      }
      out += c;
      this.pos++;
    }
    throw new Error("unterminated string");
  }

  /** Skip to just past the `close` that balances an already consumed opener. */
  private skipBalanced(close: string): void {
    const stack: string[] = [close];
    while (!this.atEnd() && stack.length > 0) {
      const c = this.s[this.pos] ?? "";
      if (c === '"') {
        this.string();
        continue;
      }
      this.pos++;
      if (c === "{") stack.push("}");
      else if (c === "[") stack.push("]");
      else if (c === "(") stack.push(")");
      else if (c === stack[stack.length - 1]) stack.pop();
    }
    if (stack.length > 0) throw new Error("unbalanced expression");
  }

  /** Any other expression, up to a `,`, `}` or `]` at depth 0. Returns its text. */
  private opaque(): string {
    const start = this.pos;
    while (!this.atEnd()) {
      const c = this.peek();
      if (c === "," || c === "}" || c === "]" || c === ")" || c === "\n") break;
      if (c === '"') {
        this.string();
        continue;
      }
      this.pos++;
      if (c === "{") this.skipBalanced("}");
      else if (c === "[") this.skipBalanced("]");
      else if (c === "(") this.skipBalanced(")");
    }
    const text = this.s.slice(start, this.pos).trim();
    if (text === "") throw new Error(`expected an expression at ${start}`);
    return text;
  }
}
