/** What Terraform will do to one resource. */
export type ChangeKind = "create" | "update" | "delete" | "replace" | "read" | "no-op" | "forget" | "import";

/** One attribute that changes, both sides rendered with sensitive and unknown values masked. */
export interface AttributeChange {
  /** Top-level attribute name. */
  readonly name: string;
  /** Value before, rendered as JSON (masked). */
  readonly before: string;
  /** Value after, rendered as JSON (masked). */
  readonly after: string;
  /** True when changing this attribute forces replacement. */
  readonly forcesReplacement: boolean;
}

/** One resource change of a plan. */
export interface ResourceChangeSummary {
  /** Resource address, e.g. `module.db.aws_db_instance.main`. */
  readonly address: string;
  /** What happens to it. */
  readonly kind: ChangeKind;
  /** Changed attributes (updates and replacements only), masked. */
  readonly attributes: readonly AttributeChange[];
  /** Number of changed attributes not listed (over the cap). */
  readonly moreAttributes: number;
}

/** One output change (never its value). */
export interface OutputChangeSummary {
  /** Output name. */
  readonly name: string;
  /** What happens to it. */
  readonly kind: ChangeKind;
  /** True when either side is sensitive. */
  readonly sensitive: boolean;
}

/** A plan reduced to what a reviewer needs; safe to print (no sensitive values). */
export interface PlanSummary {
  /** Resources to add (a replacement counts here and in destroy, as Terraform counts). */
  readonly add: number;
  /** Resources updated in place. */
  readonly change: number;
  /** Resources to destroy (replacements included). */
  readonly destroy: number;
  /** Resources replaced (destroy and create). */
  readonly replaced: number;
  /** Resource changes other than no-op and read, in plan order. */
  readonly changes: readonly ResourceChangeSummary[];
  /** Output changes other than no-op. */
  readonly outputs: readonly OutputChangeSummary[];
}

/** Shown instead of a sensitive value. */
export const SENSITIVE = "(sensitive value)";
/** Shown instead of a value known only after apply. */
export const UNKNOWN = "(known after apply)";
const MAX_ATTRIBUTES = 30;
const MAX_VALUE = 200;

interface RawChange {
  actions?: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  replace_paths?: unknown[][];
  importing?: unknown;
}

function kindOf(actions: readonly string[] | undefined, importing = false): ChangeKind {
  const a = actions ?? [];
  if (a.includes("delete") && a.includes("create")) return "replace";
  if (a.includes("create")) return "create";
  if (a.includes("delete")) return "delete";
  if (a.includes("update")) return "update";
  if (a.includes("read")) return "read";
  if (a.includes("forget")) return "forget";
  return importing ? "import" : "no-op";
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Copies `value` replacing every part marked in `sensitive` (true, or a mirror structure with
 * true leaves) by {@link SENSITIVE}, and every part marked in `unknown` by {@link UNKNOWN}.
 */
export function mask(value: unknown, sensitive: unknown, unknown: unknown = false): unknown {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value)) {
    return value.map((v, i) => mask(v, Array.isArray(sensitive) ? sensitive[i] : false, Array.isArray(unknown) ? unknown[i] : false));
  }
  if (isObj(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      out[k] = mask(value[k], isObj(sensitive) ? sensitive[k] : false, isObj(unknown) ? unknown[k] : false);
    }
    // Unknown attributes absent from `after`.
    if (isObj(unknown)) for (const k of Object.keys(unknown)) if (!(k in out) && unknown[k] === true) out[k] = UNKNOWN;
    return out;
  }
  return value;
}

function render(v: unknown): string {
  if (v === SENSITIVE || v === UNKNOWN) return v;
  if (v === undefined) return "null";
  const s = JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 3)}...` : s;
}

function attributeChanges(c: RawChange): { list: AttributeChange[]; more: number } {
  const before = mask(c.before, c.before_sensitive);
  const after = mask(c.after, c.after_sensitive, c.after_unknown);
  const b = isObj(before) ? before : {};
  const a = isObj(after) ? after : {};
  const rawB = isObj(c.before) ? c.before : {};
  const rawA = isObj(c.after) ? c.after : {};
  const forcing = new Set((c.replace_paths ?? []).map((p) => String(p[0])));
  const names = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  const list: AttributeChange[] = [];
  for (const name of names) {
    const masked = render(b[name]) !== render(a[name]);
    // Sensitive on both sides: compare the real values, show neither.
    const raw = JSON.stringify(rawB[name]) !== JSON.stringify(rawA[name]);
    if (!masked && !(raw && b[name] === SENSITIVE)) continue;
    list.push({ name, before: render(b[name]), after: render(a[name]), forcesReplacement: forcing.has(name) });
  }
  return { list: list.slice(0, MAX_ATTRIBUTES), more: Math.max(0, list.length - MAX_ATTRIBUTES) };
}

/** Summarizes `terraform show -json <planfile>` output. */
export function summarizePlan(plan: unknown): PlanSummary {
  const p = isObj(plan) ? plan : {};
  const rcs = Array.isArray(p.resource_changes) ? (p.resource_changes as Array<Record<string, unknown>>) : [];
  let add = 0;
  let change = 0;
  let destroy = 0;
  let replaced = 0;
  const changes: ResourceChangeSummary[] = [];
  for (const rc of rcs) {
    const c = (isObj(rc.change) ? rc.change : {}) as RawChange;
    const kind = kindOf(c.actions, c.importing !== undefined && c.importing !== null);
    switch (kind) {
      case "create":
        add++;
        break;
      case "update":
        change++;
        break;
      case "delete":
        destroy++;
        break;
      case "replace":
        add++;
        destroy++;
        replaced++;
        break;
      default:
        break;
    }
    if (kind === "no-op" || kind === "read") continue;
    const attrs = kind === "update" || kind === "replace" ? attributeChanges(c) : { list: [], more: 0 };
    changes.push({ address: String(rc.address ?? "?"), kind, attributes: attrs.list, moreAttributes: attrs.more });
  }
  const outputs: OutputChangeSummary[] = [];
  const ocs = isObj(p.output_changes) ? p.output_changes : {};
  for (const name of Object.keys(ocs).sort()) {
    const c = (isObj(ocs[name]) ? ocs[name] : {}) as RawChange;
    const kind = kindOf(c.actions);
    if (kind === "no-op") continue;
    outputs.push({ name, kind, sensitive: c.after_sensitive === true || c.before_sensitive === true });
  }
  return { add, change, destroy, replaced, changes, outputs };
}

/** `Plan: 1 to add, 0 to change, 0 to destroy (0 replaced).` */
export function describePlan(s: PlanSummary): string {
  return `${s.add} to add, ${s.change} to change, ${s.destroy} to destroy${s.replaced ? ` (${s.replaced} replaced)` : ""}`;
}
