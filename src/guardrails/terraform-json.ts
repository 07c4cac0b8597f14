/**
 * Types and helpers for reading a synthesized (resolved) cdktf stack: the Terraform JSON
 * configuration that `TerraformStack.toTerraform()` returns.
 */

/** A JSON value as it appears in Terraform JSON configuration. */
export type TfValue = string | number | boolean | null | TfValue[] | { [key: string]: TfValue };

/** An object value. */
export type TfObject = { [key: string]: TfValue };

/** The `//` metadata cdktf attaches to resources and data sources. */
export interface TfElementMetadata {
  readonly metadata?: { readonly path?: string; readonly uniqueId?: string };
}

/** A resource, data source or provider block. */
export interface TfBlock {
  readonly [attribute: string]: TfValue | undefined;
}

/** The parts of the synthesized stack JSON the guardrails read. */
export interface TfConfig {
  readonly "//"?: { readonly metadata?: { readonly stackName?: string } };
  readonly provider?: Readonly<Record<string, TfBlock[] | TfBlock>>;
  readonly resource?: Readonly<Record<string, Readonly<Record<string, TfBlock>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, TfBlock>>>>;
}

/** One resource or data source with its Terraform address and construct path. */
export interface Element {
  /** `resource` or `data`. */
  readonly mode: "resource" | "data";
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Terraform name (the construct's unique id). */
  readonly name: string;
  /** The block. */
  readonly block: TfBlock;
  /** Construct path from cdktf metadata, when present. */
  readonly path: string | undefined;
}

/** Whether a value is a plain object (not an array, not null). */
export function isObject(v: TfValue | undefined): v is TfObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether a string contains a Terraform interpolation (a token that resolved to an expression). */
export function isExpression(v: TfValue | undefined): v is string {
  return typeof v === "string" && v.includes("${");
}

/** Literal true: `true` or the string `"true"`. */
export function isLiteralTrue(v: TfValue | undefined): boolean {
  return v === true || v === "true";
}

/** Literal false: `false` or the string `"false"`. */
export function isLiteralFalse(v: TfValue | undefined): boolean {
  return v === false || v === "false";
}

/** A literal number (or numeric string), else undefined. */
export function literalNumber(v: TfValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

/** A value as a list of values: undefined/null is empty, a scalar is a one-element list. */
export function asList(v: TfValue | undefined): TfValue[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** A value as a list of strings (non-strings dropped). */
export function asStrings(v: TfValue | undefined): string[] {
  return asList(v).filter((x): x is string => typeof x === "string");
}

/** Nested blocks: cdktf writes a block as a list of objects (sometimes a single object). */
export function blocks(v: TfValue | undefined): TfObject[] {
  return asList(v).filter(isObject);
}

/** Every resource and data source of the stack, in a stable order. */
export function elements(config: TfConfig): Element[] {
  const out: Element[] = [];
  for (const mode of ["resource", "data"] as const) {
    const byType = config[mode] ?? {};
    for (const type of Object.keys(byType).sort()) {
      const byName = byType[type] ?? {};
      for (const name of Object.keys(byName).sort()) {
        const block = byName[name];
        if (!block) continue;
        const meta = block["//"] as TfElementMetadata | undefined;
        out.push({ mode, type, name, block, path: meta?.metadata?.path });
      }
    }
  }
  return out;
}

/**
 * If `value` is exactly `${type.<name>.<attribute>}` (or `${type.<name>[<index>].<attribute>}` for a
 * counted resource), the name.
 */
export function referencedName(value: TfValue | undefined, type: string, attributes: readonly string[]): string | undefined {
  if (typeof value !== "string") return undefined;
  const re = new RegExp(
    `^\\$\\{\\s*${escapeRegExp(type)}\\.([A-Za-z_][\\w-]*)(?:\\[[^\\]]*\\])?\\.(?:${attributes.map(escapeRegExp).join("|")})\\s*\\}$`,
  );
  return re.exec(value)?.[1];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
