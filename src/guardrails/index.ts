/**
 * Guardrails: rules that refuse to synthesize an unsafe template (docs/ARCHITECTURE.md, decision 8).
 *
 * The check reads the stack's synthesized Terraform JSON (`stack.toTerraform()`, tokens
 * resolved, escape-hatch overrides applied) plus construct metadata (paths, suppressions), so
 * it sees final values and references such as `${aws_s3_bucket.x.id}` regardless of how the
 * construct props were written.
 *
 * Two ways to run it:
 * - {@link applyGuardrails} adds a CDKTF aspect; during `app.synth()` it registers a stack
 *   validation that runs after every aspect and throws a {@link ProtonkitError} listing all
 *   violations. (Annotations with level error are not used: cdktf does not fail synth on them
 *   when `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS` is set, which `cdktf synth` does.)
 * - {@link assertGuardrails} / {@link checkGuardrails} on a stack, e.g. from the bundle writer
 *   after `app.synth()`.
 */
import { App, Aspects, IAspect, TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { Problem, ProtonkitError } from "../errors";
import { runChecks } from "./checks";
import { Rule, RuleId, RULES, rule } from "./rules";
import { Suppression, compare, listSuppressions, suppressGuardrail, suppressionFor } from "./suppressions";
import { TfConfig } from "./terraform-json";

export { RULES, listSuppressions, suppressGuardrail };
export type { Rule, RuleId, Suppression };

/** One unsuppressed rule violation. */
export interface Violation {
  /** The rule, e.g. `PK-S3-001`. */
  readonly ruleId: RuleId;
  /** The rule's title. */
  readonly title: string;
  /** Construct path (`node.path`) of the offending construct. */
  readonly path: string;
  /** What is wrong (Terraform address, attribute, value). */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Check a stack against every rule and return the violations that are not suppressed, sorted
 * by path, rule id and message. Pure: it does not throw on violations and does not modify the
 * stack. Works before or after `app.synth()`. `config` is the stack's `toTerraform()`, when
 * the caller has it already.
 */
export function checkGuardrails(stack: TerraformStack, config: TfConfig = stack.toTerraform() as TfConfig): Violation[] {
  const byPath = new Map<string, IConstruct>();
  const providerPaths = new Map<string, string>();
  const elementPaths = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    byPath.set(c.node.path, c);
    if (c instanceof TerraformProvider && c.terraformResourceType === "aws") {
      providerPaths.set(c.alias ?? "", c.node.path);
    } else if (c instanceof TerraformResource) {
      elementPaths.set(`${c.terraformResourceType}.${c.friendlyUniqueId}`, c.node.path);
    } else if (c instanceof TerraformDataSource) {
      elementPaths.set(`data.${c.terraformResourceType}.${c.friendlyUniqueId}`, c.node.path);
    }
  }
  const findings = runChecks(config, { stackPath: stack.node.path, providerPaths, elementPaths });
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const construct = byPath.get(f.path) ?? nearestConstruct(f.path, byPath) ?? stack;
    if (suppressionFor(construct, f.ruleId)) continue;
    const key = `${f.ruleId}\u0000${f.path}\u0000${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const r = rule(f.ruleId);
    out.push({ ruleId: f.ruleId, title: r.title, path: f.path, message: f.message, fix: r.fix });
  }
  return out.sort((a, b) => compare(a.path, b.path) || compare(a.ruleId, b.ruleId) || compare(a.message, b.message));
}

function nearestConstruct(path: string, byPath: ReadonlyMap<string, IConstruct>): IConstruct | undefined {
  const parts = path.split("/");
  while (parts.length > 0) {
    parts.pop();
    const c = byPath.get(parts.join("/"));
    if (c) return c;
  }
  return undefined;
}

/** The error {@link assertGuardrails} throws for these violations. */
export function guardrailError(stack: TerraformStack, violations: readonly Violation[]): ProtonkitError {
  return new ProtonkitError(
    violations.map(
      (v) => new Problem(`${v.ruleId} ${v.title}: ${v.message}`, { field: v.path, fix: v.fix }),
    ),
    `Guardrails refused to synthesize stack ${stack.node.path}: ${violations.length} violation(s). ` +
      "Fix each one, or suppress it with suppressGuardrail(construct, ruleId, reason).",
  );
}

/** Throw one {@link ProtonkitError} listing every unsuppressed violation of the stack (see {@link checkGuardrails} for `config`). */
export function assertGuardrails(stack: TerraformStack, config?: TfConfig): void {
  const violations = checkGuardrails(stack, config);
  if (violations.length > 0) throw guardrailError(stack, violations);
}

/**
 * The guardrails aspect. When it visits its stack during `app.synth()` it adds a validation to
 * the stack that runs {@link assertGuardrails} after all aspects have run. If the app was
 * created with `skipValidation: true` (validations would not run) it checks immediately instead.
 */
export class GuardrailsAspect implements IAspect {
  private registered = false;

  constructor(private readonly stack: TerraformStack) {}

  /** @inheritdoc */
  visit(node: IConstruct): void {
    if (node !== this.stack || this.registered) return;
    this.registered = true;
    if (App.of(this.stack).skipValidation) {
      assertGuardrails(this.stack);
      return;
    }
    this.stack.node.addValidation({
      validate: () => {
        assertGuardrails(this.stack);
        return [];
      },
    });
  }
}

/**
 * Add the guardrails aspect to a stack, so `app.synth()` throws a {@link ProtonkitError} listing
 * every unsuppressed violation. Idempotent.
 */
export function applyGuardrails(stack: TerraformStack): void {
  const aspects = Aspects.of(stack);
  if (aspects.all.some((a) => a instanceof GuardrailsAspect)) return;
  aspects.add(new GuardrailsAspect(stack));
}
