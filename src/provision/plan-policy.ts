/**
 * Policy on the plan: the guardrail rules (src/guardrails) run on `terraform show -json
 * <planfile>`, so Terraform that Proton rendered or a person wrote is checked, not only what
 * our stacks synthesize.
 *
 * The plan is turned into the Terraform JSON shape the guardrail checks read (one config per
 * module): each resource's block is its planned value (`change.after`); an attribute that is
 * unknown until apply (`after_unknown`) is taken from the configuration expression, where a
 * reference becomes `${<reference>}` exactly as cdktf writes a token. So
 * `bucket = aws_s3_bucket.site.id` reads `${aws_s3_bucket.site.id}` and the S3 companion rules
 * match it. Providers come from `configuration.provider_config`.
 */
import { runChecks, type Finding } from "../guardrails/checks";
import { rule, type RuleId } from "../guardrails/rules";
import { compare } from "../guardrails/suppressions";
import type { TfBlock, TfConfig, TfValue } from "../guardrails/terraform-json";
import { isObject } from "../guardrails/terraform-json";
import type { PlanSuppression } from "./plan-policy-suppressions";

/** One violation found in a plan. */
export interface PlanViolation {
  /** The rule, e.g. `PK-S3-001`. */
  readonly ruleId: RuleId;
  /** The rule's title. */
  readonly title: string;
  /** Terraform address of the offending resource or provider (`module.x.aws_s3_bucket.b`). */
  readonly address: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** A violation that a suppression covered, kept for the report. */
export interface SuppressedViolation extends PlanViolation {
  /** The suppression's reason. */
  readonly reason: string;
}

/** Result of {@link checkPlan}. */
export interface PlanPolicyResult {
  /** Unsuppressed violations, sorted by address, rule id and message. */
  readonly violations: readonly PlanViolation[];
  /** Violations a suppression covered. */
  readonly suppressed: readonly SuppressedViolation[];
}

// ------------------------------------------------------------------------- plan JSON shapes

type Json = TfValue;

interface PlanExpression {
  readonly constant_value?: Json;
  readonly references?: readonly string[];
}

interface PlanConfigResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly expressions?: Readonly<Record<string, unknown>>;
}

interface PlanConfigModule {
  readonly resources?: readonly PlanConfigResource[];
  readonly module_calls?: Readonly<Record<string, { readonly module?: PlanConfigModule }>>;
}

interface PlanProviderConfig {
  readonly name: string;
  readonly alias?: string;
  readonly module_address?: string;
  readonly expressions?: Readonly<Record<string, unknown>>;
}

interface PlanResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly index?: Json;
  readonly change: { readonly actions: readonly string[]; readonly after?: Json; readonly after_unknown?: Json };
}

/** The parts of `terraform show -json <planfile>` this module reads. */
export interface PlanJson {
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly configuration?: {
    readonly provider_config?: Readonly<Record<string, PlanProviderConfig>>;
    readonly root_module?: PlanConfigModule;
  };
}

// ------------------------------------------------------------------- expressions to values

function isExpressionNode(v: unknown): v is PlanExpression {
  return typeof v === "object" && v !== null && !Array.isArray(v) && ("constant_value" in v || "references" in v);
}

/** A configuration expression as Terraform JSON: a constant, or `${reference}` for a reference. */
function expressionValue(v: unknown): Json | undefined {
  if (Array.isArray(v)) {
    // a nested block: a list of objects of expressions
    return v.map((b) => (typeof b === "object" && b !== null ? expressionsToBlock(b as Record<string, unknown>) : null));
  }
  if (isExpressionNode(v)) {
    if (v.constant_value !== undefined) return v.constant_value;
    // Terraform lists a reference and its prefixes (`aws_s3_bucket.b.id`, `aws_s3_bucket.b`): keep the longest
    const all = v.references ?? [];
    const refs = all.filter((r) => !all.some((o) => o !== r && (o.startsWith(`${r}.`) || o.startsWith(`${r}[`))));
    if (refs.length === 1) return `\${${refs[0]}}`;
    // several references: an opaque expression that still names them (e.g. merge(var.proton_tags, ...))
    if (refs.length > 1) return `\${expression(${refs.join(", ")})}`;
    return "${expression}";
  }
  if (typeof v === "object" && v !== null) return expressionsToBlock(v as Record<string, unknown>);
  return undefined;
}

function expressionsToBlock(expressions: Readonly<Record<string, unknown>>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(expressions).sort()) {
    const value = expressionValue(expressions[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Module address without instance keys: `module.a["x"].module.b[0]` → `module.a.module.b`. */
function moduleKey(address: string | undefined): string {
  return (address ?? "").replace(/\[[^\]]*\]/g, "");
}

function configModules(root: PlanConfigModule | undefined): Map<string, PlanConfigModule> {
  const out = new Map<string, PlanConfigModule>();
  const walk = (m: PlanConfigModule, prefix: string): void => {
    out.set(prefix, m);
    for (const [name, call] of Object.entries(m.module_calls ?? {})) {
      if (call.module) walk(call.module, prefix ? `${prefix}.module.${name}` : `module.${name}`);
    }
  };
  if (root) walk(root, "");
  return out;
}

/** Planned values, with unknown attributes filled from the configuration expressions. */
function plannedBlock(rc: PlanResourceChange, config: PlanConfigResource | undefined): TfBlock {
  const after = isObject(rc.change.after) ? rc.change.after : {};
  const unknown = isObject(rc.change.after_unknown) ? rc.change.after_unknown : {};
  const fromConfig = config?.expressions ? expressionsToBlock(config.expressions) : {};
  const out: { [key: string]: Json } = { ...after };
  for (const [key, value] of Object.entries(fromConfig)) {
    const known = key in after && after[key] !== null && unknown[key] !== true;
    if (!known) out[key] = value;
  }
  return out;
}

/** Instance key of a resource: `site`, `site[0]`, `site["a"]`. */
function instanceName(rc: PlanResourceChange): string {
  if (rc.index === undefined || rc.index === null) return rc.name;
  return `${rc.name}[${JSON.stringify(rc.index)}]`;
}

interface ModuleConfig {
  readonly moduleAddress: string;
  readonly config: TfConfig;
  /** `type.name` (module-relative) → full Terraform address. */
  readonly addresses: Map<string, string>;
  readonly providerAddresses: Map<string, string>;
}

/** Turn a plan into one guardrail config per module instance. */
export function planToConfigs(plan: PlanJson): ModuleConfig[] {
  const modules = configModules(plan.configuration?.root_module);
  const byModule = new Map<string, { resource: Record<string, Record<string, TfBlock>>; data: Record<string, Record<string, TfBlock>>; addresses: Map<string, string> }>();
  const entry = (m: string) => {
    let e = byModule.get(m);
    if (!e) {
      e = { resource: {}, data: {}, addresses: new Map() };
      byModule.set(m, e);
    }
    return e;
  };
  entry("");
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions;
    if (actions.length === 1 && actions[0] === "delete") continue; // nothing planned to exist
    const mod = rc.module_address ?? "";
    const configModule = modules.get(moduleKey(mod));
    const mode = rc.mode === "data" ? "data" : "resource";
    const config = configModule?.resources?.find((r) => r.type === rc.type && r.name === rc.name && (r.mode === "data") === (mode === "data"));
    const e = entry(mod);
    const name = instanceName(rc);
    const byType = (e[mode][rc.type] ??= {});
    byType[name] = plannedBlock(rc, config);
    e.addresses.set(mode === "data" ? `data.${rc.type}.${name}` : `${rc.type}.${name}`, rc.address);
  }
  const providers = Object.entries(plan.configuration?.provider_config ?? {});
  const out: ModuleConfig[] = [];
  for (const [mod, e] of [...byModule.entries()].sort((a, b) => compare(a[0], b[0]))) {
    const aws: TfBlock[] = [];
    const providerAddresses = new Map<string, string>();
    for (const [key, p] of providers) {
      if (p.name !== "aws" || moduleKey(p.module_address) !== moduleKey(mod)) continue;
      const block = { ...expressionsToBlock(p.expressions ?? {}), ...(p.alias ? { alias: p.alias } : {}) };
      aws.push(block);
      providerAddresses.set(p.alias ?? "", `provider[${key}]`);
    }
    // a child module without its own aws provider block inherits the root's
    if (aws.length === 0 && mod !== "") {
      for (const [key, p] of providers) {
        if (p.name === "aws" && !p.module_address) {
          aws.push({ ...expressionsToBlock(p.expressions ?? {}), ...(p.alias ? { alias: p.alias } : {}) });
          providerAddresses.set(p.alias ?? "", `provider[${key}]`);
        }
      }
    }
    const hasElements = Object.keys(e.resource).length + Object.keys(e.data).length > 0;
    if (!hasElements) continue;
    const config: TfConfig = { resource: e.resource, data: e.data, ...(aws.length > 0 ? { provider: { aws } } : {}) };
    out.push({ moduleAddress: mod, config, addresses: e.addresses, providerAddresses });
  }
  return out;
}

// ----------------------------------------------------------------------------------- checks

/** Whether a suppression covers a violation of `resourceDir` (the resource directory, repo-relative). */
export function suppressionCovers(s: PlanSuppression, v: PlanViolation, resourceDir: string): boolean {
  if (s.rule !== v.ruleId) return false;
  if (s.address !== undefined && s.address !== v.address) return false;
  if (s.directory !== undefined && !globMatches(s.directory, resourceDir)) return false;
  return true;
}

/** `*` matches within one path segment, `**` any number of segments. */
export function globMatches(glob: string, dir: string): boolean {
  const norm = (p: string): string => p.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
  let re = "";
  const g = norm(glob);
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === "*" && g[i + 1] === "*") {
      re += ".*";
      i++;
      if (g[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(norm(dir));
}

/**
 * Check a plan against every guardrail rule. Suppressions apply by rule id and address and/or
 * directory glob (matched against `resourceDir`).
 */
export function checkPlan(plan: PlanJson, resourceDir: string, suppressions: readonly PlanSuppression[] = []): PlanPolicyResult {
  const all: PlanViolation[] = [];
  const seen = new Set<string>();
  for (const m of planToConfigs(plan)) {
    const stackPath = m.moduleAddress || "(root module)";
    const findings: Finding[] = runChecks(m.config, { stackPath, providerPaths: m.providerAddresses, elementPaths: m.addresses });
    for (const f of findings) {
      const key = `${f.ruleId}\u0000${f.path}\u0000${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const r = rule(f.ruleId);
      const prefix = m.moduleAddress ? `${m.moduleAddress}: ` : "";
      all.push({ ruleId: f.ruleId, title: r.title, address: f.path, message: `${prefix}${f.message}`, fix: r.fix });
    }
  }
  const violations: PlanViolation[] = [];
  const suppressed: SuppressedViolation[] = [];
  for (const v of all) {
    const s = suppressions.find((x) => suppressionCovers(x, v, resourceDir));
    if (s) suppressed.push({ ...v, reason: s.reason });
    else violations.push(v);
  }
  const order = (a: PlanViolation, b: PlanViolation): number => compare(a.address, b.address) || compare(a.ruleId, b.ruleId) || compare(a.message, b.message);
  return { violations: violations.sort(order), suppressed: suppressed.sort(order) };
}

/** Markdown lines for the step summary / check: one per violation, then the suppressed ones. */
export function formatPlanPolicy(result: PlanPolicyResult, resourceDir: string): string {
  const lines: string[] = [];
  if (result.violations.length === 0) lines.push(`Policy on the plan of \`${resourceDir}\`: no violations.`);
  else lines.push(`Policy on the plan of \`${resourceDir}\`: ${result.violations.length} violation(s).`);
  for (const v of result.violations) lines.push(`- **${v.ruleId}** ${v.title} at \`${v.address}\`: ${v.message}. Fix: ${v.fix}`);
  for (const s of result.suppressed) lines.push(`- suppressed ${s.ruleId} at \`${s.address}\`: ${s.reason}`);
  return `${lines.join("\n")}\n`;
}
