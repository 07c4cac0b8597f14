import { setFlagsFromString } from "node:v8";
import { moduleFiles, PassCache } from "../support/pass-cache";
import { BlockPaths, isBareReference, isBlock, TfJson, unwrap } from "./hcl";
import { templateMeaning } from "./hcl-meaning";

type Parse = typeof import("@cdktf/hcl2json").parse;
let parser: Parse | undefined;

/**
 * @cdktf/hcl2json starts its Go WebAssembly when it is loaded, so it is loaded on the first
 * check. V8's optimizing tier would spend more CPU compiling the Go runtime than a synth
 * spends running it (and keeps compiling after the last parse), so WebAssembly stays on the
 * baseline compiler; nothing else in these processes runs WebAssembly for long.
 */
function hclParser(): Parse {
  if (!parser) {
    setFlagsFromString("--liftoff-only");
    parser = (require("@cdktf/hcl2json") as typeof import("@cdktf/hcl2json")).parse;
  }
  return parser;
}

let passes: PassCache | undefined;

/**
 * {@link hclDifferences}, remembering inputs that passed (see {@link PassCache}): a file whose
 * HCL, Terraform JSON and block paths were all checked before, by this checker, is not parsed
 * again. Anything changed is checked.
 */
export async function cachedHclDifferences(file: string, hcl: string, json: TfJson, blocks: BlockPaths): Promise<string[]> {
  passes ??= new PassCache("hcl-parse-back", [...moduleFiles(__filename), require.resolve("@cdktf/hcl2json/package.json")]);
  const key = passes.key([file, hcl, JSON.stringify(json), JSON.stringify([...blocks].sort())]);
  if (passes.passed(key)) return [];
  const diffs = await hclDifferences(file, hcl, json, blocks);
  if (diffs.length === 0) passes.remember(key);
  return diffs;
}

/**
 * Proves that HCL means what the Terraform JSON means: parses the HCL back (HashiCorp's HCL
 * parser, compiled to WebAssembly) and compares it with the JSON put in the same shape.
 * Returns the differing paths; empty means equivalent.
 */
export async function hclDifferences(file: string, hcl: string, json: TfJson, blocks: BlockPaths): Promise<string[]> {
  const parsed = (await hclParser()(file, hcl)) as TfJson;
  const expected = normalizeDocument(json, blocks);
  const diffs: string[] = [];
  compare(expected, parsed, "", diffs);
  return diffs;
}

function normalizeDocument(doc: TfJson, blocks: BlockPaths): TfJson {
  const out: TfJson = {};
  for (const [kind, section] of Object.entries(doc)) {
    switch (kind) {
      case "terraform":
      case "locals":
        out[kind] = [body(section as TfJson, kind, blocks, kind)];
        break;
      case "provider":
        out[kind] = mapValues(section as TfJson, (configs, name) => asList(configs).map((c) => body(c as TfJson, `provider.${name}`, blocks, "provider")));
        break;
      case "resource":
      case "data":
        out[kind] = mapValues(section as TfJson, (byName, type) => mapValues(byName as TfJson, (b) => [body(b as TfJson, `${kind}.${type}`, blocks, kind)]));
        break;
      default:
        out[kind] = mapValues(section as TfJson, (b, name) => [body(b as TfJson, `${kind}.${name}`, blocks, kind)]);
    }
  }
  return out;
}

function body(b: TfJson, path: string, blocks: BlockPaths, blockType: string): TfJson {
  const out: TfJson = {};
  for (const [key, v] of Object.entries(b)) {
    if (isBlock(path, key, blocks, blockType)) {
      if (key === "backend") out[key] = mapValues(v as TfJson, (x) => asList(x).map((one) => body(one as TfJson, `${path}.${key}`, blocks, "")));
      else if (key === "dynamic")
        out[key] = mapValues(v as TfJson, (x, label) => [body(x as TfJson, `${path}.${label}`, blocks, "dynamic")]);
      else out[key] = asList(v).map((one) => body(one as TfJson, `${path}.${key}`, blocks, ""));
    } else if (v === null && blockType !== "locals") {
      continue;
    } else if (isBareReference(key, blockType)) {
      out[key] = Array.isArray(v) ? v.map(reference) : reference(v);
    } else {
      out[key] = normalizeValue(v);
    }
  }
  return out;
}

function reference(v: unknown): unknown {
  return typeof v === "string" ? `\${${unwrap(v) ?? v}}` : v;
}

function normalizeValue(v: unknown): unknown {
  if (typeof v === "string") {
    const inner = unwrap(v);
    return inner !== undefined && !inner.includes("\n") ? `\${${inner}}` : v;
  }
  if (Array.isArray(v)) return v.map(normalizeValue);
  if (v && typeof v === "object") return mapValues(v as TfJson, normalizeValue);
  return v;
}

function compare(expected: unknown, actual: unknown, path: string, diffs: string[]): void {
  if (diffs.length >= 20) return;
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) {
      diffs.push(`${path}: expected ${JSON.stringify(expected)}, HCL reads back ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((e, i) => compare(e, actual[i], `${path}[${i}]`, diffs));
    return;
  }
  if (expected && actual && typeof expected === "object" && typeof actual === "object") {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of [...keys].sort()) compare((expected as TfJson)[k], (actual as TfJson)[k], path ? `${path}.${k}` : k, diffs);
    return;
  }
  if (typeof expected === "string" && typeof actual === "string" && templateMeaning(expected) === templateMeaning(actual)) return;
  if (expected !== actual) diffs.push(`${path}: expected ${JSON.stringify(expected)}, HCL reads back ${JSON.stringify(actual)}`);
}

function mapValues(o: TfJson, f: (v: unknown, k: string) => unknown): TfJson {
  const out: TfJson = {};
  for (const [k, v] of Object.entries(o)) out[k] = f(v, k);
  return out;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}
