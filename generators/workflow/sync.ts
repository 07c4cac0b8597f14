/**
 * `protonkit workflow init|update`: writes the provisioning workflow and its companions into a
 * provisioning repository, replacing only files protonkit owns and has not seen edited.
 *
 * Files and who owns them:
 * - `.github/workflows/protonkit-provision.yml`: owned (marker line + digest), rewritten by
 *   init and update; it only starts the run;
 * - `.github/workflows/protonkit-provision-jobs.yml`: owned, the reusable workflow holding
 *   every job (called at the main branch);
 * - `.github/workflows/protonkit-drift.yml`: owned, the scheduled drift check (calls the
 *   reusable workflow at the main branch);
 * - `.protonkit/provisioning.schema.json`: owned, the JSON schema of the configuration;
 * - `.protonkit/provisioning.yaml`: the user's; init writes a starter when it is missing,
 *   nothing ever overwrites it; it is read (and validated) for `terraform_version`;
 * - `.protonkit/workflow.yaml`: the user's; the generator's settings, written by init when
 *   missing, read by update.
 * A platform repository keeps both settings files' keys in `.protonkit/platform.yaml` (the
 * user's; `init --platform` writes a starter), and its workflows get the platform's jobs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError, fail } from "../../src/errors";
import {
  DEFAULT_CONFIG_PATH,
  PLATFORM_CONFIG_PATH,
  PROVISIONING_CONFIG_SCHEMA,
  configPathOf,
  loadProvisioningConfig,
  parseProvisioningConfig,
} from "../../src/provision/config";
import { entitlementsFromConfigText } from "../../src/platform/teams";
import { displayPath } from "../../src/support/yaml";
import { ownedState, stampOwned, type OwnedStyle } from "../owned";
import { writeFilesAtomically, type FileWrite } from "../write";
import {
  DEFAULT_TERRAFORM_VERSION,
  STARTER_DEFAULTS,
  PROVISION_CALLER_FILE,
  PROVISION_JOBS_FILE,
  DRIFT_CALLER_FILE,
  renderDriftWorkflow,
  renderProvisionJobsWorkflow,
  renderProvisionWorkflow,
  renderSettingsFile,
  renderPlatformJobsWorkflow,
  renderPlatformWorkflow,
  renderStarterConfig,
  renderStarterPlatformConfig,
  renderToolkitCi,
  type StarterConfigValues,
} from "./render";
import {
  WORKFLOW_SETTINGS_PATH,
  flagFor,
  parseWorkflowSettings,
  settingsFromInput,
  validateWorkflowSettings,
  type WorkflowSettings,
  type WorkflowSettingsInput,
} from "./settings";

/** Path of the generated workflow in a provisioning repository. */
export const PROVISION_WORKFLOW_PATH = `.github/workflows/${PROVISION_CALLER_FILE}`;
/** Path of the reusable workflow holding the credentialed jobs. */
export const PROVISION_JOBS_WORKFLOW_PATH = `.github/workflows/${PROVISION_JOBS_FILE}`;
/** Path of the scheduled drift check. */
export const DRIFT_WORKFLOW_PATH = `.github/workflows/${DRIFT_CALLER_FILE}`;
/** Path of the configuration's JSON schema in a provisioning repository. */
export const CONFIG_SCHEMA_PATH = ".protonkit/provisioning.schema.json";
/** Path of this repository's own CI workflow. */
export const TOOLKIT_CI_PATH = ".github/workflows/ci.yml";

/** What happened (or, with `check`, would happen) to one file. */
export type FileStatus =
  /** Did not exist; written. */
  | "created"
  /** Owned and untouched since protonkit wrote it (or forced); replaced with new content. */
  | "updated"
  /** Already byte-identical to what protonkit would write. */
  | "unchanged"
  /** Owned path, but edited by someone (or not written by protonkit): left alone. */
  | "skipped"
  /** A file the user owns that exists: read, never rewritten. */
  | "kept"
  /** A file the user owns that update does not create and that is absent. */
  | "missing";

/** The outcome for one file. */
export interface FileResult {
  /** Path relative to the repository root, `/`-separated. */
  readonly path: string;
  readonly status: FileStatus;
  /** Why, for skipped, kept and missing files. */
  readonly reason?: string;
}

/** Options of {@link syncWorkflow}. */
export interface SyncOptions {
  /** The provisioning repository (a git checkout). */
  readonly repo: string;
  /** `init` creates the user-owned starter files when missing; `update` never creates them. */
  readonly mode: "init" | "update";
  /** Overwrite owned files even when edited. */
  readonly force?: boolean;
  /** Compute the outcome without writing anything. */
  readonly check?: boolean;
  /** Settings for a new `.protonkit/workflow.yaml` (init only). */
  readonly settings?: WorkflowSettingsInput;
  /** Values for a new `.protonkit/provisioning.yaml` or `.protonkit/platform.yaml` (init only). */
  readonly starter?: Partial<StarterConfigValues>;
  /**
   * Init a platform repository: write a starter `.protonkit/platform.yaml` (with
   * `reporting: git`) instead of `provisioning.yaml` and `workflow.yaml`.
   * @default true when the repository has a `platform/` folder
   */
  readonly platform?: boolean;
  /**
   * The catalog's git repository for a new `.protonkit/platform.yaml` (`catalog.repository`): a
   * URL, or a path relative to the platform repository. Init of a platform repository only.
   * @default `https://github.com/<toolkit_repository>.git`
   */
  readonly catalog?: string;
}

/** What {@link syncWorkflow} did. */
export interface SyncResult {
  /** One entry per file, sorted by path. */
  readonly files: readonly FileResult[];
  /** The settings the workflow was rendered with. */
  readonly settings: WorkflowSettings;
  /** Whether the repository is (or, with check, was) already in sync: nothing created, updated or skipped. */
  readonly inSync: boolean;
  /** Whether this is a platform repository (settings in `.protonkit/platform.yaml`). */
  readonly platform: boolean;
}

const OWNED_NOTE_WORKFLOW =
  "written by `protonkit workflow`; change .protonkit/workflow.yaml and run `protonkit workflow update` instead of editing (edits are kept unless --force)";
const OWNED_NOTE_PLATFORM_WORKFLOW =
  "written by `protonkit workflow`; change workflow: in .protonkit/platform.yaml and run `protonkit workflow update` instead of editing (edits are kept unless --force)";
const OWNED_NOTE_SCHEMA = "written by `protonkit workflow update`; the JSON schema of provisioning.yaml";
const OWNED_NOTE_TOOLKIT_CI =
  "written by `protonkit workflow toolkit-ci` from templates/workflows/toolkit-ci.yml.hbs; edit the template, not this file";

/** An owned file: where it goes, its content without marker, how the marker is written. */
export interface OwnedFile {
  readonly path: string;
  readonly body: string;
  readonly style: OwnedStyle;
  readonly note: string;
}

function checkRepo(repo: string): string {
  const abs = path.resolve(repo);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    fail("the provisioning repository does not exist", { file: displayPath(abs), field: "--repo", fix: "pass the path of a git checkout of the provisioning repository" });
  }
  if (!stat.isDirectory()) {
    fail("the provisioning repository is not a directory", { file: displayPath(abs), field: "--repo", fix: "pass the repository's top-level folder" });
  }
  if (!fs.existsSync(path.join(abs, ".git"))) {
    fail("not the top level of a git repository (no .git)", {
      file: displayPath(abs),
      field: "--repo",
      fix: "pass the top-level folder of the provisioning repository checkout, or run `git init` there first",
    });
  }
  return abs;
}

/** A file's text, or undefined when it does not exist. */
export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function differingKeys(a: WorkflowSettings, b: WorkflowSettings): string[] {
  const keys = Object.keys({ ...a, ...b }).sort() as (keyof WorkflowSettings)[];
  return keys.filter((k) => a[k] !== b[k]);
}

/** Decides the fate of one owned file given what is on disk. */
export function planOwned(root: string, file: OwnedFile, force: boolean): { result: FileResult; write?: FileWrite } {
  const content = stampOwned(file.body, file.style, file.note);
  const existing = readIfExists(path.join(root, file.path));
  if (existing === undefined) return { result: { path: file.path, status: "created" }, write: { relativePath: file.path, content } };
  if (existing === content) return { result: { path: file.path, status: "unchanged" } };
  const state = ownedState(existing);
  if (state.kind === "pristine" || force) {
    return { result: { path: file.path, status: "updated" }, write: { relativePath: file.path, content } };
  }
  const reason =
    state.kind === "modified"
      ? "user-modified since protonkit wrote it, use --force to overwrite"
      : "not written by protonkit (no protonkit-owned marker), use --force to overwrite";
  return { result: { path: file.path, status: "skipped", reason } };
}

/** Writes the planned files atomically (unless `check`) and returns the results sorted by path. */
export function finish(root: string, planned: { result: FileResult; write?: FileWrite }[], check: boolean): FileResult[] {
  const writes = planned.flatMap((p) => (p.write ? [p.write] : []));
  if (!check && writes.length > 0) writeFilesAtomically(root, writes);
  return planned.map((p) => p.result).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether nothing was (or would be) created, updated or skipped. */
export function isInSync(files: readonly FileResult[]): boolean {
  return files.every((f) => f.status === "unchanged" || f.status === "kept" || f.status === "missing");
}

/** Runs `workflow init` or `workflow update` on one provisioning repository. */
export function syncWorkflow(options: SyncOptions): SyncResult {
  const root = checkRepo(options.repo);
  const show = (rel: string): string => displayPath(path.join(root, rel));
  const planned: { result: FileResult; write?: FileWrite }[] = [];

  // Settings: the file wins; init without it takes flags.
  const settingsText = readIfExists(path.join(root, WORKFLOW_SETTINGS_PATH));
  let settings: WorkflowSettings;
  // A platform repository keeps the settings in .protonkit/platform.yaml (workflow:, main_branch).
  const unified = configPathOf((p) => fs.existsSync(path.join(root, p))) === PLATFORM_CONFIG_PATH;
  const newPlatform =
    !unified &&
    options.mode === "init" &&
    (options.platform ?? fs.existsSync(path.join(root, "platform"))) &&
    settingsText === undefined &&
    !fs.existsSync(path.join(root, DEFAULT_CONFIG_PATH));
  if (options.catalog !== undefined && !newPlatform) {
    fail(unified ? "the platform configuration already exists" : "is only for a new platform repository", {
      file: unified ? show(PLATFORM_CONFIG_PATH) : "command line",
      field: unified ? "catalog.repository" : "--catalog",
      fix: unified ? "edit catalog.repository in .protonkit/platform.yaml" : "pass --platform (a platform repository), or leave out --catalog",
    });
  }
  let terraformVersion = DEFAULT_TERRAFORM_VERSION;
  let entitlements = false;
  if (newPlatform) {
    settings = settingsFromInput(options.settings ?? {});
    const values: StarterConfigValues = { ...STARTER_DEFAULTS, ...definedOnly(options.starter ?? {}) };
    checkStarterValues(values);
    checkCatalog(options.catalog);
    const text = renderStarterPlatformConfig(values, settings, options.catalog);
    parseProvisioningConfig(text, "command line (--account, --region, --terraform-version, --catalog)");
    terraformVersion = values.terraformVersion;
    planned.push({ result: { path: PLATFORM_CONFIG_PATH, status: "created" }, write: { relativePath: PLATFORM_CONFIG_PATH, content: text } });
  } else if (unified) {
    const config = loadProvisioningConfig(path.join(root, PLATFORM_CONFIG_PATH), show(PLATFORM_CONFIG_PATH));
    if (!config.workflow) {
      fail("has no workflow settings", { file: show(PLATFORM_CONFIG_PATH), field: "workflow", fix: "add workflow: { toolkit_repository: <owner/name>, toolkit_ref: <sha> }" });
    }
    settings = validateWorkflowSettings({ version: 1, ...config.workflow, main_branch: config.main_branch }, show(PLATFORM_CONFIG_PATH), () => undefined, (key) => (key === "main_branch" ? key : `workflow.${key}`));
  } else if (settingsText !== undefined) {
    settings = parseWorkflowSettings(settingsText, show(WORKFLOW_SETTINGS_PATH));
    const given = options.settings ?? {};
    if (Object.values(given).some((v) => v !== undefined)) {
      const merged = settingsFromInput({ ...settings, ...definedOnly(given) });
      const differing = differingKeys(settings, merged);
      if (differing.length > 0) {
        throw new ProtonkitError(
          differing.map(
            (key) =>
              new Problem(`differs from the command line (${flagFor(key)})`, {
                file: show(WORKFLOW_SETTINGS_PATH),
                field: key,
                fix: "this file holds the settings once it exists: edit it and run `protonkit workflow update`",
              }),
          ),
          `${show(WORKFLOW_SETTINGS_PATH)}: already exists with other settings`,
        );
      }
    }
    planned.push({ result: { path: WORKFLOW_SETTINGS_PATH, status: "kept", reason: "yours; read, never rewritten" } });
  } else if (options.mode === "init") {
    settings = settingsFromInput(options.settings ?? {});
    planned.push({ result: { path: WORKFLOW_SETTINGS_PATH, status: "created" }, write: { relativePath: WORKFLOW_SETTINGS_PATH, content: renderSettingsFile(settings) } });
  } else {
    fail("the workflow settings file does not exist", {
      file: show(WORKFLOW_SETTINGS_PATH),
      fix: "run `protonkit workflow init --repo <dir> --toolkit-repository <owner/name> --toolkit-ref <sha>` first",
    });
  }

  // Configuration: validated when present; init writes a starter when absent.
  const configAbs = path.join(root, DEFAULT_CONFIG_PATH);
  if (newPlatform) {
    // Written above.
  } else if (unified) {
    const file = path.join(root, PLATFORM_CONFIG_PATH);
    terraformVersion = loadProvisioningConfig(file, show(PLATFORM_CONFIG_PATH)).terraform_version ?? DEFAULT_TERRAFORM_VERSION;
    entitlements = entitlementsFromConfigText(fs.readFileSync(file, "utf8"), show(PLATFORM_CONFIG_PATH)) !== undefined;
    planned.push({ result: { path: PLATFORM_CONFIG_PATH, status: "kept", reason: "yours; validated, never rewritten" } });
  } else if (fs.existsSync(configAbs)) {
    const config = loadProvisioningConfig(configAbs, show(DEFAULT_CONFIG_PATH));
    terraformVersion = config.terraform_version ?? DEFAULT_TERRAFORM_VERSION;
    planned.push({ result: { path: DEFAULT_CONFIG_PATH, status: "kept", reason: "yours; validated, never rewritten" } });
  } else if (options.mode === "init") {
    const values: StarterConfigValues = { ...STARTER_DEFAULTS, ...definedOnly(options.starter ?? {}) };
    checkStarterValues(values);
    const text = renderStarterConfig(values);
    // The starter must itself be valid; a bad --account or --region fails here, naming it.
    parseProvisioningConfig(text, "command line (--account, --region, --terraform-version)");
    terraformVersion = values.terraformVersion;
    planned.push({ result: { path: DEFAULT_CONFIG_PATH, status: "created" }, write: { relativePath: DEFAULT_CONFIG_PATH, content: text } });
  } else {
    planned.push({ result: { path: DEFAULT_CONFIG_PATH, status: "missing", reason: "run `protonkit workflow init` to write a starter" } });
  }

  // A platform repository gets the platform workflow under the same file names, so the roles'
  // trust (job_workflow_ref) stays the same.
  const platform = unified || newPlatform;
  const note = platform ? OWNED_NOTE_PLATFORM_WORKFLOW : OWNED_NOTE_WORKFLOW;
  const owned: OwnedFile[] = [
    { path: PROVISION_WORKFLOW_PATH, body: platform ? renderPlatformWorkflow(settings, terraformVersion) : renderProvisionWorkflow(settings, terraformVersion), style: "hash-comment", note },
    {
      path: PROVISION_JOBS_WORKFLOW_PATH,
      body: platform ? renderPlatformJobsWorkflow(settings, terraformVersion, { entitlements }) : renderProvisionJobsWorkflow(settings, terraformVersion),
      style: "hash-comment",
      note,
    },
    // The drift check calls the jobs workflow's drift jobs (both kinds of repository have them).
    { path: DRIFT_WORKFLOW_PATH, body: renderDriftWorkflow(settings, terraformVersion, platform), style: "hash-comment", note },
    { path: CONFIG_SCHEMA_PATH, body: `${JSON.stringify(PROVISIONING_CONFIG_SCHEMA, null, 2)}\n`, style: "json", note: OWNED_NOTE_SCHEMA },
  ];
  for (const file of owned) planned.push(planOwned(root, file, options.force ?? false));

  const files = finish(root, planned, options.check ?? false);
  return { files, settings, inSync: isInSync(files), platform };
}

/** Options of {@link syncToolkitCi}. */
export interface ToolkitCiOptions {
  /** The toolkit repository root. */
  readonly root: string;
  /** Overwrite the workflow even when edited. */
  readonly force?: boolean;
  /** Compute the outcome without writing anything. */
  readonly check?: boolean;
}

/** The toolkit's own CI workflow exactly as `syncToolkitCi` writes it (with marker line). */
export function toolkitCiContent(): string {
  return stampOwned(renderToolkitCi(), "hash-comment", OWNED_NOTE_TOOLKIT_CI);
}

/** Writes (or checks) this repository's own `.github/workflows/ci.yml`. */
export function syncToolkitCi(options: ToolkitCiOptions): { files: readonly FileResult[]; inSync: boolean } {
  const root = path.resolve(options.root);
  if (!fs.existsSync(path.join(root, "package.json"))) {
    fail("not the toolkit repository (no package.json)", { file: displayPath(root), field: "--root", fix: "pass the protonkit repository root" });
  }
  const planned = [planOwned(root, { path: TOOLKIT_CI_PATH, body: renderToolkitCi(), style: "hash-comment", note: OWNED_NOTE_TOOLKIT_CI }, options.force ?? false)];
  const files = finish(root, planned, options.check ?? false);
  return { files, inSync: isInSync(files) };
}

function checkStarterValues(values: StarterConfigValues): void {
  const problems: Problem[] = [];
  const where = "command line";
  if (!/^[0-9]{12}$/.test(values.account)) {
    problems.push(new Problem(`must be a 12-digit AWS account id, found ${JSON.stringify(values.account)}`, { file: where, field: "--account", fix: "pass e.g. --account 123456789012" }));
  }
  if (!/^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(values.region)) {
    problems.push(new Problem(`must be an AWS region code, found ${JSON.stringify(values.region)}`, { file: where, field: "--region", fix: "pass e.g. --region eu-west-1" }));
  }
  if (!/^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$/.test(values.terraformVersion)) {
    problems.push(new Problem(`must be an exact Terraform version, found ${JSON.stringify(values.terraformVersion)}`, { file: where, field: "--terraform-version", fix: "pass e.g. --terraform-version 1.11.4" }));
  }
  if (problems.length > 0) throw new ProtonkitError(problems, `${problems.length} invalid option${problems.length === 1 ? "" : "s"}`);
}

/** A catalog location the starter can hold: one line, no quotes to escape, not empty. */
function checkCatalog(catalog: string | undefined): void {
  if (catalog === undefined) return;
  if (!/^[^\s"'\\]+$/.test(catalog)) {
    fail(`must be a git URL or a path, found ${JSON.stringify(catalog)}`, {
      file: "command line",
      field: "--catalog",
      fix: "pass the catalog's git repository, e.g. --catalog https://github.com/acme/protonkit.git or --catalog ../protonkit",
    });
  }
}

function definedOnly<T extends object>(value: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
