import * as fs from "node:fs";
import * as path from "node:path";
import { blankSpan, blockSpan, scanHcl, type HclBlock } from "./hcl-scan";
import type { ResourceKind } from "../proton/contract";

/**
 * Baseline checks protonkit runs on every rendered Terraform directory, on top of a template's
 * own `.tftest.hcl` assertions:
 *
 * - outputs: a generated `terraform test` run applies the configuration against mocked
 *   providers and asserts that every `output` declared in the rendered `.tf` files is non-null.
 * - Proton tags, two halves:
 *   1. statically, every `provider "aws"` block (aliases included) sets
 *      `default_tags { tags = var.proton_tags }` (or a `merge(...)` ending in `var.proton_tags`,
 *      so the Proton keys win), and no resource overrides a `proton:` tag key. A mocked
 *      provider runs no provider logic, so `tags_all` is always `{}` under `terraform test`;
 *      asserting it would prove nothing. The provider's own `default_tags` merging is what
 *      puts the tags on every taggable resource, so the configuration is what must be checked.
 *   2. in the generated run, `var.proton_tags` as loaded from the rendered
 *      `proton.auto.tfvars.json` is a map holding the keys Proton writes for the resource kind.
 */

/** The resource kinds the renderer produces. */
export type { ResourceKind } from "../proton/contract";

/** Tag keys that must be present in `var.proton_tags` for each kind. */
export const REQUIRED_PROTON_TAG_KEYS: Readonly<Record<ResourceKind, readonly string[]>> = {
  environment: ["proton:account", "proton:template", "proton:environment"],
  service_instance: ["proton:account", "proton:template", "proton:service-instance"],
  pipeline: ["proton:account", "proton:template", "proton:service"],
  component: ["proton:account", "proton:template", "proton:component"],
};

/** A provider configuration (`provider "<name>" { alias = ... }`). */
export interface ProviderConfig {
  readonly name: string;
  readonly alias?: string;
  /** File (relative to the directory) and line of the block. */
  readonly file: string;
  readonly line: number;
  /** The `default_tags { tags = ... }` expression, when present. */
  readonly defaultTags?: string;
}

/** What protonkit reads off a rendered directory's `.tf` files. */
export interface ConfigSummary {
  /** Output names, sorted. */
  readonly outputs: readonly string[];
  /** Every provider block, in file order. */
  readonly providers: readonly ProviderConfig[];
  /** Local provider names in `required_providers`. */
  readonly requiredProviders: readonly string[];
  /** `type.name` of every managed resource and data source (`data.type.name`). */
  readonly resources: readonly { readonly address: string; readonly file: string; readonly line: number; readonly tags?: string }[];
  /** Declared variable names, sorted. */
  readonly variables: readonly string[];
  /** Functions used whose result is unknown until apply (`timestamp`, `uuid`, `bcrypt`), sorted. */
  readonly applyTimeFunctions: readonly string[];
}

/** Reads outputs, providers, resources and variables from every `.tf` file directly in `dir`. */
export function summarizeConfig(dir: string): ConfigSummary {
  const outputs = new Set<string>();
  const variables = new Set<string>();
  const providers: ProviderConfig[] = [];
  const required = new Set<string>();
  const resources: { address: string; file: string; line: number; tags?: string }[] = [];
  const applyTime = new Set<string>();
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".tf"))
    .sort();
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    for (const m of text.matchAll(/\b(timestamp|uuid|bcrypt)\s*\(/g)) applyTime.add(m[1] as string);
    const top = scanHcl(text);
    for (const block of top.blocks) {
      switch (block.type) {
        case "output":
          if (block.labels[0]) outputs.add(block.labels[0]);
          break;
        case "variable":
          if (block.labels[0]) variables.add(block.labels[0]);
          break;
        case "provider":
          if (block.labels[0]) providers.push(readProvider(block, file));
          break;
        case "terraform":
          for (const inner of scanHcl(block.body).blocks) {
            if (inner.type !== "required_providers") continue;
            for (const attr of scanHcl(inner.body).attributes) required.add(attr.name);
          }
          break;
        case "resource":
        case "data":
          if (block.labels.length >= 2) {
            const tags = scanHcl(block.body).attributes.find((a) => a.name === "tags")?.expression;
            resources.push({
              address: `${block.type === "data" ? "data." : ""}${block.labels[0]}.${block.labels[1]}`,
              file,
              line: block.line,
              tags,
            });
          }
          break;
        default:
          break;
      }
    }
  }
  return {
    outputs: [...outputs].sort(),
    providers,
    requiredProviders: [...required].sort(),
    resources,
    variables: [...variables].sort(),
    applyTimeFunctions: [...applyTime].sort(),
  };
}

function readProvider(block: HclBlock, file: string): ProviderConfig {
  const body = scanHcl(block.body);
  const aliasExpr = body.attributes.find((a) => a.name === "alias")?.expression;
  const alias = aliasExpr ? aliasExpr.replace(/^"|"$/g, "") : undefined;
  const dt = body.blocks.find((b) => b.type === "default_tags");
  const defaultTags = dt ? scanHcl(dt.body).attributes.find((a) => a.name === "tags")?.expression : undefined;
  return { name: block.labels[0] ?? "", alias, file, line: block.line, defaultTags };
}

/** True when `expression` is `var.proton_tags` itself, or a `merge(...)` whose last argument is. */
export function isProtonTagsExpression(expression: string): boolean {
  const e = expression.replace(/\s+/g, "");
  const bare = (s: string): boolean => s === "var.proton_tags" || s === '"${var.proton_tags}"';
  if (bare(e)) return true;
  const merge = /^merge\((.*),([^,()]+)\)$/.exec(e);
  return merge !== null && bare(merge[2] ?? "");
}

/** One finding of the static tag check. */
export interface TagProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * The static half of the Proton tag check (see the module comment). Returns no problem for a
 * configuration that uses no AWS resources.
 */
export function checkProtonTags(summary: ConfigSummary, providerName = "aws"): TagProblem[] {
  const problems: TagProblem[] = [];
  const usesAws =
    summary.requiredProviders.includes(providerName) ||
    summary.providers.some((p) => p.name === providerName) ||
    summary.resources.some((r) => r.address.replace(/^data\./, "").startsWith(`${providerName}_`));
  if (!usesAws) return problems;
  const configs = summary.providers.filter((p) => p.name === providerName);
  if (!configs.some((p) => p.alias === undefined)) {
    problems.push({
      file: configs[0]?.file ?? summary.resources[0]?.file ?? "",
      line: 0,
      message: `no default provider "${providerName}" block: add provider "${providerName}" { default_tags { tags = var.proton_tags } } so every resource carries the Proton tags`,
    });
  }
  for (const p of configs) {
    const name = p.alias ? `provider "${providerName}" (alias ${p.alias})` : `provider "${providerName}"`;
    if (p.defaultTags === undefined) {
      problems.push({ file: p.file, line: p.line, message: `${name} has no default_tags: set default_tags { tags = var.proton_tags }` });
    } else if (!isProtonTagsExpression(p.defaultTags)) {
      problems.push({
        file: p.file,
        line: p.line,
        message: `${name} default_tags.tags is ${p.defaultTags}: it must be var.proton_tags (or merge(..., var.proton_tags))`,
      });
    }
  }
  for (const r of summary.resources) {
    if (r.tags !== undefined && /["']?proton:[a-z-]+["']?\s*[=:]/.test(r.tags)) {
      problems.push({
        file: r.file,
        line: r.line,
        message: `${r.address} sets a proton: tag key itself, which overrides the value from default_tags: remove it`,
      });
    }
  }
  return problems;
}

/** A value in mock defaults. */
export type MockValue = string | number | boolean | null | readonly MockValue[] | { readonly [key: string]: MockValue };

/** A mocked provider configuration a test file needs. */
export interface MockTarget {
  readonly name: string;
  readonly alias?: string;
  /** `source` of the mock: a directory of `.tfmock.hcl` files, relative to the configuration directory. */
  readonly source?: string;
  /** `mock_data "<type>" { defaults = ... }` blocks written inline. */
  readonly data?: Readonly<Record<string, Readonly<Record<string, MockValue>>>>;
  /** `mock_resource "<type>" { defaults = ... }` blocks written inline. */
  readonly resources?: Readonly<Record<string, Readonly<Record<string, MockValue>>>>;
}

/**
 * Mock values for AWS data sources whose random mock values break ordinary configurations
 * (an empty `names` list fails `element()` and "found something" checks, a random `json` fails
 * `jsondecode()`, a random account id fails ARN building). A template's own
 * `tests/mocks/aws/` files, and a test file's own `mock_data`, take precedence.
 */
export const DEFAULT_AWS_MOCK_DATA: Readonly<Record<string, Readonly<Record<string, MockValue>>>> = {
  aws_availability_zones: { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zone_ids: ["use1-az1", "use1-az2", "use1-az4"] },
  aws_caller_identity: { account_id: "111111111111", arn: "arn:aws:iam::111111111111:root", user_id: "111111111111" },
  aws_iam_policy_document: { json: '{"Version":"2012-10-17","Statement":[]}', minified_json: '{"Version":"2012-10-17","Statement":[]}' },
  aws_partition: { partition: "aws", dns_suffix: "amazonaws.com", reverse_dns_prefix: "com.amazonaws" },
  aws_region: { name: "us-east-1", description: "US East (N. Virginia)" },
  aws_ssm_parameters_by_path: {
    arns: ["arn:aws:ssm:us-east-1:111111111111:parameter/mock/parameter"],
    names: ["/mock/parameter"],
    types: ["String"],
    values: ["mock-value"],
  },
};

/** Types a directory of `.tfmock.hcl` files mocks, as `data.<type>` and `resource.<type>`. */
export function mockedTypes(dir: string): Set<string> {
  const types = new Set<string>();
  let files: string[] = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith(".tfmock.hcl"));
  } catch {
    return types;
  }
  for (const f of files) {
    for (const b of scanHcl(fs.readFileSync(path.join(dir, f), "utf8")).blocks) {
      if (b.type === "mock_data" && b.labels[0]) types.add(`data.${b.labels[0]}`);
      if (b.type === "mock_resource" && b.labels[0]) types.add(`resource.${b.labels[0]}`);
    }
  }
  return types;
}

/** The provider configurations to mock: every `<name>` provider block (with aliases), plus the default one. */
export function mockTargets(summary: ConfigSummary, mocked: readonly string[]): MockTarget[] {
  const out = new Map<string, MockTarget>();
  for (const name of mocked) {
    const used =
      summary.requiredProviders.includes(name) ||
      summary.providers.some((p) => p.name === name) ||
      summary.resources.some((r) => r.address.replace(/^data\./, "").startsWith(`${name}_`));
    if (used) out.set(name, { name });
  }
  for (const p of summary.providers) {
    if (mocked.includes(p.name)) out.set(p.alias ? `${p.name}.${p.alias}` : p.name, { name: p.name, alias: p.alias });
  }
  return [...out.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

function key(t: MockTarget): string {
  return t.alias ? `${t.name}.${t.alias}` : t.name;
}

/** `mock_provider` blocks (and real `provider` blocks) a test file already declares, as `name` / `name.alias`. */
export function declaredTestProviders(testFileText: string): Set<string> {
  const declared = new Set<string>();
  for (const b of scanHcl(testFileText).blocks) {
    if ((b.type !== "mock_provider" && b.type !== "provider") || !b.labels[0]) continue;
    const alias = scanHcl(b.body).attributes.find((a) => a.name === "alias")?.expression.replace(/^"|"$/g, "");
    declared.add(alias ? `${b.labels[0]}.${alias}` : b.labels[0]);
  }
  return declared;
}

/** An HCL literal for a JSON-like value (objects over several lines, indented from `indent`). */
export function hclValue(v: MockValue, indent: string): string {
  if (v === null) return "null";
  if (typeof v === "string") return hclString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => hclValue(x as MockValue, indent)).join(", ")}]`;
  const entries = Object.entries(v as { readonly [key: string]: MockValue });
  if (entries.length === 0) return "{}";
  const inner = `${indent}  `;
  return `{\n${entries.map(([k, x]) => `${inner}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : hclString(k)} = ${hclValue(x, inner)}`).join("\n")}\n${indent}}`;
}

/** The inline `mock_resource` and `mock_data` blocks of a target, indented for a `mock_provider` body. */
export function mockTypeBlocks(t: Pick<MockTarget, "data" | "resources">, skip: ReadonlySet<string> = new Set()): string[] {
  const body: string[] = [];
  const sorted = (o: MockTarget["data"]): [string, Readonly<Record<string, MockValue>>][] => Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [type, defaults] of sorted(t.resources)) {
    if (!skip.has(`resource.${type}`)) body.push(`  mock_resource "${type}" {`, `    defaults = ${hclValue(defaults, "    ")}`, "  }");
  }
  for (const [type, defaults] of sorted(t.data)) {
    if (!skip.has(`data.${type}`)) body.push(`  mock_data "${type}" {`, `    defaults = ${hclValue(defaults, "    ")}`, "  }");
  }
  return body;
}

/**
 * `mock_provider` blocks for `targets`, with their source and inline mock data. With
 * `duringPlan`, the mocked values are used from the plan on (`override_during = plan`).
 */
export function mockBlocks(targets: readonly MockTarget[], duringPlan = false): string {
  return targets
    .map((t) => {
      const body: string[] = [];
      if (t.alias) body.push(`  alias = "${t.alias}"`);
      if (duringPlan) body.push("  override_during = plan");
      if (t.source) body.push(`  source = ${hclString(t.source)}`);
      body.push(...mockTypeBlocks(t));
      return body.length === 0 ? `mock_provider "${t.name}" {}\n` : `mock_provider "${t.name}" {\n${body.join("\n")}\n}\n`;
    })
    .join("");
}

/**
 * A template's own test file, completed with protonkit's mocks:
 * - `mock_provider` blocks appended for every mocked provider configuration it does not declare;
 * - in the `mock_provider` blocks it declares itself, protonkit's inline defaults (ARN-shaped
 *   values, data sources) for the types that neither the block nor its `source` mocks
 *   (`sourceTypes` reads a source directory, as `source` is written in the file).
 * Blocks are appended, and a completed block is blanked in place and appended whole, so line
 * numbers in Terraform's messages still match the source. A file that needs nothing is returned unchanged.
 */
export function withMocks(
  testFileText: string,
  targets: readonly MockTarget[],
  sourceTypes: (source: string) => ReadonlySet<string> = () => new Set(),
): { text: string; added: string[] } {
  const declared = declaredTestProviders(testFileText);
  const missing = targets.filter((t) => !declared.has(key(t)));
  const spans: { start: number; end: number }[] = [];
  const completed: string[] = [];
  for (const b of scanHcl(testFileText).blocks) {
    if (b.type !== "mock_provider" || !b.labels[0]) continue;
    const body = scanHcl(b.body);
    const alias = body.attributes.find((a) => a.name === "alias")?.expression.replace(/^"|"$/g, "");
    const target = targets.find((t) => key(t) === (alias ? `${b.labels[0]}.${alias}` : b.labels[0]));
    if (!target) continue;
    const skip = new Set<string>();
    for (const inner of body.blocks) {
      if (inner.type === "mock_resource" && inner.labels[0]) skip.add(`resource.${inner.labels[0]}`);
      if (inner.type === "mock_data" && inner.labels[0]) skip.add(`data.${inner.labels[0]}`);
    }
    const source = body.attributes.find((a) => a.name === "source")?.expression.replace(/^"|"$/g, "");
    if (source) for (const t of sourceTypes(source)) skip.add(t);
    const extra = mockTypeBlocks(target, skip);
    if (extra.length === 0) continue;
    spans.push(blockSpan(testFileText, b));
    completed.push(`mock_provider "${b.labels[0]}" {${b.body.replace(/\s+$/, "")}\n${extra.join("\n")}\n}\n`);
  }
  if (missing.length === 0 && completed.length === 0) return { text: testFileText, added: [] };
  // Blank from the end, so earlier spans keep their offsets.
  const text = spans.sort((a, b) => b.start - a.start).reduce((acc, span) => blankSpan(acc, span), testFileText);
  const sep = text.endsWith("\n") ? "\n" : "\n\n";
  const parts: string[] = [];
  if (completed.length > 0) parts.push(`# Moved here by protonkit test, with protonkit's defaults for what its mocks do not cover.\n${completed.join("\n")}`);
  if (missing.length > 0) parts.push(`# Added by protonkit test: provider configurations this file did not mock.\n${mockBlocks(missing)}`);
  return { text: `${text}${sep}${parts.join("\n")}`, added: missing.map(key) };
}

/** Name of the generated baseline test file. */
export const BASELINE_TEST_FILE = "protonkit-baseline.tftest.hcl";
/** Name of the generated baseline run block. */
export const BASELINE_RUN = "protonkit_baseline";

function hclString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

/**
 * How the baseline runs for a configuration: `plan` when the plan can know every value, else
 * `apply`. With every provider the configuration uses mocked, a `mock_resource` / `mock_data`
 * block for every type it uses and `override_during = plan` (Terraform 1.11), the plan already
 * holds every mocked value, the AWS provider validates the arguments built from them, and the
 * outputs are known: an `apply` against the mock would add nothing but five more provider starts
 * (apply, then destroy when the file ends). A resource of a provider that is not mocked
 * (`terraform_data`, `random_*`, ...) or a function only apply can evaluate (`timestamp()`,
 * `uuid()`, `bcrypt()`) leaves values unknown in the plan, so such a configuration is applied.
 */
export function baselineCommand(summary: ConfigSummary, mocked: readonly string[]): "plan" | "apply" {
  if (summary.applyTimeFunctions.length > 0) return "apply";
  const unmocked = summary.resources.some((r) => !mocked.some((p) => r.address.replace(/^data\./, "").startsWith(`${p}_`)));
  return unmocked ? "apply" : "plan";
}

/**
 * The generated baseline `.tftest.hcl`: mocks, one run asserting every output is non-null, and
 * `var.proton_tags` holding the kind's keys. The run is `command` (see {@link baselineCommand};
 * with `plan`, `targets` must mock every type the configuration uses, and the mocks apply from
 * the plan on). Without `variables`, `terraform test` loads the rendered
 * `proton.auto.tfvars.json` from the configuration directory; with them (one example spec's
 * tfvars, when several specs share one directory) the run sets them.
 */
export function baselineTestFile(
  summary: ConfigSummary,
  kind: ResourceKind,
  targets: readonly MockTarget[],
  variables?: Readonly<Record<string, MockValue>>,
  command: "plan" | "apply" = "apply",
): string {
  const lines: string[] = [
    "# Generated by protonkit test: baseline assertions for every rendered template.",
    variables
      ? "# Variables are the example spec's proton.auto.tfvars.json."
      : "# Variables come from proton.auto.tfvars.json, which terraform test loads from the configuration directory.",
    ...(command === "plan" ? ["# A plan: every provider value is mocked from the plan on, so the plan knows what apply would give."] : []),
    "",
    mockBlocks(targets, command === "plan"),
    `run "${BASELINE_RUN}" {`,
    `  command = ${command}`,
    "",
  ];
  if (variables) {
    lines.push("  variables {");
    for (const [name, value] of Object.entries(variables)) lines.push(`    ${name} = ${hclValue(value, "    ")}`);
    lines.push("  }", "");
  }
  const when = command === "plan" ? "in the plan (every provider value mocked, as after apply)" : "after apply";
  for (const output of summary.outputs) {
    lines.push(
      "  assert {",
      `    condition     = output.${output} != null`,
      `    error_message = ${hclString(`output "${output}" is null ${when}: every declared output must have a value once applied`)}`,
      "  }",
    );
  }
  if (summary.variables.includes("proton_tags")) {
    const keys = REQUIRED_PROTON_TAG_KEYS[kind];
    lines.push(
      "  assert {",
      // HCL's && does not short-circuit: try() turns a null map into a failed condition, not an error.
      `    condition     = try(alltrue([for k in ${JSON.stringify(keys)} : contains(keys(var.proton_tags), k)]), false)`,
      `    error_message = ${hclString(`var.proton_tags must hold ${keys.join(", ")} (from proton.auto.tfvars.json)`)}`,
      "  }",
    );
  }
  if (lines[lines.length - 1] === "") lines.pop();
  lines.push("}", "");
  return lines.join("\n");
}
