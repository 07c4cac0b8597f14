/**
 * The rule checks, as pure functions of the synthesized stack JSON. Each finding names the
 * rule, the construct path of the offending element and what is wrong.
 */
import { PolicyStatement, isAdminStatement, isTlsOnlyStatement, readPolicy } from "./policy";
import { RuleId } from "./rules";
import {
  Element,
  TfBlock,
  TfConfig,
  TfValue,
  asList,
  asStrings,
  blocks,
  elements,
  isExpression,
  isLiteralFalse,
  isLiteralTrue,
  literalNumber,
  referencedName,
} from "./terraform-json";

/** One rule violation before suppressions are applied. */
export interface Finding {
  readonly ruleId: RuleId;
  /** Construct path of the offending element. */
  readonly path: string;
  /** What is wrong, naming the Terraform address and attribute. */
  readonly message: string;
}

/** Construct facts the JSON does not carry. */
export interface CheckContext {
  /** The stack's construct path, used when an element has no path metadata. */
  readonly stackPath: string;
  /** Construct path of each aws provider by alias (`""` for the default provider). */
  readonly providerPaths: ReadonlyMap<string, string>;
  /**
   * Construct path of each resource and data source by Terraform address (`aws_s3_bucket.x`,
   * `data.aws_iam_policy_document.y`), used when an element's `//` metadata is missing.
   */
  readonly elementPaths?: ReadonlyMap<string, string>;
}

/** Run every rule against a synthesized stack. */
export function runChecks(config: TfConfig, ctx: CheckContext): Finding[] {
  const els = elements(config);
  return [
    ...checkS3(config, els, ctx),
    ...checkDatabases(els, ctx),
    ...checkIngress(els, ctx),
    ...checkIam(config, els, ctx),
    ...checkLogGroups(els, ctx),
    ...checkProviders(config, els, ctx),
  ];
}

function pathOf(e: Element, ctx: CheckContext): string {
  return e.path ?? ctx.elementPaths?.get(address(e)) ?? `${ctx.stackPath}/${e.name}`;
}

function address(e: Element): string {
  return e.mode === "data" ? `data.${e.type}.${e.name}` : `${e.type}.${e.name}`;
}

function ofType(els: readonly Element[], mode: "resource" | "data", type: string): Element[] {
  return els.filter((e) => e.mode === mode && e.type === type);
}

// ---------------------------------------------------------------------------------------- S3

/** Whether a companion resource's `bucket` attribute designates bucket `b`. */
function targetsBucket(value: TfValue | undefined, b: Element): boolean {
  const name = referencedName(value, "aws_s3_bucket", ["id", "bucket"]);
  if (name !== undefined) return name === b.name;
  const literal = b.block["bucket"];
  return typeof value === "string" && typeof literal === "string" && !isExpression(literal) && value === literal;
}

const PAB_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

function checkS3(config: TfConfig, els: readonly Element[], ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  const pabs = ofType(els, "resource", "aws_s3_bucket_public_access_block");
  const sses = ofType(els, "resource", "aws_s3_bucket_server_side_encryption_configuration");
  const policies = ofType(els, "resource", "aws_s3_bucket_policy");
  for (const b of ofType(els, "resource", "aws_s3_bucket")) {
    const path = pathOf(b, ctx);
    const addr = address(b);
    const myPabs = pabs.filter((p) => targetsBucket(p.block["bucket"], b));
    if (myPabs.length === 0) {
      out.push({ ruleId: "PK-S3-001", path, message: `${addr} has no aws_s3_bucket_public_access_block` });
    } else if (!myPabs.some((p) => PAB_FLAGS.every((f) => isLiteralTrue(p.block[f])))) {
      const p = myPabs[0] as Element;
      const off = PAB_FLAGS.filter((f) => !isLiteralTrue(p.block[f]));
      out.push({
        ruleId: "PK-S3-001",
        path,
        message: `${addr}: public access block ${address(p)} does not set ${off.join(", ")} to true`,
      });
    }
    if (!sses.some((s) => targetsBucket(s.block["bucket"], b))) {
      out.push({
        ruleId: "PK-S3-002",
        path,
        message: `${addr} has no aws_s3_bucket_server_side_encryption_configuration`,
      });
    }
    const myPolicies = policies.filter((p) => targetsBucket(p.block["bucket"], b));
    if (myPolicies.length === 0) {
      out.push({ ruleId: "PK-S3-003", path, message: `${addr} has no aws_s3_bucket_policy (TLS-only policy required)` });
    } else {
      const sources = myPolicies.map((p) => readPolicy(p.block["policy"], config));
      const tls = sources.some((s) => s.kind !== "unknown" && (s.statements ?? []).some(isTlsOnlyStatement));
      if (!tls) {
        const unreadable = sources.every((s) => s.kind === "unknown" || s.statements === undefined);
        out.push({
          ruleId: "PK-S3-003",
          path,
          message: unreadable
            ? `${addr}: the policy of ${myPolicies.map(address).join(", ")} is an expression the guardrail cannot read, so it cannot be shown to deny aws:SecureTransport = false`
            : `${addr}: bucket policy ${myPolicies.map(address).join(", ")} has no statement denying requests with aws:SecureTransport = false`,
        });
      }
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------- databases

function show(v: TfValue | undefined): string {
  return v === undefined ? "absent" : JSON.stringify(v);
}

function checkDatabases(els: readonly Element[], ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const e of els.filter((x) => x.mode === "resource")) {
    const isInstance = e.type === "aws_db_instance";
    const isCluster = e.type === "aws_rds_cluster";
    const isClusterInstance = e.type === "aws_rds_cluster_instance";
    if (!isInstance && !isCluster && !isClusterInstance) continue;
    const path = pathOf(e, ctx);
    const addr = address(e);
    if (isInstance || isClusterInstance) {
      const pa = e.block["publicly_accessible"];
      if (pa !== undefined && pa !== null && !isLiteralFalse(pa)) {
        out.push({
          ruleId: "PK-DB-001",
          path,
          message: `${addr}: publicly_accessible is ${show(pa)}; it must be absent or false`,
        });
      }
    }
    if (isInstance || isCluster) {
      const se = e.block["storage_encrypted"];
      if (!isLiteralTrue(se)) {
        out.push({
          ruleId: "PK-DB-002",
          path,
          message: `${addr}: storage_encrypted is ${show(se)}; it must be true`,
        });
      }
      const dp = e.block["deletion_protection"];
      if (!(isLiteralTrue(dp) || isExpression(dp))) {
        out.push({
          ruleId: "PK-DB-003",
          path,
          message: `${addr}: deletion_protection is ${show(dp)}; it must be true or an expression on the production input`,
        });
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------- ingress

const OPEN_V4 = "0.0.0.0/0";
const OPEN_V6 = "::/0";

interface Ingress {
  readonly element: Element;
  /** Name of the aws_security_group the rule belongs to, when known. */
  readonly sg: string | undefined;
  readonly from: TfValue | undefined;
  readonly to: TfValue | undefined;
  readonly protocol: TfValue | undefined;
  readonly cidrs: readonly string[];
  readonly where: string;
}

function openCidrs(v4: TfValue | undefined, v6: TfValue | undefined): string[] {
  return [...asStrings(v4).filter((c) => c === OPEN_V4), ...asStrings(v6).filter((c) => c === OPEN_V6)];
}

/** Security groups of public load balancers (aws_lb / aws_alb with internal absent or false). */
function publicLbSecurityGroups(els: readonly Element[]): Set<string> {
  const out = new Set<string>();
  for (const lb of els.filter((e) => e.mode === "resource" && (e.type === "aws_lb" || e.type === "aws_alb"))) {
    const internal = lb.block["internal"];
    if (!(internal === undefined || internal === null || isLiteralFalse(internal))) continue;
    for (const ref of asStrings(lb.block["security_groups"])) {
      const name = referencedName(ref, "aws_security_group", ["id"]);
      if (name !== undefined) out.add(name);
    }
  }
  return out;
}

function isWebException(i: Ingress, publicSgs: ReadonlySet<string>): boolean {
  if (i.sg === undefined || !publicSgs.has(i.sg)) return false;
  const from = literalNumber(i.from);
  const to = literalNumber(i.to);
  const proto = typeof i.protocol === "string" ? i.protocol.toLowerCase() : i.protocol;
  const tcp = proto === "tcp" || proto === "6" || proto === 6;
  return tcp && from !== undefined && from === to && (from === 80 || from === 443);
}

function checkIngress(els: readonly Element[], ctx: CheckContext): Finding[] {
  const rules: Ingress[] = [];
  for (const e of els.filter((x) => x.mode === "resource")) {
    if (e.type === "aws_security_group") {
      blocks(e.block["ingress"]).forEach((b, i) => {
        rules.push({
          element: e,
          sg: e.name,
          from: b["from_port"],
          to: b["to_port"],
          protocol: b["protocol"],
          cidrs: openCidrs(b["cidr_blocks"], b["ipv6_cidr_blocks"]),
          where: `ingress[${i}]`,
        });
      });
    } else if (e.type === "aws_security_group_rule" && e.block["type"] === "ingress") {
      rules.push({
        element: e,
        sg: referencedName(e.block["security_group_id"], "aws_security_group", ["id"]),
        from: e.block["from_port"],
        to: e.block["to_port"],
        protocol: e.block["protocol"],
        cidrs: openCidrs(e.block["cidr_blocks"], e.block["ipv6_cidr_blocks"]),
        where: "cidr_blocks",
      });
    } else if (e.type === "aws_vpc_security_group_ingress_rule") {
      rules.push({
        element: e,
        sg: referencedName(e.block["security_group_id"], "aws_security_group", ["id"]),
        from: e.block["from_port"],
        to: e.block["to_port"],
        protocol: e.block["ip_protocol"],
        cidrs: openCidrs(e.block["cidr_ipv4"], e.block["cidr_ipv6"]),
        where: "cidr_ipv4/cidr_ipv6",
      });
    }
  }
  const publicSgs = publicLbSecurityGroups(els);
  const out: Finding[] = [];
  for (const r of rules) {
    if (r.cidrs.length === 0 || isWebException(r, publicSgs)) continue;
    const ports =
      r.from === undefined && r.to === undefined ? "all ports" : `ports ${show(r.from)}-${show(r.to)}/${show(r.protocol)}`;
    out.push({
      ruleId: "PK-NET-001",
      path: pathOf(r.element, ctx),
      message: `${address(r.element)} ${r.where} allows ingress from ${r.cidrs.join(" and ")} on ${ports}`,
    });
  }
  return out;
}

// ----------------------------------------------------------------------------------------- IAM

const POLICY_RESOURCES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

function adminFinding(e: Element, where: string, statements: readonly PolicyStatement[], ctx: CheckContext): Finding[] {
  const bad = statements.map((s, i) => (isAdminStatement(s) ? i : -1)).filter((i) => i >= 0);
  if (bad.length === 0) return [];
  return [
    {
      ruleId: "PK-IAM-001",
      path: pathOf(e, ctx),
      message: `${address(e)} ${where} statement ${bad.map((i) => `#${i}`).join(", ")} allows Action "*" on Resource "*"`,
    },
  ];
}

function checkIam(config: TfConfig, els: readonly Element[], ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  const inline = (e: Element, where: string, value: TfValue | undefined): void => {
    const src = readPolicy(value, config);
    // a data source document is checked on the data source itself
    if (src.kind === "document") out.push(...adminFinding(e, where, src.statements, ctx));
  };
  for (const e of els) {
    if (e.mode === "resource" && POLICY_RESOURCES.includes(e.type)) inline(e, "policy", e.block["policy"]);
    if (e.mode === "resource" && e.type === "aws_iam_role") {
      blocks(e.block["inline_policy"]).forEach((b, i) => inline(e, `inline_policy[${i}]`, b["policy"]));
    }
    if (e.mode === "data" && e.type === "aws_iam_policy_document") {
      const src = readPolicy(`\${data.aws_iam_policy_document.${e.name}.json}`, config);
      if (src.kind === "data" && src.statements) out.push(...adminFinding(e, "statement", src.statements, ctx));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------- logs

function checkLogGroups(els: readonly Element[], ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const e of ofType(els, "resource", "aws_cloudwatch_log_group")) {
    const r = e.block["retention_in_days"];
    const n = literalNumber(r);
    const ok = isExpression(r) || (n !== undefined && n > 0);
    if (!ok) {
      out.push({
        ruleId: "PK-LOG-001",
        path: pathOf(e, ctx),
        message: `${address(e)}: retention_in_days is ${show(r)}; logs would be kept forever`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------- tags

function providerBlocks(config: TfConfig): TfBlock[] {
  const raw = config.provider?.["aws"];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

function hasProtonTags(p: TfBlock): boolean {
  return blocks(p["default_tags"]).some((d) => {
    const tags = d["tags"];
    return typeof tags === "string" && /\bvar\.proton_tags\b/.test(tags);
  });
}

function checkProviders(config: TfConfig, els: readonly Element[], ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  const providers = providerBlocks(config);
  if (providers.length === 0) {
    if (els.some((e) => e.type.startsWith("aws_"))) {
      out.push({
        ruleId: "PK-TAG-001",
        path: ctx.stackPath,
        message: "the stack has AWS resources but no aws provider block, so nothing sets default_tags from var.proton_tags",
      });
    }
    return out;
  }
  for (const p of providers) {
    if (hasProtonTags(p)) continue;
    const alias = typeof p["alias"] === "string" ? p["alias"] : "";
    const tags = blocks(p["default_tags"]).map((d) => d["tags"]);
    out.push({
      ruleId: "PK-TAG-001",
      path: ctx.providerPaths.get(alias) ?? `${ctx.stackPath}/aws${alias ? `.${alias}` : ""}`,
      message: `aws provider${alias ? ` "${alias}"` : ""}: default_tags ${
        tags.length === 0 ? "is missing" : `tags = ${asList(tags).map(show).join(", ")} does not reference var.proton_tags`
      }`,
    });
  }
  return out;
}
