import { describePlan, type PlanSummary } from "./plan-summary";
import type { PlanPolicyResult } from "./plan-policy";
import { ACTIONS_OMITTED, reviewMarker, reviewRecord } from "./review-record";

/** Hidden marker identifying protonkit's sticky plan comment on a pull request. */
export const PLAN_COMMENT_MARKER = "<!-- protonkit:plan -->";
/** GitHub rejects comments over 65536 characters; stay below. */
export const COMMENT_LIMIT = 60000;

/** The plan of one resource directory, as one section of the comment. */
export interface PlanSection {
  /** Resource directory. */
  readonly dir: string;
  /** Head commit the plan was made at. */
  readonly sha: string;
  /** Heading, e.g. `service-instance api/web (prod)`. */
  readonly title: string;
  /** `apply` or `destroy`. */
  readonly action: "apply" | "destroy";
  /** The summary when the plan succeeded. */
  readonly summary?: PlanSummary;
  /** The error (already cut to its end) when it failed. */
  readonly error?: string;
  /** The guardrail rules on the plan; a violation fails the plan and records no review. */
  readonly policy?: PlanPolicyResult;
  /** `terraform plan -detailed-exitcode`'s exit status, when the plan ran with it (drift). */
  readonly exitCode?: number;
}

/** True when a merge may apply this section's plan: it succeeded with no policy violation. */
export function reviewable(s: PlanSection): boolean {
  return s.error === undefined && s.summary !== undefined && (s.policy?.violations.length ?? 0) === 0;
}

const SECTION_RE = /<!-- protonkit:section dir="([^"]*)" sha="([^"]*)" -->\n([\s\S]*?)<!-- \/protonkit:section -->\n?/g;

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

/** Neutralizes anything that could close our HTML comments or sections. */
function safe(text: string): string {
  return text.replace(/<!--/g, "<!\u200b--").replace(/-->/g, "--\u200b>");
}

/**
 * Inline code that holds whatever `text` holds: a fence longer than its longest backtick run,
 * padded with spaces (CommonMark), line breaks shown as `\n`.
 */
export function codeSpan(text: string): string {
  const one = safe(text).replace(/\r?\n|\r/g, "\\n");
  const longest = Math.max(0, ...[...one.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  const pad = one.startsWith("`") || one.endsWith("`") || longest > 0 ? " " : "";
  return `${f}${pad}${one}${pad}${f}`;
}

/** Plain heading text: Markdown and HTML specials escaped, one line. */
export function headingText(text: string): string {
  return safe(text)
    .replace(/\r?\n|\r/g, " ")
    .replace(/[\\`*_[\]#|<>~&]/g, (c) => `\\${c}`);
}

function block(lang: string, text: string): string {
  const body = safe(text);
  const f = fence(body);
  return `${f}${lang}\n${body}\n${f}`;
}

const SIGN: Readonly<Record<string, string>> = { create: "+", delete: "-", update: "~", replace: "-/+", forget: ".", import: "<=" };

/** Renders the Markdown of one section (without its markers). */
export function renderSection(s: PlanSection): string {
  const lines: string[] = [];
  const icon = s.error !== undefined || (s.policy?.violations.length ?? 0) > 0 ? "❌" : s.summary && s.summary.add + s.summary.change + s.summary.destroy === 0 ? "⚪" : "📝";
  lines.push(`### ${icon} ${codeSpan(s.dir)} — ${headingText(s.title)}${s.action === "destroy" ? " — **destroy**" : ""}`);
  lines.push("");
  if (s.error !== undefined) {
    lines.push(`**Plan failed** at \`${s.sha.slice(0, 12)}\`.`);
    lines.push("");
    lines.push("<details><summary>Error</summary>");
    lines.push("");
    lines.push(block("text", s.error));
    lines.push("");
    lines.push("</details>");
  } else if (s.summary) {
    const sum = s.summary;
    lines.push(`**Plan:** ${describePlan(sum)} at \`${s.sha.slice(0, 12)}\`.`);
    if (sum.changes.length > 0 || sum.outputs.length > 0) {
      const detail: string[] = [];
      for (const c of sum.changes) {
        detail.push(`${SIGN[c.kind] ?? "?"} ${c.address} (${c.kind})`);
        for (const a of c.attributes) {
          detail.push(`    ${a.name}: ${a.before} -> ${a.after}${a.forcesReplacement ? "  # forces replacement" : ""}`);
        }
        if (c.moreAttributes) detail.push(`    ... ${c.moreAttributes} more attributes`);
      }
      for (const o of sum.outputs) detail.push(`${SIGN[o.kind] ?? "?"} output.${o.name} (${o.kind}${o.sensitive ? ", sensitive" : ""})`);
      lines.push("");
      lines.push(`<details><summary>${sum.changes.length} resource change${sum.changes.length === 1 ? "" : "s"}, ${sum.outputs.length} output change${sum.outputs.length === 1 ? "" : "s"}</summary>`);
      lines.push("");
      lines.push(block("diff", detail.join("\n")));
      lines.push("");
      lines.push("</details>");
    }
    const policy = s.policy;
    if (policy && policy.violations.length + policy.suppressed.length > 0) {
      lines.push("");
      lines.push(`**Policy:** ${policy.violations.length} violation${policy.violations.length === 1 ? "" : "s"}${policy.suppressed.length ? `, ${policy.suppressed.length} suppressed` : ""}.`);
      for (const v of policy.violations) lines.push(`- ${headingText(v.ruleId)} at ${codeSpan(v.address)}: ${headingText(v.message)}. Fix: ${headingText(v.fix)}`);
      for (const v of policy.suppressed) lines.push(`- suppressed ${headingText(v.ruleId)} at ${codeSpan(v.address)}: ${headingText(v.reason)}`);
    }
    if (reviewable(s)) {
      // The apply on the main branch reads this line (from the bot's comment only) and applies
      // only a plan with the same digest.
      const record = reviewRecord(s.dir, s.action, sum);
      if (record.actions.length > 0) lines.push("");
      if (record.actions.length > 0) lines.push(`Review digest \`${record.digest.slice(0, 19)}\` (${record.actions.length} address-action${record.actions.length === 1 ? "" : "s"}): after merge, only a plan with these actions is applied.`);
      lines.push(reviewMarker(record));
    }
  }
  return `${lines.join("\n")}\n`;
}

function wrap(dir: string, sha: string, body: string): string {
  return `<!-- protonkit:section dir="${encodeURIComponent(dir)}" sha="${encodeURIComponent(sha)}" -->\n${body}<!-- /protonkit:section -->\n`;
}

/** The sections of an existing comment body, by directory. */
export function parseSections(body: string): Map<string, { sha: string; text: string }> {
  const out = new Map<string, { sha: string; text: string }>();
  for (const m of body.matchAll(SECTION_RE)) {
    out.set(decodeURIComponent(m[1]), { sha: decodeURIComponent(m[2]), text: m[3] });
  }
  return out;
}

/**
 * The new comment body: the existing sections planned at `sha` that are not being replaced,
 * plus `sections`, sorted by directory. Sections from other commits are dropped (their
 * resources are re-planned, or no longer part of the pull request).
 */
export function mergeComment(existing: string | undefined, sections: readonly PlanSection[], sha: string): string {
  const kept = new Map<string, string>();
  for (const [dir, s] of parseSections(existing ?? "")) if (s.sha === sha) kept.set(dir, s.text);
  for (const s of sections) kept.set(s.dir, renderSection(s));
  const dirs = [...kept.keys()].sort();
  const header = `${PLAN_COMMENT_MARKER}\n## protonkit plan\n\n${dirs.length} resource${dirs.length === 1 ? "" : "s"} at \`${sha.slice(0, 12)}\`. Sensitive values are hidden; raw plans are not posted.\n\n`;
  let body = header + dirs.map((d) => wrap(d, sha, kept.get(d) ?? "")).join("\n");
  if (body.length > COMMENT_LIMIT) {
    // Too long: drop the folded details and the review lists (the digests stay), keep every
    // heading and count.
    const short = (text: string): string =>
      text
        .replace(/\n<details>[\s\S]*<\/details>\n/, "\n_Details omitted: the comment would be too long; see the job log._\n")
        .replace(/(<!-- protonkit:reviewed digest="sha256:[0-9a-f]{64}" actions=")[A-Za-z0-9_-]*(" -->)/, `$1${ACTIONS_OMITTED}$2`);
    body = header + dirs.map((d) => wrap(d, sha, short(kept.get(d) ?? ""))).join("\n");
  }
  return body.length > COMMENT_LIMIT ? `${body.slice(0, COMMENT_LIMIT - 20)}\n\n_(truncated)_\n` : body;
}
