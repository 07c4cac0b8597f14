/**
 * Suppressions of policy-on-the-plan violations, kept in the provisioning repository
 * (`.protonkit/policy.yaml`, reviewed like any change there):
 *
 *     suppressions:
 *       - rule: PK-LOG-001
 *         address: aws_cloudwatch_log_group.audit   # and/or
 *         directory: "environments/prod/**"          # glob of resource directories
 *         reason: audit logs are kept forever by policy
 */
import * as fs from "node:fs";
import { Problem, ProtonkitError } from "../errors";
import { RULES, findRule, type RuleId } from "../guardrails/rules";
import { byLine, problemAt, problemCount } from "../support/problems";
import { isPlainObject, readYamlFile, type YamlSource } from "../support/yaml";

/** Default location of the suppressions file, relative to the provisioning repository. */
export const POLICY_SUPPRESSIONS_PATH = ".protonkit/policy.yaml";

/** One suppression. At least one of `address` and `directory` is set. */
export interface PlanSuppression {
  readonly rule: RuleId;
  /**
   * Exact Terraform address of the resource or provider.
   * @default - any address (then `directory` is set)
   */
  readonly address?: string;
  /**
   * Glob of resource directories (`*` one segment, `**` any).
   * @default - any directory (then `address` is set)
   */
  readonly directory?: string;
  /** Why the rule does not apply. */
  readonly reason: string;
}

const KEYS = ["rule", "address", "directory", "reason"];

/** Validate a parsed suppressions file; problems carry file, line and field. */
export function parseSuppressions(source: YamlSource): { suppressions: PlanSuppression[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const suppressions: PlanSuppression[] = [];
  const root = source.value;
  if (root === undefined || root === null) return { suppressions, problems };
  if (!isPlainObject(root)) {
    return { suppressions, problems: [problemAt(source, [], "expected a mapping with a suppressions list", "write `suppressions:` followed by a list")] };
  }
  for (const key of Object.keys(root)) {
    if (key !== "suppressions") problems.push(problemAt(source, [key], `unknown key ${JSON.stringify(key)}`, "the only top-level key is suppressions"));
  }
  const list = root["suppressions"];
  if (list === undefined || list === null) return { suppressions, problems };
  if (!Array.isArray(list)) {
    problems.push(problemAt(source, ["suppressions"], "expected a list", "write one `- rule: ...` entry per suppression"));
    return { suppressions, problems };
  }
  list.forEach((item: unknown, i: number) => {
    const at = ["suppressions", i];
    if (!isPlainObject(item)) {
      problems.push(problemAt(source, at, "expected a mapping with rule, address or directory, and reason"));
      return;
    }
    for (const key of Object.keys(item)) {
      if (!KEYS.includes(key)) problems.push(problemAt(source, [...at, key], `unknown key ${JSON.stringify(key)}`, `use ${KEYS.join(", ")}`));
    }
    const str = (key: string): string | undefined => {
      const v = item[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== "string" || v.trim() === "") {
        problems.push(problemAt(source, [...at, key], `${key} must be a non-empty string`));
        return undefined;
      }
      return v.trim();
    };
    const ruleId = str("rule");
    const address = str("address");
    const directory = str("directory");
    const reason = str("reason");
    const found = ruleId === undefined ? undefined : findRule(ruleId);
    if (ruleId === undefined && item["rule"] === undefined) problems.push(problemAt(source, at, "rule is required", `add rule: one of ${RULES.map((r) => r.id).join(", ")}`));
    else if (ruleId !== undefined && !found) problems.push(problemAt(source, [...at, "rule"], `unknown rule ${JSON.stringify(ruleId)}`, `use one of ${RULES.map((r) => r.id).join(", ")}`));
    if (address === undefined && directory === undefined && item["address"] === undefined && item["directory"] === undefined) {
      problems.push(problemAt(source, at, "address or directory is required", "add address: <terraform address> or directory: <glob of resource directories>"));
    }
    if (reason === undefined && item["reason"] === undefined) problems.push(problemAt(source, at, "reason is required", "add reason: why the rule does not apply here"));
    if (found && reason !== undefined && (address !== undefined || directory !== undefined)) {
      suppressions.push({ rule: found.id, reason, ...(address !== undefined ? { address } : {}), ...(directory !== undefined ? { directory } : {}) });
    }
  });
  return { suppressions, problems };
}

/**
 * Load the suppressions file; a missing file at the default location means none. Throws a
 * {@link ProtonkitError} listing every problem (file:line, field, fix).
 */
export function loadSuppressions(file: string, options: { readonly required?: boolean } = {}): PlanSuppression[] {
  if (!options.required && !fs.existsSync(file)) return [];
  const read = readYamlFile(file, "policy suppressions file");
  const problems = [...read.problems];
  let suppressions: PlanSuppression[] = [];
  if (read.source) {
    const parsed = parseSuppressions(read.source);
    problems.push(...parsed.problems);
    suppressions = parsed.suppressions;
  }
  if (problems.length > 0) throw new ProtonkitError(byLine(problems), `Invalid policy suppressions (${problemCount(problems.length)}):`);
  return suppressions;
}
