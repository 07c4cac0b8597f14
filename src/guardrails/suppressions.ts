/**
 * Explicit, reviewable guardrail suppressions. A suppression names one rule, carries a reason,
 * and applies to a construct and everything under it. It is recorded as construct metadata
 * (type {@link SUPPRESSION_METADATA_TYPE}), so it is visible in the construct tree and can be
 * listed for the bundle README.
 */
import { IConstruct } from "constructs";
import { Problem, ProtonkitError } from "../errors";
import { RULES, RuleId, findRule } from "./rules";

/** Metadata type under which a suppression is recorded on a construct's node. */
export const SUPPRESSION_METADATA_TYPE = "protonkit:guardrail-suppression";

/** One suppression as listed for review. */
export interface Suppression {
  /** The suppressed rule. */
  readonly ruleId: RuleId;
  /** Path of the construct the suppression is attached to (it covers its children too). */
  readonly path: string;
  /** Why the rule does not apply here. */
  readonly reason: string;
}

interface SuppressionData {
  readonly ruleId: RuleId;
  readonly reason: string;
}

function isSuppressionData(x: unknown): x is SuppressionData {
  if (typeof x !== "object" || x === null) return false;
  const r = x as { ruleId?: unknown; reason?: unknown };
  return typeof r.ruleId === "string" && typeof r.reason === "string";
}

/** Suppressions attached directly to `construct` (not inherited). */
function ownSuppressions(construct: IConstruct): SuppressionData[] {
  return construct.node.metadata
    .filter((m) => m.type === SUPPRESSION_METADATA_TYPE)
    .map((m) => m.data as unknown)
    .filter(isSuppressionData);
}

/**
 * Suppress one guardrail rule for `construct` and its children.
 *
 * @param construct the construct (resource, data source, provider, or any scope above them)
 * @param ruleId a rule id from {@link RULES}
 * @param reason why the rule does not apply; required, shown in the bundle README
 * @throws ProtonkitError when the rule id is unknown, the reason is empty, or the rule is
 *   already suppressed on this construct
 */
export function suppressGuardrail(construct: IConstruct, ruleId: string, reason: string): void {
  const path = construct.node.path;
  const problems: Problem[] = [];
  const rule = findRule(ruleId);
  if (!rule) {
    problems.push(
      new Problem(`unknown guardrail rule ${JSON.stringify(ruleId)}`, {
        field: path,
        fix: `use one of ${RULES.map((r) => r.id).join(", ")}`,
      }),
    );
  }
  if (typeof reason !== "string" || reason.trim() === "") {
    problems.push(
      new Problem(`suppression of ${ruleId} needs a reason`, {
        field: path,
        fix: "pass a non-empty reason explaining why the rule does not apply here",
      }),
    );
  }
  if (rule && ownSuppressions(construct).some((s) => s.ruleId === rule.id)) {
    problems.push(
      new Problem(`${rule.id} is already suppressed here`, {
        field: path,
        fix: "suppress each rule once per construct",
      }),
    );
  }
  if (problems.length > 0 || !rule) throw new ProtonkitError(problems, "Invalid guardrail suppression:");
  const data: SuppressionData = { ruleId: rule.id, reason: reason.trim() };
  construct.node.addMetadata(SUPPRESSION_METADATA_TYPE, data);
}

/** Every suppression in `scope` (including on `scope` itself), sorted by path then rule id. */
export function listSuppressions(scope: IConstruct): Suppression[] {
  const out: Suppression[] = [];
  for (const c of scope.node.findAll()) {
    for (const s of ownSuppressions(c)) out.push({ ruleId: s.ruleId, path: c.node.path, reason: s.reason });
  }
  return out.sort((a, b) => compare(a.path, b.path) || compare(a.ruleId, b.ruleId));
}

/** The suppression of `ruleId` that covers `construct` (on it or on an ancestor), if any. */
export function suppressionFor(construct: IConstruct, ruleId: RuleId): Suppression | undefined {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    const s = ownSuppressions(c).find((x) => x.ruleId === ruleId);
    if (s) return { ruleId, path: c.node.path, reason: s.reason };
  }
  return undefined;
}

/** Plain code-unit comparison (locale-independent, deterministic). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
