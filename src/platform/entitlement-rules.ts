/**
 * The entitlement rules a pull request to the platform repository must pass. Pure: the facts
 * (changed files with their base and head text, authors, approvals) and team membership are
 * handed in, so the rules are tested without GitHub.
 *
 * - `owning-team-author`: the author and every commit author of a change to
 *   `platform/services/<service>.yaml` belong to the owning team (`owner:`, before and after);
 *   otherwise a member of that team must approve (the CODEOWNERS review).
 * - `template-entitlement`: the owning team may use the service's template.
 * - `environment-entitlement`: the owning team may deploy to each instance's environment.
 * - `platform-owned`: environments, the platform configuration and CODEOWNERS are changed by
 *   the platform team, or approved by one of its members.
 * - `unknown-owner`: a service's `owner:` names a configured team.
 * The entitlement rules can be waived for one pull request by an approval from the platform
 * team (the exception), which the result records. Pull requests whose author and commit
 * authors are all automation identities are exempt.
 */
import { isPlainObject, parseYaml } from "../support/yaml";
import { mayDeployTo, mayUseTemplate, teamNamed, type Entitlements, type Team } from "./teams";

/** One changed file with its text before (base) and after (head); absent when added/deleted. */
export interface ChangedFile {
  readonly path: string;
  readonly base?: string;
  readonly head?: string;
}

/** What the checks know about a pull request. */
export interface PullRequestFacts {
  readonly number: number;
  /** Login of the pull request's author. */
  readonly author: string;
  /** Logins of the commit authors; a commit with no GitHub user shows as `<email>`. */
  readonly commitAuthors: readonly string[];
  /** Logins whose latest review approves the head commit. */
  readonly approvals: readonly string[];
  readonly files: readonly ChangedFile[];
}

/** Whether `login` is a member of `team` (read from GitHub's API). */
export type MembershipLookup = (team: Team, login: string) => Promise<boolean>;

/** A rule that failed. */
export interface Refusal {
  readonly rule: string;
  readonly file: string;
  readonly message: string;
  /** Who can approve an exception (or the missing review). */
  readonly approvers: string;
}

/** The outcome of the checks. */
export interface EntitlementResult {
  /** Set when the pull request is exempt (automation), with why. */
  readonly exempt?: string;
  readonly refusals: readonly Refusal[];
  /** Rules satisfied by an approval, recorded for the audit trail. */
  readonly notes: readonly string[];
}

const PLATFORM_OWNED = [/^platform\/environments\//, /^\.protonkit\//, /^\.github\/CODEOWNERS$/, /^CODEOWNERS$/, /^docs\/CODEOWNERS$/];
const SERVICE_FILE = /^platform\/services\/([^/]+)\.ya?ml$/;

interface ServiceFacts {
  readonly owner?: string;
  readonly template?: string;
  readonly environments: readonly string[];
}

function serviceFacts(text: string | undefined): ServiceFacts | undefined {
  if (text === undefined) return undefined;
  const parsed = parseYaml(text);
  const v = parsed.doc.toJS() as unknown;
  if (!isPlainObject(v)) return { environments: [] };
  const spec = isPlainObject(v.spec) ? v.spec : {};
  const instances = Array.isArray(spec.instances) ? spec.instances : [];
  const environments = instances.flatMap((i: unknown) => (isPlainObject(i) && typeof i.environment === "string" ? [i.environment] : []));
  return {
    ...(typeof v.owner === "string" ? { owner: v.owner } : {}),
    ...(typeof v.template === "string" ? { template: v.template } : {}),
    environments: [...new Set(environments)].sort(),
  };
}

function mention(team: Team): string {
  return `@${team.githubTeam}`;
}

/** Runs every rule on a pull request. Team configuration must come from the base commit. */
export async function checkEntitlements(entitlements: Entitlements, pr: PullRequestFacts, isMember: MembershipLookup): Promise<EntitlementResult> {
  const people = [...new Set([pr.author, ...pr.commitAuthors])].sort();
  const automation = new Set(entitlements.automation);
  if (people.every((p) => automation.has(p))) {
    return { exempt: `every author (${people.join(", ")}) is an automation identity of entitlements.automation`, refusals: [], notes: [] };
  }
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const platform = entitlements.platformTeam;
  const approvedBy = async (team: Team): Promise<string | undefined> => {
    for (const login of [...pr.approvals].sort()) if (login !== pr.author && (await isMember(team, login))) return login;
    return undefined;
  };
  const outsiders = async (team: Team): Promise<string[]> => {
    const out: string[] = [];
    for (const p of people) if (!(await isMember(team, p))) out.push(p);
    return out;
  };
  // Membership rule: authors in `team`, else an approval by a member of it.
  const requireTeam = async (team: Team, file: string, rule: string): Promise<void> => {
    const missing = await outsiders(team);
    if (missing.length === 0) return;
    const approver = await approvedBy(team);
    if (approver) {
      notes.push(`${rule} (${file}): ${missing.join(", ")} not in ${team.name}; approved by ${approver} of ${mention(team)}`);
      return;
    }
    refusals.push({
      rule,
      file,
      message: `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not a member of team ${team.name} (GitHub team ${team.githubTeam}, directory group ${team.directoryGroup})`,
      approvers: `a member of ${mention(team)} (CODEOWNERS review)`,
    });
  };
  // Entitlement rule: waived by an approval of the platform team.
  const entitlementFailed = async (rule: string, file: string, message: string, fix: string): Promise<void> => {
    const approver = await approvedBy(platform);
    if (approver) {
      notes.push(`${rule} (${file}): ${message}; exception approved by ${approver} of ${mention(platform)}`);
      return;
    }
    refusals.push({ rule, file, message: `${message}; ${fix}`, approvers: `a member of the platform team ${mention(platform)} (exception), or the platform team changes entitlements in .protonkit/platform.yaml` });
  };

  for (const file of [...pr.files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (PLATFORM_OWNED.some((re) => re.test(file.path))) {
      await requireTeam(platform, file.path, "platform-owned");
      continue;
    }
    if (!SERVICE_FILE.test(file.path)) continue;
    const before = serviceFacts(file.base);
    const after = serviceFacts(file.head);
    const owners = [...new Set([before?.owner, after?.owner].filter((o): o is string => o !== undefined))].sort();
    if (owners.length === 0) {
      refusals.push({ rule: "unknown-owner", file: file.path, message: "the service names no owner", approvers: `write owner: <team>; the platform team ${mention(platform)} can help` });
      continue;
    }
    for (const owner of owners) {
      const team = teamNamed(entitlements, owner);
      if (!team) {
        refusals.push({
          rule: "unknown-owner",
          file: file.path,
          message: `owner "${owner}" is not a team of entitlements.teams (${entitlements.teams.map((t) => t.name).join(", ")})`,
          approvers: `the platform team ${mention(platform)} adds the team to .protonkit/platform.yaml`,
        });
        continue;
      }
      await requireTeam(team, file.path, "owning-team-author");
    }
    // What the service becomes must be within its (new) owner's entitlements.
    const team = after?.owner !== undefined ? teamNamed(entitlements, after.owner) : undefined;
    if (!team || !after) continue;
    if (after.template !== undefined && !mayUseTemplate(team, after.template)) {
      await entitlementFailed("template-entitlement", file.path, `team ${team.name} may not use template ${after.template}`, `its templates are ${team.templates.join(", ")}`);
    }
    for (const env of after.environments) {
      if (!mayDeployTo(team, env)) {
        await entitlementFailed("environment-entitlement", file.path, `team ${team.name} may not deploy to environment ${env}`, `its environments are ${team.environments.join(", ")}`);
      }
    }
  }
  return { refusals, notes };
}

/** The result as text: one line per refusal naming the rule, the file and who can approve. */
export function formatResult(result: EntitlementResult): string {
  if (result.exempt) return `exempt: ${result.exempt}\n`;
  const lines = [
    ...result.notes.map((n) => `approved: ${n}`),
    ...result.refusals.map((r) => `refused by rule ${r.rule}: ${r.file}: ${r.message} (approval: ${r.approvers})`),
  ];
  if (result.refusals.length === 0) lines.push("entitlements: every rule passes");
  return `${lines.join("\n")}\n`;
}
