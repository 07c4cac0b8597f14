/**
 * Teams and what they are entitled to, from the `entitlements:` key of the platform
 * configuration (`.protonkit/platform.yaml`):
 *
 * ```yaml
 * entitlements:
 *   platform_team: platform          # owns environments and the platform configuration
 *   automation: ["protonkit-platform[bot]"]  # logins whose pull requests are exempt
 *   teams:
 *     platform: { directory_group: "CN=platform,OU=Groups,DC=acme,DC=com", github_team: acme/platform, templates: ["*"], environments: ["*"] }
 *     team-a: { directory_group: ..., github_team: acme/team-a, templates: ["{postgres,dynamodb,s3}-service"], environments: ["*"] }
 * ```
 *
 * `directory_group` is the directory (AD) group the GitHub team is synced from (team
 * synchronisation); membership is read from the GitHub team, which mirrors the group.
 * Templates and environments are globs: `*`, `?` and `{a,b}`.
 */
import { Problem, ProtonkitError } from "../errors";
import { RESOURCE_NAME as NAME } from "../proton/names";
import { isPlainObject, lineOf, parseYamlText, type PathSegment, type YamlSource } from "../support/yaml";

/** The configuration key holding the entitlements. */
export const ENTITLEMENTS_KEY = "entitlements";

/** One team. */
export interface Team {
  /** Name used as `owner:` in `platform/services/*.yaml`. */
  readonly name: string;
  /** Directory (AD) group the GitHub team is synced from. */
  readonly directoryGroup: string;
  /** `org/team-slug` of the GitHub team. */
  readonly githubTeam: string;
  /** Template globs the team may use. */
  readonly templates: readonly string[];
  /** Environment globs the team may deploy to. */
  readonly environments: readonly string[];
  /**
   * Who may assume the team's `<environment>-<team>-observer` role where an environment
   * template has `team_access`: a role or an account's root, `{account_id}` standing for the
   * environment's account.
   * @default - the environment account's root (its IAM policies decide who may assume it)
   */
  readonly accessPrincipal?: string;
}

/** Validated entitlements. */
export interface Entitlements {
  /** Teams by name, sorted. */
  readonly teams: readonly Team[];
  /** The team that owns environments and the platform configuration. */
  readonly platformTeam: Team;
  /** GitHub logins of the automation whose pull requests are exempt from the checks. */
  readonly automation: readonly string[];
}

const GITHUB_TEAM = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;
const GLOB = /^[A-Za-z0-9*?{},._-]+$/;
const TEAM_KEYS = ["directory_group", "github_team", "templates", "environments", "access_principal"];
const PRINCIPAL = /^arn:aws[a-z-]*:iam::([0-9]{12}|\{account_id\}):(root|role\/[A-Za-z0-9+=,.@_/-]+)$/;

/** A glob as a regular expression: `*` any run, `?` one character, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  let depth = 0;
  for (const ch of glob) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else if (ch === "{") {
      depth++;
      out += "(?:";
    } else if (ch === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (ch === "," && depth > 0) out += "|";
    else out += ch.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** Whether `name` matches any of `globs`. */
export function matchesAny(name: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(name));
}

/** Whether a team may use `template`. */
export function mayUseTemplate(team: Team, template: string): boolean {
  return matchesAny(template, team.templates);
}

/** Whether a team may deploy to `environment`. */
export function mayDeployTo(team: Team, environment: string): boolean {
  return matchesAny(environment, team.environments);
}

function globList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((g) => typeof g === "string" && GLOB.test(g) && (g.split("{").length === g.split("}").length));
}

/**
 * Validates the value of the `entitlements:` key. `file` names the configuration in problems,
 * `where` gives the line of a path relative to the key.
 */
export function parseEntitlements(value: unknown, file: string, where: (segments: readonly PathSegment[]) => number | undefined = () => undefined): Entitlements {
  const problems: Problem[] = [];
  const add = (segments: readonly PathSegment[], message: string, fix: string): void => {
    const field = [ENTITLEMENTS_KEY, ...segments].map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
    problems.push(new Problem(message, { file, line: where(segments), field, fix }));
  };
  if (!isPlainObject(value)) {
    throw new ProtonkitError(new Problem("must be a mapping with platform_team, automation and teams", { file, field: ENTITLEMENTS_KEY, fix: "see the README section on entitlements" }));
  }
  for (const key of Object.keys(value)) {
    if (!["platform_team", "automation", "teams"].includes(key)) add([key], "unknown key", "use platform_team, automation or teams");
  }
  const teams: Team[] = [];
  if (!isPlainObject(value.teams) || Object.keys(value.teams).length === 0) {
    add(["teams"], "must map each team's name to its settings", "write teams: { <team>: { directory_group, github_team, templates, environments } }");
  } else {
    for (const name of Object.keys(value.teams).sort()) {
      const raw = value.teams[name];
      if (!NAME.test(name)) add(["teams", name], "team names are letters, digits, '_' and '-'", "rename the team");
      if (!isPlainObject(raw)) {
        add(["teams", name], "must be a mapping", `write ${TEAM_KEYS.join(", ")}`);
        continue;
      }
      for (const key of Object.keys(raw)) if (!TEAM_KEYS.includes(key)) add(["teams", name, key], "unknown key", `use ${TEAM_KEYS.join(", ")}`);
      let ok = true;
      if (typeof raw.directory_group !== "string" || raw.directory_group.trim() === "") {
        ok = false;
        add(["teams", name, "directory_group"], "is required", "write the directory (AD) group the GitHub team is synced from");
      }
      if (typeof raw.github_team !== "string" || !GITHUB_TEAM.test(raw.github_team)) {
        ok = false;
        add(["teams", name, "github_team"], raw.github_team === undefined ? "is required" : "must be org/team-slug", "write the GitHub team the group syncs to, e.g. acme/team-a");
      }
      for (const key of ["templates", "environments"] as const) {
        if (!globList(raw[key])) {
          ok = false;
          add(["teams", name, key], raw[key] === undefined ? "is required" : "must be a non-empty list of globs (*, ?, {a,b})", `list the ${key} the team may use, e.g. ["*"]`);
        }
      }
      if (raw.access_principal !== undefined && (typeof raw.access_principal !== "string" || !PRINCIPAL.test(raw.access_principal))) {
        ok = false;
        add(["teams", name, "access_principal"], "must be an IAM role ARN or an account's root", "write e.g. arn:aws:iam::{account_id}:role/team-a-developers ({account_id} is the environment's account), or leave it out");
      }
      if (ok) {
        teams.push({
          name,
          directoryGroup: raw.directory_group as string,
          githubTeam: raw.github_team as string,
          templates: raw.templates as string[],
          environments: raw.environments as string[],
          ...(typeof raw.access_principal === "string" ? { accessPrincipal: raw.access_principal } : {}),
        });
      }
    }
  }
  const platformTeam = teams.find((t) => t.name === value.platform_team);
  if (typeof value.platform_team !== "string") add(["platform_team"], "is required", "name the team that owns environments and the platform configuration");
  else if (!platformTeam && problems.length === 0) add(["platform_team"], `names no team of teams (${teams.map((t) => t.name).join(", ")})`, "name one of the teams");
  const automation = value.automation ?? [];
  if (!Array.isArray(automation) || !automation.every((a) => typeof a === "string" && /^[A-Za-z0-9-]+(\[bot\])?$/.test(a))) {
    add(["automation"], "must be a list of GitHub logins", 'write e.g. ["protonkit-platform[bot]"], or leave the key out');
  }
  if (problems.length > 0 || !platformTeam) throw new ProtonkitError(problems, `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${ENTITLEMENTS_KEY}`);
  return { teams, platformTeam, automation: [...(automation as string[])].sort() };
}

/**
 * Reads the entitlements from the text of `.protonkit/platform.yaml`; undefined when the file
 * has no `entitlements:` key. The platform configuration's own loader can call
 * {@link parseEntitlements} on the same value.
 */
export function entitlementsFromConfigText(text: string, file: string): Entitlements | undefined {
  const { source, problems } = parseYamlText(text, file, "platform configuration");
  if (!source) throw new ProtonkitError(problems, `${file}: cannot parse`);
  if (!isPlainObject(source.value) || source.value[ENTITLEMENTS_KEY] === undefined) return undefined;
  return parseEntitlements(source.value[ENTITLEMENTS_KEY], file, (segments) => lineOf(source as YamlSource, [ENTITLEMENTS_KEY, ...segments]));
}

/** The team named `name`, if any. */
export function teamNamed(entitlements: Entitlements, name: string): Team | undefined {
  return entitlements.teams.find((t) => t.name === name);
}
