import { Problem, ProtonkitError } from "../errors";
import type { InputObjectType } from "../proton/schema";
import { NO_INPUTS, objectSchema } from "../proton/schema";
import { closest, validateAgainst } from "../support/json-schema";
import type { JsonObject, PathSegment, YamlSource } from "../support/yaml";
import { describeValue, isPlainObject, readYamlFile } from "../support/yaml";
import { byLine, problemAt, problemCount } from "../support/problems";
import { resourceNameError } from "../proton/names";

/** The kinds of spec Proton accepts (the value of `proton:`). */
export type SpecKind = "EnvironmentSpec" | "ServiceSpec";

/** What a spec is checked against: the template's kind and its input types. */
export interface SpecTarget {
  readonly kind: SpecKind;
  /** For messages, e.g. `environment template vpc-env:1`. */
  readonly templateLabel: string;
  /**
   * Fix printed when the spec has the other known kind.
   * @default - render it with a template of its kind
   */
  readonly kindFix?: string;
  /**
   * EnvironmentSpec: the environment input type.
   * @default - no inputs allowed
   */
  readonly environmentInputs?: InputObjectType;
  /**
   * ServiceSpec: the instance input type.
   * @default - inputs are not checked (component bundles)
   */
  readonly instanceInputs?: InputObjectType;
  /**
   * ServiceSpec: whether a `pipeline:` section is allowed and what it holds. `inputs`
   * undefined with `allowed` true means "not checked".
   */
  readonly pipeline: { readonly allowed: boolean; readonly inputs?: InputObjectType };
}

/** A validated `proton: EnvironmentSpec`, defaults filled. */
export interface EnvironmentSpec {
  readonly kind: "EnvironmentSpec";
  readonly source: YamlSource;
  readonly inputs: JsonObject;
}

/** One validated instance of a service spec, defaults filled. */
export interface ServiceInstanceSpec {
  readonly name: string;
  readonly environment: string;
  readonly inputs: JsonObject;
  /** Index in `instances`, for field paths in later problems. */
  readonly index: number;
}

/** A validated `proton: ServiceSpec`, defaults filled. */
export interface ServiceSpec {
  readonly kind: "ServiceSpec";
  readonly source: YamlSource;
  /** Pipeline inputs; undefined when the template has no pipeline. */
  readonly pipeline?: JsonObject;
  readonly instances: readonly ServiceInstanceSpec[];
}

/** Either kind of validated spec. */
export type Spec = EnvironmentSpec | ServiceSpec;

/**
 * Reads a spec file and validates it against `target`: YAML syntax, the `proton:` kind, the
 * structure, resource names, duplicate instances and every input against the schema. All
 * problems are reported together in one {@link ProtonkitError}; nothing is thrown otherwise.
 */
export function loadSpec(file: string, target: SpecTarget): Spec {
  const { source, problems } = readYamlFile(file, "spec file");
  if (!source) throw new ProtonkitError(problems, `${problems[0]?.details.file ?? file}: the spec cannot be read`);
  const result = checkSpec(source, target);
  if (!result.spec) {
    throw new ProtonkitError(result.problems, `${source.displayFile}: ${problemCount(result.problems.length)} in the spec`);
  }
  return result.spec;
}

/** Validates an already parsed spec document; see {@link loadSpec}. */
export function checkSpec(source: YamlSource, target: SpecTarget): { spec?: Spec; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (segments: readonly PathSegment[], message: string, fix?: string): void => {
    problems.push(problemAt(source, segments, message, fix));
  };
  const root = source.value;
  if (root === undefined || root === null) {
    at([], "the spec is empty", `start it with \`proton: ${target.kind}\``);
    return { problems };
  }
  if (!isPlainObject(root)) {
    at([], `expected a map with \`proton: ${target.kind}\`, found ${describeValue(root)}`);
    return { problems };
  }
  const kind = root.proton;
  if (kind === undefined) {
    at(["proton"], `the spec kind is missing: expected proton: ${target.kind}, found nothing`, `add \`proton: ${target.kind}\` as the first line`);
    return { problems };
  }
  if (kind !== target.kind) {
    const known = kind === "EnvironmentSpec" || kind === "ServiceSpec";
    at(
      ["proton"],
      `expected ${target.kind} (the bundle is ${target.templateLabel}), found ${describeValue(kind)}`,
      known ? (target.kindFix ?? `render this spec with a template of its kind, or write \`proton: ${target.kind}\``) : `write \`proton: ${target.kind}\``,
    );
    return { problems };
  }
  const topKeys = target.kind === "EnvironmentSpec" ? ["proton", "spec"] : ["proton", "pipeline", "instances"];
  for (const key of Object.keys(root)) {
    if (!topKeys.includes(key)) {
      const hint = closest(key, topKeys);
      at([key], `unknown field: expected one of ${topKeys.join(", ")}, found "${key}"`, hint ? `did you mean ${hint}?` : "remove it");
    }
  }
  const inputs = (value: unknown, where: PathSegment[], type: InputObjectType | undefined, what: string): JsonObject => {
    if (value === undefined || value === null) value = {};
    if (!isPlainObject(value)) {
      at(where, `expected a map of ${what} inputs, found ${describeValue(value)}`);
      return {};
    }
    if (!type) return value as JsonObject;
    const checked = validateAgainst(objectSchema(type), value);
    for (const issue of checked.problems) at([...where, ...issue.path], issue.message, issue.fix);
    return checked.value as JsonObject;
  };

  if (target.kind === "EnvironmentSpec") {
    const values = inputs(root.spec, ["spec"], target.environmentInputs ?? NO_INPUTS, "environment");
    return problems.length ? { problems: byLine(problems) } : { problems, spec: { kind: "EnvironmentSpec", source, inputs: values } };
  }

  let pipeline: JsonObject | undefined;
  if (target.pipeline.allowed) {
    if (root.pipeline === undefined && target.pipeline.inputs && target.pipeline.inputs.required.length > 0) {
      // Name the missing section, not just the inputs, so the fix is obvious.
      for (const name of target.pipeline.inputs.required) {
        at(["pipeline", name], `required pipeline input is missing: the spec has no pipeline section (${target.templateLabel} has a pipeline)`, `add \`pipeline:\` with ${name}`);
      }
    } else {
      pipeline = inputs(root.pipeline, ["pipeline"], target.pipeline.inputs, "pipeline");
    }
  } else if (root.pipeline !== undefined) {
    at(["pipeline"], `unexpected pipeline section: ${target.templateLabel} has no pipeline (no pipeline_infrastructure/)`, "remove the pipeline section, or use a template with a pipeline");
  }

  const instances: ServiceInstanceSpec[] = [];
  const rawInstances = root.instances;
  if (!Array.isArray(rawInstances) || rawInstances.length === 0) {
    at(["instances"], `expected a list of at least 1 instance, found ${describeValue(rawInstances)}`, "add `instances:` with `- name: ...`, `environment: ...`, `spec: ...`");
  } else {
    const seen = new Map<string, number>();
    rawInstances.forEach((raw: unknown, index: number) => {
      const where: PathSegment[] = ["instances", index];
      if (!isPlainObject(raw)) {
        at(where, `expected an instance map (name, environment, spec), found ${describeValue(raw)}`);
        return;
      }
      const keys = ["name", "environment", "spec"];
      for (const key of Object.keys(raw)) {
        if (!keys.includes(key)) {
          const hint = closest(key, keys);
          at([...where, key], `unknown field: expected one of ${keys.join(", ")}, found "${key}"`, hint ? `did you mean ${hint}?` : "remove it");
        }
      }
      let ok = true;
      for (const key of ["name", "environment"] as const) {
        const err = raw[key] === undefined ? `required field is missing: expected a resource name, found nothing` : resourceNameError(raw[key]);
        if (err) {
          at([...where, key], err, raw[key] === undefined ? `add ${key}` : undefined);
          ok = false;
        }
      }
      if (typeof raw.name === "string" && resourceNameError(raw.name) === undefined) {
        const first = seen.get(raw.name);
        if (first !== undefined) {
          at([...where, "name"], `duplicate instance name: expected unique names, found "${raw.name}" again (first at instances[${first}])`, "rename one of the instances");
          ok = false;
        } else {
          seen.set(raw.name, index);
        }
      }
      const values = inputs(raw.spec, [...where, "spec"], target.instanceInputs, "instance");
      if (ok) instances.push({ name: raw.name as string, environment: raw.environment as string, inputs: values, index });
    });
  }
  if (problems.length) return { problems: byLine(problems) };
  return { problems, spec: { kind: "ServiceSpec", source, pipeline, instances } };
}
