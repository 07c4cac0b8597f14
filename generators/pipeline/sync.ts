/**
 * `protonkit pipeline init|update`: writes an application repository's CI, replacing only files
 * protonkit owns and has not seen edited (the owned-file digests of `generators/owned.ts`).
 *
 * Files:
 * - `.github/workflows/protonkit-delivery.yml` (GitHub) or `.gitlab-ci.yml` (GitLab): owned;
 * - `.protonkit/deploy.sh`: owned, the deploy step both SCMs run;
 * - `.protonkit/pipeline.yaml`: the developer's; init writes it when missing (from the platform
 *   repository and the flags), update reads it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError, fail } from "../../src/errors";
import { displayPath, type PathSegment } from "../../src/support/yaml";
import { finish, isInSync, planOwned, readIfExists, type FileResult, type OwnedFile } from "../workflow/sync";
import type { FileWrite } from "../write";
import { LANGUAGE_NAMES, detectLanguage, planBuild, type BuildPlan } from "./detect";
import { deployTrustProblems, readPlatformFacts, type PlatformFacts } from "./platform";
import { buildSummary, pipelineModel, renderDeployScript, renderGithubWorkflow, renderGitlabCi, renderSettingsFile, type PipelineModel } from "./render";
import { PIPELINE_SETTINGS_PATH, flagFor, parsePipelineSettings, validatePipelineSettings, type PipelineSettings, type Scm } from "./settings";
import { parseStageFlag } from "./stages";

/** Path of the GitHub workflow in an application repository. */
export const GITHUB_WORKFLOW_PATH = ".github/workflows/protonkit-delivery.yml";
/** Path of the GitLab pipeline in an application repository. */
export const GITLAB_CI_PATH = ".gitlab-ci.yml";
/** Path of the deploy script both pipelines run. */
export const DEPLOY_SCRIPT_PATH = ".protonkit/deploy.sh";

const NOTE_CI = "written by `protonkit pipeline`; change .protonkit/pipeline.yaml and run `protonkit pipeline update --repo .` instead of editing (edits are kept unless --force)";
const NOTE_SCRIPT = "written by `protonkit pipeline`; run `protonkit pipeline update --repo .` instead of editing";

/** Values `init` takes from the command line (a test passes them directly). */
export interface PipelineFlags {
  readonly service?: string;
  readonly scm?: string;
  readonly template?: string;
  readonly account?: string;
  readonly region?: string;
  readonly platformRepository?: string;
  readonly platformBranch?: string;
  readonly mainBranch?: string;
  readonly unitTest?: string;
  readonly artifact?: string;
  readonly packageCommand?: string;
  readonly packagePath?: string;
  readonly codeBucket?: string;
  /** `<environment>:<instance>:<tier>[:<account>]`, repeatable. */
  readonly stages?: readonly string[];
}

/** Options of {@link syncPipeline}. */
export interface PipelineSyncOptions {
  /** The application repository (top level of a git checkout). */
  readonly repo: string;
  readonly mode: "init" | "update";
  /**
   * A checkout of the platform repository to read the service from. `init` takes the template,
   * instances, tiers and unit-test command from it; `update` takes the unit-test command (the
   * pipeline spec's `unit_test_command`, when set), which wins over `.protonkit/pipeline.yaml`.
   */
  readonly platform?: string;
  readonly flags?: PipelineFlags;
  /** Overwrite owned files even when edited. */
  readonly force?: boolean;
  /** Compute the outcome without writing anything. */
  readonly check?: boolean;
}

/** What {@link syncPipeline} did. */
export interface PipelineSyncResult {
  readonly files: readonly FileResult[];
  readonly settings: PipelineSettings;
  readonly model: PipelineModel;
  readonly inSync: boolean;
}

function checkRepo(repo: string): string {
  const abs = path.resolve(repo);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    fail("the application repository does not exist", { file: displayPath(abs), field: "--repo", fix: "pass the top-level folder of the application's git checkout" });
  }
  if (!fs.existsSync(path.join(abs, ".git"))) {
    fail("not the top level of a git repository (no .git)", { file: displayPath(abs), field: "--repo", fix: "pass the top-level folder of the checkout, or run `git init` there first" });
  }
  return abs;
}

const FLAG_KEYS: readonly [keyof PipelineFlags, string][] = [
  ["service", "service"],
  ["scm", "scm"],
  ["template", "template"],
  ["account", "account"],
  ["region", "region"],
  ["platformRepository", "platform_repository"],
  ["platformBranch", "platform_branch"],
  ["mainBranch", "main_branch"],
  ["unitTest", "unit_test"],
  ["artifact", "artifact"],
  ["packageCommand", "package_command"],
  ["packagePath", "package_path"],
  ["codeBucket", "code_bucket"],
];

/** How to supply a missing setting on the command line without `--platform`. */
const INIT_FIXES: Readonly<Record<string, string>> = {
  template: "pass --template public-web-service, private-web-service or function-service, or --platform <platform checkout> to read it from platform/services/<service>.yaml",
  platform_repository: "pass --platform-repository <owner/name> (the GitHub repository holding platform/), or --platform <platform checkout> to read it from there",
  stages: "pass one --stage <environment>:<instance>:<tier> per deployment, or --platform <platform checkout> to read them from platform/services/<service>.yaml",
  account: "pass --account <12-digit id> (the account of the service's pipeline: ECR repository and pipeline role)",
};

/** How to supply a missing setting with `--platform`. */
const INIT_FIXES_PLATFORM: Readonly<Record<string, string>> = {
  ...INIT_FIXES,
  platform_repository:
    "pass --platform-repository <owner/name>; without it the platform checkout's .protonkit/platform.yaml workflow.repository is used, then its origin remote when that is a GitHub URL, and neither is set",
};

/** Default zip packaging per language, for a function built without a Dockerfile. */
function defaultPackageCommand(root: string): string {
  const { language } = detectLanguage(root);
  if (language === "node") return "npm ci --omit=dev && mkdir -p dist && zip -qr dist/function.zip . -x '.git/*' 'dist/*'";
  if (language === "python") return "rm -rf build && mkdir -p build dist && pip install -r requirements.txt -t build && cp -r ./*.py build/ && (cd build && zip -qr ../dist/function.zip .)";
  return "mkdir -p dist && zip -qr dist/function.zip . -x '.git/*' 'dist/*'";
}

/** The absolute path of a platform repository checkout; fails when it has no `platform/` folder. */
function checkPlatform(dir: string): string {
  const platformRoot = path.resolve(dir);
  if (!fs.existsSync(path.join(platformRoot, "platform"))) {
    fail("not a platform repository (no platform/ folder)", { file: displayPath(platformRoot), field: "--platform", fix: "pass a checkout of the platform repository, or leave --platform out and pass --stage flags" });
  }
  return platformRoot;
}

/**
 * Settings for a new `.protonkit/pipeline.yaml`, from the platform repository and the flags,
 * and what the platform repository said (with `--platform`).
 */
function settingsFromInit(root: string, options: PipelineSyncOptions): { settings: PipelineSettings; facts?: PlatformFacts } {
  const flags = options.flags ?? {};
  const data: Record<string, unknown> = { version: 1, region: "eu-west-1" };
  let facts: PlatformFacts | undefined;
  if (options.platform !== undefined) {
    if (flags.service === undefined) fail("is required with --platform", { field: "--service", fix: "name the service of platform/services/<name>.yaml" });
    facts = readPlatformFacts(checkPlatform(options.platform), flags.service);
    if (facts.scm !== undefined && flags.scm !== undefined && flags.scm !== facts.scm) {
      // The pipeline's roles trust the spec's SCM: CI generated for the other one could not deploy.
      fail(`the pipeline spec says scm: ${facts.scm}, the command line says ${flags.scm}`, {
        file: displayPath(path.join(options.platform, "platform", "services", `${flags.service}.yaml`)),
        field: "spec.pipeline.scm",
        fix: `leave out --scm, or change the pipeline spec's scm (its roles trust that SCM's CI) to ${flags.scm}`,
      });
    }
    data.template = facts.template;
    if (facts.scm !== undefined) data.scm = facts.scm;
    data.stages = facts.stages;
    if (facts.unit_test !== undefined) data.unit_test = facts.unit_test;
    if (facts.code_bucket !== undefined) data.code_bucket = facts.code_bucket;
    if (facts.platform_repository !== undefined) data.platform_repository = facts.platform_repository;
  }
  for (const [flag, key] of FLAG_KEYS) if (flags[flag] !== undefined) data[key] = flags[flag];
  if (flags.stages !== undefined && flags.stages.length > 0) {
    data.stages = flags.stages.map((text) => {
      const parsed = parseStageFlag(text);
      if (!parsed) fail(`malformed stage ${JSON.stringify(text)}`, { field: "--stage", fix: "write <environment>:<instance>:<tier>[:<account>], e.g. --stage test:orders-test:test" });
      return parsed;
    });
  }
  const hasDockerfile = fs.existsSync(path.join(root, "Dockerfile"));
  if (data.template === "function-service" && data.artifact === undefined && !hasDockerfile) data.artifact = "zip";
  if (data.artifact === "zip") {
    data.package_command ??= defaultPackageCommand(root);
    data.package_path ??= "dist/function.zip";
  }
  const settings = validatePipelineSettings(
    data,
    "command line",
    (segments: readonly PathSegment[]) => ({ field: flagFor(segments) + (segments.length > 1 ? ` (${segments.slice(1).join(".")})` : "") }),
    options.platform !== undefined ? INIT_FIXES_PLATFORM : INIT_FIXES,
  );
  return { settings, ...(facts !== undefined ? { facts } : {}) };
}

/** Decides the build: a zip needs no Dockerfile; a Lambda image cannot come from buildpacks. */
function buildPlanFor(root: string, settings: PipelineSettings): BuildPlan {
  if (settings.artifact === "zip") {
    const { language, evidence } = detectLanguage(root);
    return { language, kind: "buildpacks", evidence };
  }
  const plan = planBuild(root);
  if (settings.template === "function-service" && plan.kind === "buildpacks") {
    fail(`a Lambda container image needs the Lambda runtime interface, which the Paketo builder does not add (${LANGUAGE_NAMES[plan.language]})`, {
      file: displayPath(path.join(root, PIPELINE_SETTINGS_PATH)),
      field: "artifact",
      fix: "write artifact: zip (the function is packaged as a zip, no Dockerfile), or add a Dockerfile FROM an AWS Lambda base image",
    });
  }
  return plan;
}

/** Runs `pipeline init` or `pipeline update` on one application repository. */
export function syncPipeline(options: PipelineSyncOptions): PipelineSyncResult {
  const root = checkRepo(options.repo);
  const show = (rel: string): string => displayPath(path.join(root, rel));
  const planned: { result: FileResult; write?: FileWrite }[] = [];

  const text = readIfExists(path.join(root, PIPELINE_SETTINGS_PATH));
  let settings: PipelineSettings;
  let facts: PlatformFacts | undefined;
  let created = false;
  if (text !== undefined) {
    settings = parsePipelineSettings(text, show(PIPELINE_SETTINGS_PATH));
    const flags = options.flags ?? {};
    const conflicts: Problem[] = [];
    for (const key of ["service", "scm"] as const) {
      if (flags[key] !== undefined && flags[key] !== settings[key]) {
        conflicts.push(new Problem(`is ${JSON.stringify(settings[key])}, the command line says ${JSON.stringify(flags[key])}`, { file: show(PIPELINE_SETTINGS_PATH), field: key, fix: "this file holds the settings once it exists: edit it and run `protonkit pipeline update`" }));
      }
    }
    if (conflicts.length > 0) throw new ProtonkitError(conflicts, `${show(PIPELINE_SETTINGS_PATH)}: already exists with other settings`);
    if (options.platform !== undefined) {
      // The pipeline spec is the source of the unit-test command; the file keeps a fallback.
      facts = readPlatformFacts(checkPlatform(options.platform), settings.service);
      if (facts.unit_test !== undefined) settings = { ...settings, unit_test: facts.unit_test };
    }
    planned.push({ result: { path: PIPELINE_SETTINGS_PATH, status: "kept", reason: "yours; read, never rewritten" } });
  } else if (options.mode === "init") {
    ({ settings, facts } = settingsFromInit(root, options));
    created = true;
  } else {
    fail("the pipeline settings file does not exist", { file: show(PIPELINE_SETTINGS_PATH), fix: "run `protonkit pipeline init --repo <dir> --service <name> --scm github|gitlab` first" });
  }

  if (facts !== undefined) {
    // A stage in another account deploys through the instance's own role, which trusts the SCM its spec names.
    const problems = deployTrustProblems(facts, settings);
    if (problems.length > 0) throw new ProtonkitError(problems, "the generated pipeline could not assume the deploy roles of instances in other accounts");
  }
  const build = buildPlanFor(root, settings);
  const model = pipelineModel(settings, build, show(PIPELINE_SETTINGS_PATH));
  if (created) {
    planned.push({ result: { path: PIPELINE_SETTINGS_PATH, status: "created" }, write: { relativePath: PIPELINE_SETTINGS_PATH, content: renderSettingsFile(settings, buildSummary(model)) } });
  }
  const ci: OwnedFile =
    settings.scm === "github"
      ? { path: GITHUB_WORKFLOW_PATH, body: renderGithubWorkflow(model), style: "hash-comment", note: NOTE_CI }
      : { path: GITLAB_CI_PATH, body: renderGitlabCi(model), style: "hash-comment", note: NOTE_CI };
  const owned: OwnedFile[] = [ci, { path: DEPLOY_SCRIPT_PATH, body: renderDeployScript(model), style: "hash-comment", note: NOTE_SCRIPT }];
  for (const file of owned) planned.push(planOwned(root, file, options.force ?? false));
  const files = finish(root, planned, options.check ?? false);
  return { files, settings, model, inSync: isInSync(files) };
}

/** The CI file path for an SCM. */
export function ciPathFor(scm: Scm): string {
  return scm === "github" ? GITHUB_WORKFLOW_PATH : GITLAB_CI_PATH;
}
