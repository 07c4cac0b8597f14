import { Fn, IResolvable, TerraformElement, TerraformOutput, TerraformStack, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct, Node } from "constructs";
import type { InputSet } from "./inputs";
import { declarationProblems } from "./inputs";
import { anyExpr, expr, InputRefs, inputRefs, mapExpr } from "./refs";
import { knownNames, strict } from "./strict";
import { fail, Problem, ProtonkitError } from "../errors";
import type { InfrastructureFolder, InputSection, TemplateKind } from "../proton/contract";
import { nameProblems } from "../proton/names";

export type { InfrastructureFolder, InputSection, TemplateKind } from "../proton/contract";

/** Outputs a template declares: name to description. */
export type OutputSet = Readonly<Record<string, string>>;

/** Where Terraform state lives. `s3` writes an empty `backend "s3" {}` the provisioning automation configures. */
export type BackendChoice = "s3" | "none";

/** Fields every template definition has. */
export interface TemplateDefinitionBase {
  /** Template name in Proton: `^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`, at most 100 characters. */
  readonly name: string;
  /** Major version. Raise it for changes that break existing specs; the old `v<major>/` stays. */
  readonly major: number;
  /**
   * Human title.
   * @default the name
   */
  readonly displayName?: string;
  /** What the template provides, for schema.yaml and the README. */
  readonly description: string;
  /**
   * State backend.
   * @default "s3"
   */
  readonly backend?: BackendChoice;
}

/** An environment template: inputs and the (string) outputs services may read. */
export interface EnvironmentDefinition<I extends InputSet = InputSet, O extends OutputSet = OutputSet> extends TemplateDefinitionBase {
  /** Inputs of `spec.yaml` (`var.environment.inputs`), by name. */
  readonly inputs: I;
  /** Outputs, name to description; every one must be set, and compatible services may read them. */
  readonly outputs: O;
}

/** A class made by {@link environmentTemplate}; services name these to declare compatibility. */
export interface EnvironmentTemplateClass<O extends OutputSet = OutputSet> {
  readonly definition: EnvironmentDefinition<InputSet, O>;
}

/** Output names every listed environment template declares: what a compatible service may read. */
// `keyof` of a union is the keys all members share.
export type CommonOutputs<E extends EnvironmentTemplateClass> = keyof (E extends EnvironmentTemplateClass<infer O> ? O : never) & string;

/** The pipeline part of a service template. */
export interface PipelineDefinition<PI extends InputSet = InputSet, PO extends OutputSet = OutputSet> {
  /** The spec's `pipeline` inputs (`var.pipeline.inputs`). */
  readonly inputs: PI;
  /** Pipeline outputs, name to description. */
  readonly outputs: PO;
}

/** A service template: instance infrastructure plus optional pipeline infrastructure. */
export interface ServiceDefinition<
  I extends InputSet = InputSet,
  O extends OutputSet = OutputSet,
  E extends EnvironmentTemplateClass = EnvironmentTemplateClass,
  P extends PipelineDefinition | undefined = PipelineDefinition | undefined,
> extends TemplateDefinitionBase {
  /** Environment templates whose environments may run the service; outputs they share are typed. */
  readonly compatibleEnvironments: readonly E[];
  /** Inputs of each instance in `spec.yaml` (`var.service_instance.inputs`), by name. */
  readonly inputs: I;
  /** Instance outputs, name to description; every one must be set. */
  readonly outputs: O;
  /**
   * Pipeline infrastructure, deployed once per service.
   * @default no pipeline (no `pipeline_infrastructure/` folder)
   */
  readonly pipeline?: P;
  /**
   * Accept directly defined components attached to instances (`supported_component_sources`).
   * @default false
   */
  readonly directlyDefinedComponents?: boolean;
}

/** A component template: infrastructure attached to a service instance. It has no spec of its own. */
export interface ComponentDefinition<O extends OutputSet = OutputSet, E extends EnvironmentTemplateClass = EnvironmentTemplateClass>
  extends TemplateDefinitionBase {
  /** Environment templates the component's environments come from. */
  readonly compatibleEnvironments: readonly E[];
  /** Outputs (strings only), name to description; the attached instance reads them. */
  readonly outputs: O;
}

/** Any definition, as the bundle writer sees it. */
export type AnyDefinition = EnvironmentDefinition | ServiceDefinition | ComponentDefinition;

/** How an output value is turned into the string Proton stores. */
export interface OutputOptions {
  /**
   * How a list or map becomes a string: `json` (jsonencode) or `csv` (join with commas).
   * Lists and maps must say it.
   * @default none: the value must already be a string, number or boolean
   */
  readonly encode?: "json" | "csv";
  /**
   * Hide the value in Terraform's output (it is still reported to Proton).
   * @default false
   */
  readonly sensitive?: boolean;
}

/** A value a template passes to an output. */
export type OutputValue = string | number | boolean | readonly string[] | readonly number[] | IResolvable | Readonly<Record<string, unknown>>;

export { RESERVED_VARIABLES } from "../proton/contract";

/**
 * A stack whose Terraform names are readable: the construct path below the stack in
 * snake_case (`network/vpc` becomes `network_vpc`), without cdktf's hash suffix. Paths are
 * unique, so names are too; reviewers read these names in every plan and pull request.
 */
export class ProtonStack extends TerraformStack {
  private readonly names = new Map<string, string>();

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const parts = node.scopes.slice(this.node.scopes.length).map((c) => c.node.id);
    const name = parts
      .join("_")
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/[^A-Za-z0-9_]+/g, "_")
      .replace(/_+/g, "_")
      .replace(/^_|_$/g, "")
      .toLowerCase();
    const safe = /^[a-z_]/.test(name) ? name : `r_${name}`;
    const previous = this.names.get(safe);
    if (previous !== undefined && previous !== node.path) {
      fail(`constructs ${previous} and ${node.path} both map to the Terraform name "${safe}"`, { field: node.path, fix: "rename one of the constructs" });
    }
    this.names.set(safe, node.path);
    return safe;
  }
}

/**
 * Base of every template. A template is a construct holding one Terraform stack per bundle
 * folder; the bundle writer reads stacks, declared inputs and recorded outputs from it.
 */
export abstract class ProtonTemplate extends Construct {
  /** Template kind. */
  abstract readonly kind: TemplateKind;
  /** The definition the class was made from. */
  readonly definition: AnyDefinition;
  /** One stack per bundle folder, in folder order. */
  readonly stacks = new Map<InfrastructureFolder, TerraformStack>();
  /** Environment outputs this template's code read (services and components). */
  readonly environmentOutputsRead = new Set<string>();
  private readonly outputsSet = new Map<InfrastructureFolder, Set<string>>();

  protected constructor(scope: Construct, definition: AnyDefinition) {
    // Majors after the first live beside it in one app: their construct ids differ.
    super(scope, definition.major > 1 ? `${definition.name}-v${definition.major}` : definition.name);
    this.definition = definition;
  }

  /**
   * Refuses a definition Proton would refuse (its name, its input declarations), naming this
   * construct. Each kind calls it once its definition is set.
   */
  protected checkDefinition(): void {
    const field = this.node.path;
    const problems = nameProblems(this.definition.name).map((p) => new Problem(p.message, { ...p.details, field }));
    for (const [section, inputs] of this.declaredInputs()) {
      problems.push(...declarationProblems(section, inputs).map((m) => new Problem(m, { field, fix: "fix the input declaration" })));
    }
    if (problems.length > 0) throw new ProtonkitError(problems, `template ${this.definition.name} is not valid:`);
  }

  /** Creates the stack for a bundle folder, with the AWS provider tagging everything with Proton's tags. */
  protected addStack(folder: InfrastructureFolder): TerraformStack {
    const stack = new ProtonStack(this, `${this.definition.name}-${folder.replace(/_/g, "-")}`);
    // No region: the provisioning automation sets AWS_REGION per environment.
    new AwsProvider(stack, "aws", { defaultTags: [{ tags: mapExpr("var.proton_tags") }] });
    this.stacks.set(folder, stack);
    this.outputsSet.set(folder, new Set());
    return stack;
  }

  /**
   * Declares a Terraform output in `folder`. Names are checked against the definition by the
   * typed wrappers of each kind; here the value is made Proton-safe.
   */
  protected addOutput(folder: InfrastructureFolder, name: string, description: string, value: OutputValue, options: OutputOptions, stringsOnly: boolean): void {
    const stack = this.stacks.get(folder);
    if (!stack) throw new Error(`${this.definition.name}: no ${folder} stack to add output ${name} to`);
    const declared = this.declaredOutputs().get(folder) ?? {};
    if (!Object.prototype.hasOwnProperty.call(declared, name)) {
      fail(`${this.node.path}: output "${name}" is not declared in ${folder === "pipeline_infrastructure" ? "pipeline.outputs" : "outputs"} of the definition`, {
        field: `outputs.${name}`,
        fix: `declare it, or ${knownNames(name, Object.keys(declared))}`,
      });
    }
    const set = this.outputsSet.get(folder)!;
    if (set.has(name)) fail(`${this.definition.name}: output "${name}" is set twice in ${folder}`, { field: `outputs.${name}`, fix: "call output() once per declared output" });
    set.add(name);
    new TerraformOutput(stack, `output-${name}`, {
      value: stringsOnly ? asProtonString(this.definition.name, name, value, options) : value,
      description,
      sensitive: options.sensitive,
    }).overrideLogicalId(name);
  }

  /** Outputs declared in the definition but never set, per folder (checked at synth). */
  missingOutputs(): string[] {
    const missing: string[] = [];
    for (const [folder, declared] of this.declaredOutputs()) {
      const set = this.outputsSet.get(folder) ?? new Set<string>();
      for (const name of Object.keys(declared)) if (!set.has(name)) missing.push(`${folder}: ${name}`);
    }
    return missing;
  }

  /** Declared outputs per folder. */
  abstract declaredOutputs(): ReadonlyMap<InfrastructureFolder, OutputSet>;
  /** Declared inputs per schema section (`environment`, `service_instance`, `pipeline`). */
  abstract declaredInputs(): ReadonlyMap<InputSection, InputSet>;
  /** `name:major` of compatible environment templates (services and components). */
  compatibleEnvironments(): string[] {
    const envs = "compatibleEnvironments" in this.definition ? this.definition.compatibleEnvironments : [];
    return envs.map((e) => `${e.definition.name}:${e.definition.major}`).sort();
  }
}

/**
 * Environment outputs are strings in Proton. Numbers and booleans become `tostring(...)`; lists
 * and maps must name an encoding, else the template is refused with the fix.
 */
function asProtonString(template: string, name: string, value: OutputValue, options: OutputOptions): string {
  const isList = Array.isArray(value);
  // A string token may be a list or map built by a Terraform function (Fn.concat): the encoding applies to it too.
  if (options.encode === "json") return Fn.jsonencode(value);
  if (options.encode === "csv" && (isList || typeof value === "string")) return Fn.join(",", isList ? (value as string[]) : Token.asList(value));
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return Fn.tostring(value);
  if (Token.isUnresolved(value) && !isList && options.encode === undefined && isResolvable(value)) {
    // A boolean or other raw reference: Terraform converts primitives with tostring().
    return Fn.tostring(value);
  }
  fail(
    `${template}: output "${name}" is a ${isList ? "list" : "map"}, but Proton stores outputs as strings. ` +
      `Pass { encode: "json" }${isList ? ' or { encode: "csv" }' : ""} to say how to encode it.`,
    { field: `outputs.${name}` },
  );
}

function isResolvable(value: unknown): value is IResolvable {
  return typeof value === "object" && value !== null && typeof (value as IResolvable).resolve === "function";
}

/** Proton's variables a service instance can read. */
export interface InstanceContext<OutputName extends string> {
  /** `var.environment.name`. */
  readonly environmentName: string;
  /** `var.environment.account_id`. */
  readonly environmentAccountId: string;
  /** `var.service.name`. */
  readonly serviceName: string;
  /** `var.service_instance.name`. */
  readonly instanceName: string;
  /** `var.service.repository_id`, `branch_name`, `repository_connection_arn`. */
  readonly repository: { readonly id: string; readonly branch: string; readonly connectionArn: string };
  /** `var.environment.outputs.<x>`: only outputs every compatible environment declares exist. */
  readonly environmentOutputs: { readonly [K in OutputName]: string };
}

function environmentOutputsProxy<K extends string>(owner: ProtonTemplate, names: readonly K[]): { readonly [P in K]: string } {
  const envs = "compatibleEnvironments" in owner.definition ? owner.definition.compatibleEnvironments.map((e) => e.definition.name) : [];
  const out = strict({} as Record<K, string>, (name, known) =>
    fail(`${owner.node.path}: reads environment output "${name}", which ${envs.length > 1 ? `not every compatible environment (${envs.join(", ")}) declares` : `${envs.join("") || "no compatible environment"} does not declare`}`, {
      field: `context.environmentOutputs.${name}`,
      fix: `${knownNames(name, known)}; or declare the output in the environment template`,
    }),
  );
  for (const name of names) {
    Object.defineProperty(out, name, {
      enumerable: true,
      get: () => {
        owner.environmentOutputsRead.add(name);
        return expr(`var.environment.outputs.${name}`);
      },
    });
  }
  return out;
}

function commonOutputNames(envs: readonly EnvironmentTemplateClass[]): string[] {
  if (envs.length === 0) return [];
  const [first, ...rest] = envs;
  return Object.keys(first.definition.outputs).filter((n) => rest.every((e) => n in e.definition.outputs)).sort();
}

/** A strict object whose unknown properties are errors naming the template and `what`. */
export function strictMembers<T extends object>(owner: Construct, what: string, target: T): T {
  return strict(target, (name, known) =>
    fail(`${owner.node.path}: reads ${what}.${name}, which does not exist`, { field: `${what}.${name}`, fix: knownNames(name, known) }),
  );
}

/** Typed input references whose unknown names are errors naming the template. */
function strictInputs<S extends InputSet>(owner: Construct, what: string, base: string, inputs: S): InputRefs<S> {
  return strict(inputRefs(base, inputs), (name, known) =>
    fail(`${owner.node.path}: reads input "${name}", which the definition does not declare`, {
      field: `${what}.${name}`,
      fix: `${knownNames(name, known)}; or declare the input in the definition`,
    }),
  );
}

function instanceContext<K extends string>(owner: ProtonTemplate, envs: readonly EnvironmentTemplateClass[]): InstanceContext<K> {
  return strictMembers(owner, "context", {
    environmentName: expr("var.environment.name"),
    environmentAccountId: expr("var.environment.account_id"),
    serviceName: expr("var.service.name"),
    instanceName: expr("var.service_instance.name"),
    repository: strictMembers(owner, "context.repository", {
      id: expr("var.service.repository_id"),
      branch: expr("var.service.branch_name"),
      connectionArn: expr("var.service.repository_connection_arn"),
    }),
    environmentOutputs: environmentOutputsProxy(owner, commonOutputNames(envs) as K[]),
  });
}

/** Base class of environment templates; make one with {@link environmentTemplate}. */
export abstract class EnvironmentTemplate<I extends InputSet, O extends OutputSet> extends ProtonTemplate {
  readonly kind = "environment";
  /** The one Terraform root of an environment template; resources go here. */
  readonly infrastructure: TerraformStack;
  /** `var.environment.inputs.<x>`, typed. */
  readonly inputs: InputRefs<I>;
  /** `var.environment.name`. */
  readonly environmentName = expr("var.environment.name");

  protected constructor(scope: Construct, private readonly def: EnvironmentDefinition<I, O>) {
    super(scope, def);
    this.checkDefinition();
    this.infrastructure = this.addStack("infrastructure");
    this.inputs = strictInputs(this, "inputs", "var.environment.inputs", def.inputs);
  }

  /** Sets a declared output. Proton stores environment outputs as strings; see {@link OutputOptions}. */
  output(name: keyof O & string, value: OutputValue, options: OutputOptions = {}): void {
    this.addOutput("infrastructure", name, this.def.outputs[name], value, options, true);
  }

  declaredOutputs(): ReadonlyMap<InfrastructureFolder, OutputSet> {
    return new Map([["infrastructure", this.def.outputs]]);
  }

  declaredInputs(): ReadonlyMap<InputSection, InputSet> {
    return new Map<InputSection, InputSet>([["environment", this.def.inputs]]);
  }
}

/**
 * Makes the base class of an environment template from its definition. The class keeps the
 * definition as a static, so services can name it as compatible and read its outputs' names.
 */
export function environmentTemplate<const I extends InputSet, const O extends OutputSet>(definition: EnvironmentDefinition<I, O>) {
  abstract class Environment extends EnvironmentTemplate<I, O> {
    static readonly definition = definition;
    constructor(scope: Construct) {
      super(scope, definition);
    }
  }
  return Environment;
}

/** Base class of service templates; make one with {@link serviceTemplate}. */
export abstract class ServiceTemplate<
  I extends InputSet,
  O extends OutputSet,
  E extends EnvironmentTemplateClass,
  PI extends InputSet,
  PO extends OutputSet,
> extends ProtonTemplate {
  readonly kind = "service";
  /** Terraform root deployed once per service instance, in the instance's environment. */
  readonly instance: TerraformStack;
  /** `var.service_instance.inputs.<x>`, typed. */
  readonly inputs: InputRefs<I>;
  /** What an instance knows about its environment, service and repository. */
  readonly context: InstanceContext<CommonOutputs<E>>;

  protected constructor(
    scope: Construct,
    private readonly def: ServiceDefinition<I, O, E, PipelineDefinition<PI, PO> | undefined>,
  ) {
    super(scope, def);
    this.checkDefinition();
    this.instance = this.addStack("instance_infrastructure");
    this.inputs = strictInputs(this, "inputs", "var.service_instance.inputs", def.inputs);
    this.context = instanceContext(this, def.compatibleEnvironments);
    if (def.pipeline) this.addStack("pipeline_infrastructure");
  }

  /** Terraform root of the service's pipeline; throws when the definition has no pipeline. */
  get pipeline(): TerraformStack {
    const stack = this.stacks.get("pipeline_infrastructure");
    if (!stack) fail(`${this.def.name}: the definition has no pipeline`, { field: "pipeline", fix: "add pipeline: { inputs, outputs } to the definition to use it" });
    return stack;
  }

  /** `var.pipeline.inputs.<x>`, typed. */
  get pipelineInputs(): InputRefs<PI> {
    return strictInputs(this, "pipelineInputs", "var.pipeline.inputs", this.def.pipeline?.inputs ?? ({} as PI));
  }

  /** `var.service_instances`: the list of instances, for pipeline code. */
  get serviceInstances(): IResolvable {
    return anyExpr("var.service_instances");
  }

  /**
   * An output of the directly defined component attached to this instance, or `fallback`
   * (default `""`) when none is attached (`components` is `{}` then).
   */
  componentOutput(name: string, fallback = ""): string {
    return expr(`try(var.service_instance.components.default.outputs.${name}, ${JSON.stringify(fallback)})`);
  }

  /**
   * Every output of the directly defined component attached to this instance, as a string
   * map (`{}` when none is attached), e.g. to pass them all on as environment variables.
   */
  componentOutputs(): Record<string, string> {
    return mapExpr("try(var.service_instance.components.default.outputs, {})");
  }

  /** Sets a declared instance output. */
  output(name: keyof O & string, value: OutputValue, options: OutputOptions = {}): void {
    this.addOutput("instance_infrastructure", name, this.def.outputs[name], value, options, false);
  }

  /** Sets a declared pipeline output. */
  pipelineOutput(name: keyof PO & string, value: OutputValue, options: OutputOptions = {}): void {
    if (!this.def.pipeline) fail(`${this.def.name}: the definition has no pipeline`, { field: "pipeline", fix: "add pipeline: { inputs, outputs } to the definition to use it" });
    this.addOutput("pipeline_infrastructure", name, this.def.pipeline.outputs[name], value, options, false);
  }

  declaredOutputs(): ReadonlyMap<InfrastructureFolder, OutputSet> {
    const m = new Map<InfrastructureFolder, OutputSet>([["instance_infrastructure", this.def.outputs]]);
    if (this.def.pipeline) m.set("pipeline_infrastructure", this.def.pipeline.outputs);
    return m;
  }

  declaredInputs(): ReadonlyMap<InputSection, InputSet> {
    const m = new Map<InputSection, InputSet>([["service_instance", this.def.inputs]]);
    if (this.def.pipeline) m.set("pipeline", this.def.pipeline.inputs);
    return m;
  }
}

/** Makes the base class of a service template. Environment outputs are typed from `compatibleEnvironments`. */
export function serviceTemplate<
  const I extends InputSet,
  const O extends OutputSet,
  const E extends EnvironmentTemplateClass,
  const PI extends InputSet = Record<never, never>,
  const PO extends OutputSet = Record<never, never>,
>(definition: ServiceDefinition<I, O, E, PipelineDefinition<PI, PO> | undefined>) {
  abstract class Service extends ServiceTemplate<I, O, E, PI, PO> {
    static readonly definition = definition;
    constructor(scope: Construct) {
      super(scope, definition);
    }
  }
  return Service;
}

/** Base class of component templates; make one with {@link componentTemplate}. */
export abstract class ComponentTemplate<O extends OutputSet, E extends EnvironmentTemplateClass> extends ProtonTemplate {
  readonly kind = "component";
  /** The component's Terraform root. */
  readonly infrastructure: TerraformStack;
  /** What the component knows about its environment, service and instance. */
  readonly context: InstanceContext<CommonOutputs<E>> & { readonly componentName: string };

  protected constructor(scope: Construct, private readonly def: ComponentDefinition<O, E>) {
    super(scope, def);
    this.checkDefinition();
    this.infrastructure = this.addStack("infrastructure");
    this.context = strictMembers(this, "context", { ...instanceContext(this, def.compatibleEnvironments), componentName: expr("var.component.name") });
  }

  /** Sets a declared component output; the attached service instance reads it. */
  output(name: keyof O & string, value: OutputValue, options: OutputOptions = {}): void {
    this.addOutput("infrastructure", name, this.def.outputs[name], value, options, true);
  }

  declaredOutputs(): ReadonlyMap<InfrastructureFolder, OutputSet> {
    return new Map([["infrastructure", this.def.outputs]]);
  }

  declaredInputs(): ReadonlyMap<InputSection, InputSet> {
    return new Map<InputSection, InputSet>();
  }
}

/** Makes the base class of a component template. */
export function componentTemplate<const O extends OutputSet, const E extends EnvironmentTemplateClass>(definition: ComponentDefinition<O, E>) {
  abstract class Component extends ComponentTemplate<O, E> {
    static readonly definition = definition;
    constructor(scope: Construct) {
      super(scope, definition);
    }
  }
  return Component;
}
