/**
 * Template inputs, declared once. A declaration yields the schema.yaml property, the TypeScript
 * type of a spec value, and (see refs.ts) a typed Terraform reference.
 */

/** Fields every input may carry. */
interface InputBase<T> {
  /**
   * Short label shown in Proton's console.
   * @default none (the console shows the input's name)
   */
  readonly title?: string;
  /**
   * What the input means; goes to schema.yaml and the bundle README.
   * @default none
   */
  readonly description?: string;
  /**
   * Value used when the spec leaves the input out.
   * @default none: the variable is null when the spec leaves the input out
   */
  readonly default?: T;
  /**
   * A spec must set the input. A required input with a default is refused: Proton would
   * never use the default.
   * @default false
   */
  readonly required?: boolean;
}

/** A string input. */
export interface StringInput extends InputBase<string> {
  /** JSON-schema type. */
  readonly type: "string";
  /**
   * ECMA-262 regular expression the value must match (anchor it with `^...$`).
   * @default any string
   */
  readonly pattern?: string;
  /**
   * Fewest characters.
   * @default 0
   */
  readonly minLength?: number;
  /**
   * Most characters.
   * @default no limit
   */
  readonly maxLength?: number;
}

/** A string input restricted to listed values. */
export interface EnumInput<V extends string = string> extends InputBase<V> {
  /** JSON-schema type. */
  readonly type: "string";
  /** The values allowed. */
  readonly enum: readonly V[];
}

/** A number (`number`) or whole number (`integer`) input. */
export interface NumberInput extends InputBase<number> {
  /** JSON-schema type. */
  readonly type: "number" | "integer";
  /**
   * Smallest value allowed.
   * @default no limit
   */
  readonly minimum?: number;
  /**
   * Largest value allowed.
   * @default no limit
   */
  readonly maximum?: number;
}

/** A boolean input. */
export interface BooleanInput extends InputBase<boolean> {
  /** JSON-schema type. */
  readonly type: "boolean";
}

/**
 * Item schema of an array input: primitives only (Proton's console handles no more). Each
 * constraint means what it means on the matching input type, and is absent (no limit) by
 * default.
 */
export type ArrayItem =
  | { readonly type: "string"; readonly pattern?: string; readonly minLength?: number; readonly maxLength?: number; readonly enum?: readonly string[] }
  | { readonly type: "number" | "integer"; readonly minimum?: number; readonly maximum?: number }
  | { readonly type: "boolean" };

/** An array of primitives. */
export interface ArrayInput<I extends ArrayItem = ArrayItem> extends InputBase<readonly ItemValue<I>[]> {
  /** JSON-schema type. */
  readonly type: "array";
  /** Schema of every item. */
  readonly items: I;
  /**
   * Fewest items.
   * @default 0
   */
  readonly minItems?: number;
  /**
   * Most items.
   * @default no limit
   */
  readonly maxItems?: number;
}

/** Any input declaration. */
export type InputDeclaration = StringInput | EnumInput | NumberInput | BooleanInput | ArrayInput;

/** A template's inputs, by name. */
export type InputSet = Readonly<Record<string, InputDeclaration>>;

type ItemValue<I extends ArrayItem> = I extends { type: "string" } ? string : I extends { type: "boolean" } ? boolean : number;

/** The spec value type of one input. */
export type InputValue<D extends InputDeclaration> = D extends EnumInput<infer V>
  ? V
  : D extends StringInput
    ? string
    : D extends NumberInput
      ? number
      : D extends BooleanInput
        ? boolean
        : D extends ArrayInput<infer I>
          ? ItemValue<I>[]
          : never;

type RequiredKeys<S extends InputSet> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];
type OptionalKeys<S extends InputSet> = Exclude<keyof S, RequiredKeys<S>>;

/** The TypeScript type of a spec for an input set: required inputs required, the rest optional. */
export type SpecOf<S extends InputSet> = { -readonly [K in RequiredKeys<S>]: InputValue<S[K]> } & {
  -readonly [K in OptionalKeys<S>]?: InputValue<S[K]>;
};

type Opts<D> = Omit<D, "type">;

/** Builders that keep literal types (enum values, `required: true`) for spec typing. */
export const Input = {
  /** A string, optionally with pattern and length bounds. */
  string<const O extends Opts<StringInput>>(options: O): O & { readonly type: "string" } {
    return { type: "string", ...options };
  },
  /** One of the listed strings. */
  enum<const V extends string, const O extends Omit<Opts<EnumInput<V>>, "enum">>(
    values: readonly V[],
    options: O,
  ): O & { readonly type: "string"; readonly enum: readonly V[] } {
    return { type: "string", enum: values, ...options };
  },
  /** Any number, optionally bounded. */
  number<const O extends Opts<NumberInput>>(options: O): O & { readonly type: "number" } {
    return { type: "number", ...options };
  },
  /** A whole number, optionally bounded. */
  integer<const O extends Opts<NumberInput>>(options: O): O & { readonly type: "integer" } {
    return { type: "integer", ...options };
  },
  /** true or false. */
  boolean<const O extends Opts<BooleanInput>>(options: O): O & { readonly type: "boolean" } {
    return { type: "boolean", ...options };
  },
  /** A list of primitives. */
  array<const I extends ArrayItem, const O extends Omit<Opts<ArrayInput<I>>, "items">>(
    items: I,
    options: O,
  ): O & { readonly type: "array"; readonly items: I } {
    return { type: "array", items, ...options };
  },
} as const;

/** Proton's limit on input names, and the names Terraform accepts as object keys we reference. */
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_INPUT_NAME = 100;

/** Problems with a declaration itself (not with a spec), as human-readable strings. */
export function declarationProblems(section: string, inputs: InputSet): string[] {
  const problems: string[] = [];
  for (const [name, d] of Object.entries(inputs)) {
    const at = `${section}.${name}`;
    if (!INPUT_NAME.test(name)) problems.push(`${at}: input names must match ${INPUT_NAME.source} so templates can read them as var.<...>.inputs.${name}`);
    if (name.length > MAX_INPUT_NAME) problems.push(`${at}: input name is ${name.length} characters; Proton allows at most ${MAX_INPUT_NAME}`);
    if (d.required && d.default !== undefined) problems.push(`${at}: a required input cannot have a default (drop one of them)`);
    if (d.default !== undefined) {
      const bad = valueProblem(d, d.default);
      if (bad) problems.push(`${at}: default ${JSON.stringify(d.default)} ${bad}`);
    }
    if ("minimum" in d && "maximum" in d && d.minimum !== undefined && d.maximum !== undefined && d.minimum > d.maximum)
      problems.push(`${at}: minimum ${d.minimum} is above maximum ${d.maximum}`);
    if ("pattern" in d && d.pattern !== undefined) {
      try {
        new RegExp(d.pattern, "u");
      } catch (e) {
        problems.push(`${at}: pattern is not a valid regular expression (${(e as Error).message})`);
      }
    }
  }
  return problems;
}

/** Why `value` does not satisfy `d`, or undefined when it does. Used to check defaults. */
export function valueProblem(d: InputDeclaration | ArrayItem, value: unknown): string | undefined {
  switch (d.type) {
    case "string": {
      if (typeof value !== "string") return "is not a string";
      if ("enum" in d && d.enum && !d.enum.includes(value)) return `is not one of ${d.enum.join(", ")}`;
      if ("pattern" in d && d.pattern && !new RegExp(d.pattern, "u").test(value)) return `does not match ${d.pattern}`;
      if ("minLength" in d && d.minLength !== undefined && value.length < d.minLength) return `is shorter than ${d.minLength}`;
      if ("maxLength" in d && d.maxLength !== undefined && value.length > d.maxLength) return `is longer than ${d.maxLength}`;
      return undefined;
    }
    case "number":
    case "integer": {
      if (typeof value !== "number" || (d.type === "integer" && !Number.isInteger(value))) return `is not ${d.type === "integer" ? "an integer" : "a number"}`;
      if (d.minimum !== undefined && value < d.minimum) return `is below the minimum ${d.minimum}`;
      if (d.maximum !== undefined && value > d.maximum) return `is above the maximum ${d.maximum}`;
      return undefined;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : "is not a boolean";
    case "array": {
      if (!Array.isArray(value)) return "is not a list";
      if (d.minItems !== undefined && value.length < d.minItems) return `has fewer than ${d.minItems} items`;
      if (d.maxItems !== undefined && value.length > d.maxItems) return `has more than ${d.maxItems} items`;
      for (const item of value) {
        const bad = valueProblem(d.items, item);
        if (bad) return `has an item ${JSON.stringify(item)} that ${bad}`;
      }
      return undefined;
    }
  }
}
