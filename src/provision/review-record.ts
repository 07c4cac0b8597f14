import { createHash } from "node:crypto";
import type { PlanSummary } from "./plan-summary";

/**
 * What a reviewer approves of one resource's plan: each address and what happens to it
 * (resources, then outputs as `output.<name>`), without values. The pull-request comment
 * carries it with its digest; the apply on the main branch re-plans and compares.
 */
export interface AddressAction {
  /** Resource address, or `output.<name>`. */
  readonly address: string;
  /** `create`, `update`, `delete`, `replace`, `forget` or `import`. */
  readonly action: string;
}

/** The machine-readable review of one section, as the sticky comment carries it. */
export interface ReviewRecord {
  /** `sha256:<hex>` of the canonical action list. */
  readonly digest: string;
  /**
   * The action list the digest covers; absent when the comment left it out to stay under
   * GitHub's size limit (the digest still decides, only the difference cannot be listed).
   */
  readonly actions?: readonly AddressAction[];
}

/** The `actions` value of a marker whose list was left out. */
export const ACTIONS_OMITTED = "-";

const MARKER_RE = /<!-- protonkit:reviewed digest="(sha256:[0-9a-f]{64})" actions="([A-Za-z0-9_-]*)" -->/;

/** The plan's address-actions, sorted by address then action (Terraform's order is not promised). */
export function actionList(summary: PlanSummary): AddressAction[] {
  const list: AddressAction[] = [
    ...summary.changes.map((c) => ({ address: c.address, action: c.kind })),
    ...summary.outputs.map((o) => ({ address: `output.${o.name}`, action: o.kind })),
  ];
  return list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
}

/**
 * Digest of what applying `dir` would do: the resource action (`apply` or `destroy`) and every
 * address-action, one per line in {@link actionList} order.
 */
export function reviewDigest(dir: string, resourceAction: "apply" | "destroy", actions: readonly AddressAction[]): string {
  const lines = ["protonkit-review/v1", `dir ${JSON.stringify(dir)}`, `action ${resourceAction}`, ...actions.map((a) => `${a.action} ${JSON.stringify(a.address)}`)];
  return `sha256:${createHash("sha256").update(`${lines.join("\n")}\n`).digest("hex")}`;
}

/** The record of a successful plan. */
export function reviewRecord(dir: string, resourceAction: "apply" | "destroy", summary: PlanSummary): Required<ReviewRecord> {
  const actions = actionList(summary);
  return { digest: reviewDigest(dir, resourceAction, actions), actions };
}

/** The hidden line the comment section carries (base64url JSON: nothing in it can close the HTML comment). */
export function reviewMarker(record: ReviewRecord): string {
  if (!record.actions) return `<!-- protonkit:reviewed digest="${record.digest}" actions="${ACTIONS_OMITTED}" -->`;
  const json = JSON.stringify(record.actions.map((a) => [a.action, a.address]));
  return `<!-- protonkit:reviewed digest="${record.digest}" actions="${Buffer.from(json, "utf8").toString("base64url")}" -->`;
}

/**
 * The record in a section's text, when there is one and its digest matches its actions for
 * `dir` and `resourceAction` (anything else is treated as no record). A list left out
 * ({@link ACTIONS_OMITTED}) gives the digest alone.
 */
export function parseReviewMarker(text: string, dir: string, resourceAction: "apply" | "destroy"): ReviewRecord | undefined {
  const m = MARKER_RE.exec(text);
  if (!m) return undefined;
  if (m[2] === ACTIONS_OMITTED) return { digest: m[1] };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(m[2], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(raw) || !raw.every((x) => Array.isArray(x) && x.length === 2 && typeof x[0] === "string" && typeof x[1] === "string")) return undefined;
  const actions = (raw as Array<[string, string]>).map(([action, address]) => ({ action, address }));
  if (reviewDigest(dir, resourceAction, actions) !== m[1]) return undefined;
  return { digest: m[1], actions };
}

/** What differs between the reviewed and the new action lists. */
export interface ActionDiff {
  /** In the new plan, not in the reviewed one. */
  readonly added: readonly AddressAction[];
  /** In the reviewed plan, no longer in the new one. */
  readonly removed: readonly AddressAction[];
}

/** Address-actions added and removed (an address whose action changed appears in both). */
export function diffActions(reviewed: readonly AddressAction[], planned: readonly AddressAction[]): ActionDiff {
  const key = (a: AddressAction): string => `${a.action}\u0000${a.address}`;
  const had = new Set(reviewed.map(key));
  const has = new Set(planned.map(key));
  return { added: planned.filter((a) => !had.has(key(a))), removed: reviewed.filter((a) => !has.has(key(a))) };
}
