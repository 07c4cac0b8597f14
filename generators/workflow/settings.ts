/**
 * `.protonkit/workflow.yaml`: the provisioning repository's settings for the generated
 * workflow. The user owns this file: `protonkit workflow init` writes it once, `update` reads it
 * and never rewrites it. Bumping the toolkit is an edit of `toolkit_ref` here, then `update`.
 */
import { Problem, ProtonkitError } from "../../src/errors";
import { isPlainObject, lineOf, parseYamlText } from "../../src/support/yaml";

/** Where the settings live, relative to the provisioning repository root. */
export const WORKFLOW_SETTINGS_PATH = ".protonkit/workflow.yaml";

/** Validated generator settings. */
export interface WorkflowSettings {
  /** Format version, always 1. */
  readonly version: 1;
  /** `owner/name` of the toolkit repository the workflow checks out and runs. */
  readonly toolkit_repository: string;
  /** The toolkit commit the workflow runs: a full 40-character SHA, never a branch or tag. */
  readonly toolkit_ref: string;
  /**
   * Name of a repository secret holding a token that can read the toolkit repository, when it
   * is private. Without it the workflow's own `GITHUB_TOKEN` is used (public toolkit).
   */
  readonly toolkit_token_secret?: string;
  /**
   * Id of the automation GitHub App (platform repositories): it pushes the deployment records
   * and opens propagation pull requests whose checks start (a `GITHUB_TOKEN` push starts no
   * workflow). Without it `GITHUB_TOKEN` is used.
   */
  readonly app_id?: string;
  /** Secret of the GitHub environment `protonkit-automation` holding the automation App's private key. */
  readonly app_private_key_secret?: string;
  /** Id of a read-only GitHub App the pull request's entitlement check reads team membership with. */
  readonly membership_app_id?: string;
  /** Repository secret holding the membership App's private key. */
  readonly membership_app_private_key_secret?: string;
  /**
   * Rollout tiers a platform repository's deployment stops before (`staging`, `production`):
   * their gate job fails, so they and later tiers are not applied. @default []
   */
  readonly pause_before?: readonly ("staging" | "production")[];
  /**
   * `owner/name` of the provisioning repository itself, as GitHub spells it: the workflow
   * calls its credentialed jobs from this repository at the main branch, and the roles' OIDC
   * subjects name it.
   */
  readonly repository: string;
  /** The branch whose pushes apply. */
  readonly main_branch: string;
  /** Runner label of every job. */
  readonly runs_on: string;
  /** Timeout of each plan and apply job, in minutes. */
  readonly timeout_minutes: number;
}

/** Settings as flags or a test supply them; unset fields take the defaults. */
export type WorkflowSettingsInput = Partial<Omit<WorkflowSettings, "version">>;

/** Defaults for the optional settings. */
export const DEFAULT_SETTINGS = {
  main_branch: "main",
  runs_on: "ubuntu-latest",
  timeout_minutes: 60,
} as const;

const KEYS = [
  "version",
  "repository",
  "toolkit_repository",
  "toolkit_ref",
  "toolkit_token_secret",
  "app_id",
  "app_private_key_secret",
  "membership_app_id",
  "membership_app_private_key_secret",
  "pause_before",
  "main_branch",
  "runs_on",
  "timeout_minutes",
] as const;

/** Settings that come in pairs: an App id and the secret holding its key. */
const PAIRS = [
  ["app_id", "app_private_key_secret"],
  ["membership_app_id", "membership_app_private_key_secret"],
] as const;

const SECRET_NAME: Rule = {
  test: (v) => typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && !/^GITHUB_/i.test(v),
  message: "must be a secret name (letters, digits, underscores; not starting with GITHUB_)",
  fix: "write the name of the secret holding the App's private key, e.g. PROTONKIT_APP_PRIVATE_KEY",
};

const APP_ID: Rule = {
  test: (v) => typeof v === "string" && /^[0-9]{1,12}$/.test(v),
  message: "must be a GitHub App id as a quoted string of digits",
  fix: 'write the id shown on the App\'s settings page, quoted, e.g. "123456"',
};

interface Rule {
  readonly test: (v: unknown) => boolean;
  readonly message: string;
  readonly fix: string;
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

const RULES: Readonly<Record<Exclude<(typeof KEYS)[number], "version">, Rule>> = {
  repository: {
    test: (v) => typeof v === "string" && REPOSITORY.test(v) && !v.endsWith("/.") && !v.endsWith("/.."),
    message: "must be this provisioning repository as owner/name",
    fix: "write the repository exactly as GitHub spells it, e.g. acme/provisioning (the OIDC subject is case sensitive)",
  },
  toolkit_repository: {
    test: (v) => typeof v === "string" && /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(v) && !v.endsWith("/.") && !v.endsWith("/.."),
    message: "must be a GitHub repository as owner/name",
    fix: "write the repository of your protonkit fork, e.g. acme/protonkit",
  },
  toolkit_ref: {
    test: (v) => typeof v === "string" && /^[0-9a-f]{40}$/.test(v),
    message: "must be a full 40-character lowercase commit SHA",
    fix: "pin the toolkit to a commit: write the output of `git rev-parse HEAD` in the toolkit repository",
  },
  toolkit_token_secret: {
    test: (v) => typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && !/^GITHUB_/i.test(v),
    message: "must be a repository secret name (letters, digits, underscores; not starting with GITHUB_)",
    fix: "write the name of the secret, e.g. PROTONKIT_TOOLKIT_TOKEN, or remove the key for a public toolkit",
  },
  app_id: APP_ID,
  app_private_key_secret: SECRET_NAME,
  membership_app_id: APP_ID,
  membership_app_private_key_secret: SECRET_NAME,
  pause_before: {
    test: (v) => Array.isArray(v) && v.every((x) => x === "staging" || x === "production") && new Set(v).size === v.length,
    message: "must be a list of rollout tiers to stop before (staging, production)",
    fix: "write e.g. pause_before: [production], or remove the key to roll out every tier",
  },
  main_branch: {
    test: (v) => typeof v === "string" && /^[A-Za-z0-9._/-]{1,200}$/.test(v) && !v.startsWith("/") && !v.endsWith("/") && !v.includes(".."),
    message: "must be a branch name (letters, digits, '.', '_', '-', '/')",
    fix: "write the branch whose pushes apply, e.g. main",
  },
  runs_on: {
    test: (v) => typeof v === "string" && /^[A-Za-z0-9._-]{1,100}$/.test(v),
    message: "must be one runner label (letters, digits, '.', '_', '-')",
    fix: "write a runner label, e.g. ubuntu-latest",
  },
  timeout_minutes: {
    test: (v) => typeof v === "number" && Number.isInteger(v) && v >= 5 && v <= 360,
    message: "must be a whole number of minutes between 5 and 360",
    fix: "write e.g. 60",
  },
};

/**
 * Validates settings from any source. `file` names the source in problems; `lineFor` gives the
 * line of a key when the source is a file.
 */
export function validateWorkflowSettings(
  data: unknown,
  file: string,
  lineFor: (key: string) => number | undefined = () => undefined,
  fieldName: (key: string) => string = (key) => key,
): WorkflowSettings {
  if (!isPlainObject(data)) {
    throw new ProtonkitError(new Problem("must be a YAML mapping", { file, fix: "see generators/README.md for the keys" }));
  }
  const problems: Problem[] = [];
  for (const key of Object.keys(data).sort()) {
    if (!(KEYS as readonly string[]).includes(key)) {
      problems.push(new Problem("unknown key", { file, line: lineFor(key), field: fieldName(key), fix: `use one of ${KEYS.join(", ")}` }));
    }
  }
  if (data.version !== 1) {
    problems.push(new Problem(data.version === undefined ? "is required" : "must be 1", { file, line: lineFor("version"), field: fieldName("version"), fix: "write version: 1" }));
  }
  for (const key of ["repository", "toolkit_repository", "toolkit_ref"] as const) {
    if (data[key] === undefined) {
      problems.push(new Problem("is required", { file, line: lineFor(key), field: fieldName(key), fix: RULES[key].fix }));
    }
  }
  for (const [key, rule] of Object.entries(RULES)) {
    const value = data[key];
    if (value !== undefined && !rule.test(value)) {
      problems.push(new Problem(`${rule.message}, found ${JSON.stringify(value)}`, { file, line: lineFor(key), field: fieldName(key), fix: rule.fix }));
    }
  }
  for (const [id, secret] of PAIRS) {
    if ((data[id] === undefined) !== (data[secret] === undefined)) {
      const missing = data[id] === undefined ? id : secret;
      problems.push(new Problem(`is required with ${missing === id ? secret : id}`, { file, line: lineFor(missing), field: fieldName(missing), fix: `set both ${id} and ${secret}, or neither` }));
    }
  }
  if (problems.length > 0) {
    throw new ProtonkitError(problems, `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  }
  const optional = (key: (typeof KEYS)[number]): Record<string, string> => (data[key] !== undefined ? { [key]: data[key] as string } : {});
  return {
    version: 1,
    repository: data.repository as string,
    toolkit_repository: data.toolkit_repository as string,
    toolkit_ref: data.toolkit_ref as string,
    ...optional("toolkit_token_secret"),
    ...optional("app_id"),
    ...optional("app_private_key_secret"),
    ...optional("membership_app_id"),
    ...optional("membership_app_private_key_secret"),
    ...(Array.isArray(data.pause_before) && data.pause_before.length > 0 ? { pause_before: [...(data.pause_before as ("staging" | "production")[])].sort() } : {}),
    main_branch: (data.main_branch as string | undefined) ?? DEFAULT_SETTINGS.main_branch,
    runs_on: (data.runs_on as string | undefined) ?? DEFAULT_SETTINGS.runs_on,
    timeout_minutes: (data.timeout_minutes as number | undefined) ?? DEFAULT_SETTINGS.timeout_minutes,
  };
}

/** Parses and validates the text of `.protonkit/workflow.yaml`; `file` names it in problems. */
export function parseWorkflowSettings(text: string, file: string): WorkflowSettings {
  const { source, problems } = parseYamlText(text, file, "workflow settings file");
  if (!source) throw new ProtonkitError(problems, `${file}: cannot parse`);
  return validateWorkflowSettings(source.value, file, (key) => lineOf(source, [key]));
}

/** The command-line flag that sets a settings key: `toolkit_ref` -> `--toolkit-ref`. */
export function flagFor(key: string): string {
  return `--${key.replace(/_/g, "-")}`;
}

/** Settings from command-line flags (or a test); problems name the flags. */
export function settingsFromInput(input: WorkflowSettingsInput): WorkflowSettings {
  const data: Record<string, unknown> = { version: 1 };
  for (const [key, value] of Object.entries(input)) if (value !== undefined) data[key] = value;
  return validateWorkflowSettings(data, "command line", () => undefined, flagFor);
}
