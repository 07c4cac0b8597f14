import { Problem, ProtonkitError } from "../errors";

/** One output as `terraform output -json` prints it. */
export interface TerraformOutput {
  /** The value, in JSON. */
  readonly value: unknown;
  /** Terraform's type constraint, in JSON. */
  readonly type?: unknown;
  /** True for an output declared `sensitive = true`. */
  readonly sensitive?: boolean;
}

/** One output as Proton takes it. */
export interface ProtonOutput {
  /** Output name, 1..1024 characters. */
  readonly key: string;
  /** Encoded value, 1..1024 characters. */
  readonly valueString: string;
}

/** An output left out of the report, and why. */
export interface SkippedOutput {
  /** Output name. */
  readonly key: string;
  /** Why it was left out. */
  readonly reason: "empty" | "null" | "sensitive";
}

/** Result of {@link encodeOutputs}. */
export interface EncodedOutputs {
  /** What to send, sorted by key. */
  readonly outputs: ProtonOutput[];
  /** What was left out; never carries a value. */
  readonly skipped: SkippedOutput[];
}

/** Proton's limits on NotifyResourceDeploymentStatusChange outputs. */
export const OUTPUT_LIMITS = { maxOutputs: 50, maxKeyLength: 1024, maxValueLength: 1024 } as const;

/** Options of {@link encodeOutputs}. */
export interface EncodeOptions {
  /** Send sensitive outputs too (configuration `report_sensitive_outputs: true`). Default false. */
  readonly includeSensitive?: boolean;
}

/**
 * Encodes one Terraform value as Proton text: strings as they are, numbers and booleans as
 * text, lists/tuples/maps/objects as compact JSON. Returns `undefined` for null, and "" for an
 * empty string (the caller skips both: Proton rejects empty values).
 */
export function encodeValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/**
 * Turns `terraform output -json` into Proton outputs.
 *
 * Decisions: null and empty-string outputs are skipped (Proton rejects an empty valueString,
 * and "absent" is the closest meaning); sensitive outputs are skipped unless
 * `includeSensitive`. More than 50 outputs, or a key or value longer than 1024 characters,
 * throws a `ProtonkitError` naming the output (never its value).
 */
export function encodeOutputs(tf: Readonly<Record<string, TerraformOutput>>, options: EncodeOptions = {}): EncodedOutputs {
  const outputs: ProtonOutput[] = [];
  const skipped: SkippedOutput[] = [];
  const problems: Problem[] = [];
  for (const key of Object.keys(tf).sort()) {
    const out = tf[key];
    if (out.sensitive === true && !options.includeSensitive) {
      skipped.push({ key, reason: "sensitive" });
      continue;
    }
    const valueString = encodeValue(out.value);
    if (valueString === undefined) {
      skipped.push({ key, reason: "null" });
      continue;
    }
    if (valueString === "") {
      skipped.push({ key, reason: "empty" });
      continue;
    }
    if (key.length > OUTPUT_LIMITS.maxKeyLength) {
      problems.push(
        new Problem(`output name is ${key.length} characters long; Proton accepts at most ${OUTPUT_LIMITS.maxKeyLength}`, {
          field: `output "${key.slice(0, 60)}..."`,
          fix: "rename the output in the template",
        }),
      );
      continue;
    }
    if (valueString.length > OUTPUT_LIMITS.maxValueLength) {
      problems.push(
        new Problem(
          `value is ${valueString.length} characters long once encoded; Proton accepts at most ${OUTPUT_LIMITS.maxValueLength}`,
          { field: `output "${key}"`, fix: "output something shorter (an id or a name instead of a document), or split it" },
        ),
      );
      continue;
    }
    outputs.push({ key, valueString });
  }
  if (outputs.length > OUTPUT_LIMITS.maxOutputs) {
    problems.push(
      new Problem(
        `${outputs.length} outputs to report; Proton accepts at most ${OUTPUT_LIMITS.maxOutputs} (outputs: ${outputs.map((o) => o.key).join(", ")})`,
        { field: "outputs", fix: "remove outputs from the template, or combine them into a map output" },
      ),
    );
  }
  if (problems.length > 0) throw new ProtonkitError(problems, "cannot report the Terraform outputs to Proton");
  return { outputs, skipped };
}

/** A log line describing skipped outputs (names only), or "" when none were skipped. */
export function describeSkipped(skipped: readonly SkippedOutput[]): string {
  if (skipped.length === 0) return "";
  const by = (reason: SkippedOutput["reason"]): string[] => skipped.filter((s) => s.reason === reason).map((s) => s.key);
  const parts: string[] = [];
  if (by("sensitive").length) parts.push(`sensitive, not reported (set report_sensitive_outputs: true to report): ${by("sensitive").join(", ")}`);
  if (by("empty").length) parts.push(`empty string, Proton rejects empty values: ${by("empty").join(", ")}`);
  if (by("null").length) parts.push(`null: ${by("null").join(", ")}`);
  return `skipped outputs: ${parts.join("; ")}`;
}

/**
 * Checks the outputs a plan will produce against Proton's limits before anything is applied,
 * from `terraform show -json`'s `planned_values.outputs`. An output whose value is not known
 * until apply counts as one output (its length cannot be checked yet). Throws like
 * {@link encodeOutputs}.
 */
export function checkPlannedOutputs(plan: unknown, options: EncodeOptions = {}): void {
  const planned = (plan as { planned_values?: { outputs?: Record<string, { sensitive?: boolean; value?: unknown }> } } | null)?.planned_values?.outputs ?? {};
  const tf: Record<string, TerraformOutput> = {};
  for (const [key, o] of Object.entries(planned)) {
    tf[key] = { sensitive: o.sensitive === true, value: "value" in o ? o.value : "(known after apply)" };
  }
  encodeOutputs(tf, options);
}
