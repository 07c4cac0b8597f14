/**
 * IAM policy documents as the guardrails see them: statements read from a JSON string, a
 * `Fn.jsonencode(...)` expression, or an `aws_iam_policy_document` data source.
 */
import { decodeJsonencode } from "./hcl-expr";
import { TfBlock, TfConfig, TfValue, asList, asStrings, blocks, isObject, referencedName } from "./terraform-json";

/** One condition: operator (`Bool`), key (`aws:SecureTransport`) and values. */
export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly TfValue[];
}

/** One principal: type (`AWS`, `Service`, `*`) and identifiers. */
export interface PolicyPrincipal {
  readonly type: string;
  readonly identifiers: readonly string[];
}

/** A normalized policy statement. */
export interface PolicyStatement {
  /** `Allow` or `Deny` (or an expression); data source statements default to `Allow`. */
  readonly effect: string | undefined;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** undefined when the statement has no Principal element. */
  readonly principals: readonly PolicyPrincipal[] | undefined;
  readonly conditions: readonly PolicyCondition[];
}

/** Where a policy attribute's statements come from. */
export type PolicySource =
  | { readonly kind: "document"; readonly statements: readonly PolicyStatement[] }
  | { readonly kind: "data"; readonly name: string; readonly statements: readonly PolicyStatement[] | undefined }
  | { readonly kind: "unknown" };

/** Statements of a policy document object (`{ Version, Statement }`). */
export function statementsOfDocument(doc: TfValue): PolicyStatement[] | undefined {
  if (!isObject(doc)) return undefined;
  const raw = doc["Statement"];
  if (raw === undefined) return [];
  return asList(raw).filter(isObject).map((s) => ({
    effect: typeof s["Effect"] === "string" ? s["Effect"] : undefined,
    actions: asStrings(s["Action"]),
    resources: asStrings(s["Resource"]),
    principals: principalsOfJson(s["Principal"]),
    conditions: conditionsOfJson(s["Condition"]),
  }));
}

function principalsOfJson(p: TfValue | undefined): PolicyPrincipal[] | undefined {
  if (p === undefined) return undefined;
  if (typeof p === "string") return [{ type: "*", identifiers: [p] }];
  if (!isObject(p)) return [];
  return Object.keys(p).map((type) => ({ type, identifiers: asStrings(p[type]) }));
}

function conditionsOfJson(c: TfValue | undefined): PolicyCondition[] {
  if (!isObject(c)) return [];
  const out: PolicyCondition[] = [];
  for (const test of Object.keys(c)) {
    const inner = c[test];
    if (!isObject(inner)) continue;
    for (const variable of Object.keys(inner)) {
      out.push({ test, variable, values: asList(inner[variable]) });
    }
  }
  return out;
}

/** Statements of an `aws_iam_policy_document` data source block. */
export function statementsOfDataDocument(block: TfBlock): PolicyStatement[] | undefined {
  const raw = block["statement"];
  if (raw === undefined) return [];
  if (typeof raw === "string") return undefined; // a dynamic expression
  return blocks(raw).map((s) => ({
    effect: typeof s["effect"] === "string" ? s["effect"] : "Allow",
    actions: asStrings(s["actions"]),
    resources: asStrings(s["resources"]),
    principals:
      s["principals"] === undefined
        ? undefined
        : blocks(s["principals"]).map((p) => ({
            type: typeof p["type"] === "string" ? p["type"] : "",
            identifiers: asStrings(p["identifiers"]),
          })),
    conditions: blocks(s["condition"]).map((c) => ({
      test: typeof c["test"] === "string" ? c["test"] : "",
      variable: typeof c["variable"] === "string" ? c["variable"] : "",
      values: asList(c["values"]),
    })),
  }));
}

/** Read a policy attribute value (JSON string, jsonencode expression, data source reference). */
export function readPolicy(value: TfValue | undefined, config: TfConfig): PolicySource {
  if (isObject(value)) {
    const st = statementsOfDocument(value);
    return st ? { kind: "document", statements: st } : { kind: "unknown" };
  }
  if (typeof value !== "string") return { kind: "unknown" };
  const dataName = referencedName(value, "data.aws_iam_policy_document", ["json", "minified_json"]);
  if (dataName !== undefined) {
    const block = config.data?.["aws_iam_policy_document"]?.[dataName];
    return { kind: "data", name: dataName, statements: block ? statementsOfDataDocument(block) : undefined };
  }
  const decoded = decodeJsonencode(value);
  if (decoded !== undefined) {
    const st = statementsOfDocument(decoded);
    return st ? { kind: "document", statements: st } : { kind: "unknown" };
  }
  if (!value.includes("${")) {
    try {
      const st = statementsOfDocument(JSON.parse(value) as TfValue);
      return st ? { kind: "document", statements: st } : { kind: "unknown" };
    } catch {
      return { kind: "unknown" };
    }
  }
  return { kind: "unknown" };
}

/** Effect Allow with action `*` and resource `*`. */
export function isAdminStatement(s: PolicyStatement): boolean {
  return s.effect?.toLowerCase() === "allow" && s.actions.includes("*") && s.resources.includes("*");
}

/** Effect Deny for everyone on s3:* (or *) when aws:SecureTransport is false. */
export function isTlsOnlyStatement(s: PolicyStatement): boolean {
  if (s.effect?.toLowerCase() !== "deny") return false;
  if (!s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*")) return false;
  const everyone = (s.principals ?? []).some(
    (p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*"),
  );
  if (!everyone) return false;
  return s.conditions.some(
    (c) =>
      (c.test === "Bool" || c.test === "BoolIfExists") &&
      c.variable.toLowerCase() === "aws:securetransport" &&
      c.values.some((v) => v === false || v === "false"),
  );
}
