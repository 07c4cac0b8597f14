import * as path from "node:path";
import { Document, LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Node } from "yaml";
import { Problem } from "../errors";
import { readTextFile } from "./files";

/** A JSON value as specs, schemas and rendered files carry it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** One step of a path into a document: a map key or a sequence index. */
export type PathSegment = string | number;

/** A parsed YAML (or JSON) file that still knows where every node came from. */
export interface YamlSource {
  /** Absolute path of the file. */
  readonly file: string;
  /** The path to print in problems: relative to the working directory where possible. */
  readonly displayFile: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The document as plain data (undefined for an empty document). */
  readonly value: unknown;
}

/** The path problems print for `file`: relative to the working directory unless it lies outside it. */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : abs;
}

/**
 * Reads and parses one YAML document. Syntax errors come back as problems (one per error,
 * each with its line) rather than as an exception, so callers can report them with others.
 */
export function readYamlFile(file: string, what: string): { source?: YamlSource; problems: Problem[] } {
  const read = readTextFile(file);
  if ("code" in read) {
    const reason = read.code === "ENOENT" ? "does not exist" : read.code === "EISDIR" ? "is a directory" : `cannot be read (${read.code})`;
    return { problems: [new Problem(`${what} ${reason}`, { file: displayPath(file), fix: `pass the path of an existing ${what}` })] };
  }
  return parseYamlText(read.text, file, what);
}

/** A parsed YAML document with its line counter and its syntax errors (first line of each, with its line). */
export interface ParsedYaml {
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  readonly errors: readonly { readonly message: string; readonly line: number }[];
}

/** Parses YAML text. A repeated key is an error (uniqueKeys, the default), not a silent override. */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const errors = doc.errors.map((e) => ({ message: e.message.split("\n")[0], line: lineCounter.linePos(e.pos[0]).line }));
  return { doc, lineCounter, errors };
}

/** Parses YAML text that came from `file` (used by {@link readYamlFile} and by tests). */
export function parseYamlText(text: string, file: string, what: string): { source?: YamlSource; problems: Problem[] } {
  const displayFile = displayPath(file);
  const { doc, lineCounter, errors } = parseYaml(text);
  if (errors.length > 0) {
    return { problems: errors.map((e) => new Problem(`malformed YAML: ${e.message}`, { file: displayFile, line: e.line, fix: `correct the YAML syntax of this ${what}` })) };
  }
  const source: YamlSource = { file: path.resolve(file), displayFile, doc, lineCounter, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  return { source, problems: [] };
}

/** What {@link lineOf} needs: a document and the line counter it was parsed with. */
export interface YamlLines {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

function lineOfNode(source: YamlLines, node: Node | null | undefined): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : source.lineCounter.linePos(offset).line;
}

/**
 * The 1-based line of the node at `segments` (for a map entry, the line of its key). When the
 * path does not exist (a missing required field), the line of the deepest existing ancestor.
 */
export function lineOf(source: YamlLines, segments: readonly PathSegment[]): number | undefined {
  let node: unknown = source.doc.contents;
  let line = lineOfNode(source, source.doc.contents as Node | null) ?? 1;
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return line;
      line = lineOfNode(source, pair.key as Node) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (!item) return line;
      line = lineOfNode(source, item as Node) ?? line;
      node = item;
    } else {
      return line;
    }
  }
  return line;
}

/** Formats a path as `a.b[2].c`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** The JSON type name of a value as problems print it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** A short description of a found value: `string "80"`, `integer 3`, `array`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${jsonTypeOf(value)} ${String(value)}`;
  if (Array.isArray(value)) return `array of ${value.length}`;
  return "object";
}

/** True for a plain object (a YAML map). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
