import { IResolvable, TerraformResource, Token, ref } from "cdktf";
import type { ArrayInput, InputDeclaration, InputSet } from "./inputs";

/**
 * Terraform references to Proton's variables. They are cdktf tokens built with `ref()`, so
 * they render as bare expressions inside `Fn.*` calls (a raw `"${var.x}"` string would be
 * quoted there) and as interpolations inside strings.
 */

/** The reference type a template's code gets for one input. */
export type InputRef<D extends InputDeclaration> = D extends { type: "string" }
  ? string
  : D extends { type: "number" | "integer" }
    ? number
    : D extends { type: "boolean" }
      ? IResolvable
      : D extends ArrayInput<infer I>
        ? I extends { type: "string" }
          ? string[]
          : I extends { type: "boolean" }
            ? IResolvable
            : number[]
        : never;

/** Typed references for every input of a set. */
export type InputRefs<S extends InputSet> = { readonly [K in keyof S]: InputRef<S[K]> };

/** A reference to any Terraform expression, as a string token. */
export function expr(expression: string): string {
  return Token.asString(ref(expression));
}

/** A reference to any Terraform expression, as a number token. */
export function numberExpr(expression: string): number {
  return Token.asNumber(ref(expression));
}

/** A reference to any Terraform expression, as a string-map token. */
export function mapExpr(expression: string): Record<string, string> {
  return Token.asStringMap(ref(expression));
}

/** A reference to any Terraform expression, as a raw resolvable (booleans, objects). */
export function anyExpr(expression: string): IResolvable {
  return ref(expression);
}

/**
 * A literal as a Terraform expression token, for the operand positions where cdktf drops
 * falsy values: `Op.eq(x, "")` and `Op.gt(x, 0)` render `undefined`, and `Token.nullValue()`
 * inside an `Fn.*` call renders nothing. `literal("")`, `literal(0)`, `literal(null)` render
 * `""`, `0` and `null`.
 */
export function literal(value: string | number | boolean | null): IResolvable {
  // Template sequences in a string literal are escaped, so the literal stays a literal.
  return ref(JSON.stringify(value).replace(/([$%])\{/g, (_m, c: string) => `${c}${c}{`));
}

/** `<resource>[*].<attribute>` of a counted resource, as a list token. */
export function splat(resource: TerraformResource, attribute: string): string[] {
  return Token.asList(ref(`${resource.terraformResourceType}.${resource.friendlyUniqueId}[*].${attribute}`));
}

/**
 * The Terraform expression that reads one input. Inputs that are optional and have no default
 * may be absent from Proton's `inputs` object, so they are read with `try(..., null)`.
 */
export function inputExpression(base: string, name: string, d: InputDeclaration): string {
  const path = `${base}.${name}`;
  return !d.required && d.default === undefined ? `try(${path}, null)` : path;
}

/** Builds the typed reference object for an input set under `base` (e.g. `var.environment.inputs`). */
export function inputRefs<S extends InputSet>(base: string, inputs: S): InputRefs<S> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(inputs)) {
    const e = inputExpression(base, name, d);
    switch (d.type) {
      case "string":
        out[name] = expr(e);
        break;
      case "number":
      case "integer":
        out[name] = numberExpr(e);
        break;
      case "boolean":
        out[name] = anyExpr(e);
        break;
      case "array":
        out[name] =
          d.items.type === "string"
            ? Token.asList(ref(e))
            : d.items.type === "boolean"
              ? anyExpr(e)
              : Token.asNumberList(ref(e));
        break;
    }
  }
  return out as InputRefs<S>;
}
