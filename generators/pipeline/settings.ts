/**
 * `.protonkit/pipeline.yaml`: an application repository's delivery settings. The developer owns
 * this file: `protonkit pipeline init` writes it once (from the platform repository or flags),
 * `update` reads it and never rewrites it.
 */
import { Problem, ProtonkitError } from "../../src/errors";
import { MAX_NAME_LENGTH, RESOURCE_NAME as NAME } from "../../src/proton/names";
import { isPlainObject, lineOf, parseYamlText, type PathSegment, type YamlSource } from "../../src/support/yaml";
import { TIERS, type Stage, type Tier } from "./stages";

/** Where the settings live, relative to the application repository root. */
export const PIPELINE_SETTINGS_PATH = ".protonkit/pipeline.yaml";

/** Source-code hosts protonkit generates CI for. */
export const SCMS = ["github", "gitlab"] as const;
/** A source-code host. */
export type Scm = (typeof SCMS)[number];

/** Application templates of the catalog that have a delivery pipeline. */
export const APPLICATION_TEMPLATES = ["public-web-service", "private-web-service", "function-service"] as const;
/** An application template. */
export type ApplicationTemplate = (typeof APPLICATION_TEMPLATES)[number];

/** What a build produces: a container image (every template) or a zip (functions only). */
export type Artifact = "image" | "zip";

/** Validated pipeline settings. */
export interface PipelineSettings {
  /** Format version, always 1. */
  readonly version: 1;
  /** The Proton service this repository delivers. */
  readonly service: string;
  /** The service's template in the catalog. */
  readonly template: ApplicationTemplate;
  /** Where the code lives. */
  readonly scm: Scm;
  /** 12-digit AWS account of the pipeline (ECR repository and pipeline role). */
  readonly account: string;
  /** AWS region of the repository and the services. */
  readonly region: string;
  /** `owner/name` of the platform repository on GitHub, where deployed artifacts are recorded. */
  readonly platform_repository: string;
  /** Branch of the platform repository that records are pushed to. @default "main" */
  readonly platform_branch: string;
  /** Branch of this repository whose pushes build and deploy. @default "main" */
  readonly main_branch: string;
  /** Shell command that runs the unit tests; absent: the language's default. */
  readonly unit_test?: string;
  /** @default "image" */
  readonly artifact: Artifact;
  /** Zip only: shell command that writes {@link package_path}. */
  readonly package_command?: string;
  /** Zip only: the zip file the package command writes, relative to the repository root. */
  readonly package_path?: string;
  /** Zip only: S3 bucket the zip is uploaded to once and promoted from. */
  readonly code_bucket?: string;
  /** Deployments in the order they are promoted through. */
  readonly stages: readonly Stage[];
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,200}$/;
const KEYS = [
  "version",
  "service",
  "template",
  "scm",
  "account",
  "region",
  "platform_repository",
  "platform_branch",
  "main_branch",
  "unit_test",
  "artifact",
  "package_command",
  "package_path",
  "code_bucket",
  "stages",
] as const;
const STAGE_KEYS = ["environment", "instance", "tier", "account"] as const;

type Where = (segments: readonly PathSegment[]) => { line?: number; field: string };

function isString(v: unknown): v is string {
  return typeof v === "string";
}

function oneLine(v: unknown): boolean {
  return isString(v) && v.trim() !== "" && !v.includes("\n") && v.length <= 1000;
}

/**
 * Validates settings from any source. `where` turns a field path into the line and the field
 * name a problem shows (a flag for the command line, a key for the file); `missingFix` says,
 * per key, how to supply a missing required value from that source.
 */
export function validatePipelineSettings(data: unknown, file: string, where: Where, missingFix: Readonly<Record<string, string>> = {}): PipelineSettings {
  const problems: Problem[] = [];
  const add = (segments: readonly PathSegment[], message: string, fix: string): void => {
    const w = where(segments);
    const key = String(segments[0]);
    problems.push(new Problem(message, { file, line: w.line, field: w.field, fix: message === "is required" && segments.length === 1 ? (missingFix[key] ?? fix) : fix }));
  };
  if (!isPlainObject(data)) {
    throw new ProtonkitError(new Problem("must be a YAML mapping", { file, fix: "see generators/README.md for the keys" }));
  }
  for (const key of Object.keys(data).sort()) {
    if (!(KEYS as readonly string[]).includes(key)) add([key], "unknown key", `use one of ${KEYS.join(", ")}`);
  }
  if (data.version !== 1) add(["version"], data.version === undefined ? "is required" : "must be 1", "write version: 1");
  const need = (key: string, ok: (v: unknown) => boolean, message: string, fix: string, required = true): void => {
    const v = data[key];
    if (v === undefined) {
      if (required) add([key], "is required", fix);
    } else if (!ok(v)) add([key], `${message}, found ${JSON.stringify(v)}`, fix);
  };
  need("service", (v) => isString(v) && NAME.test(v) && v.length <= MAX_NAME_LENGTH, "must be a Proton service name", "write the service's name as in platform/services/<name>.yaml");
  need("template", (v) => (APPLICATION_TEMPLATES as readonly unknown[]).includes(v), `must be one of ${APPLICATION_TEMPLATES.join(", ")}`, "write the service's template");
  need("scm", (v) => (SCMS as readonly unknown[]).includes(v), "must be github or gitlab", "write github or gitlab");
  need("account", (v) => isString(v) && /^[0-9]{12}$/.test(v), "must be a 12-digit AWS account id (quoted)", 'write e.g. account: "123456789012"');
  need("region", (v) => isString(v) && /^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(v), "must be an AWS region code", "write e.g. eu-west-1");
  need("platform_repository", (v) => isString(v) && REPO.test(v), "must be a GitHub repository as owner/name", "write the platform repository, e.g. acme/platform");
  for (const key of ["platform_branch", "main_branch"]) {
    need(key, (v) => isString(v) && BRANCH.test(v) && !v.includes(".."), "must be a branch name", "write e.g. main", false);
  }
  for (const key of ["unit_test", "package_command"]) need(key, oneLine, "must be a one-line shell command", "write e.g. npm test", false);
  need("package_path", (v) => isString(v) && /^[A-Za-z0-9._/-]+\.zip$/.test(v) && !v.startsWith("/") && !v.includes(".."), "must be a relative path to a .zip", "write e.g. dist/function.zip", false);
  need("code_bucket", (v) => isString(v) && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v), "must be an S3 bucket name", "write the bucket the function's code_s3_bucket names", false);
  need("artifact", (v) => v === "image" || v === "zip", "must be image or zip", "write image (a container image) or zip", false);
  const artifact: Artifact = data.artifact === "zip" ? "zip" : "image";
  if (artifact === "zip") {
    if (data.template !== "function-service") add(["artifact"], "a zip deploys only a function-service", "write artifact: image");
    for (const key of ["package_command", "package_path", "code_bucket"]) {
      if (data[key] === undefined) add([key], "is required when artifact is zip", `write ${key}, or artifact: image`);
    }
  }

  const stages: Stage[] = [];
  if (!Array.isArray(data.stages) || data.stages.length === 0) {
    add(["stages"], data.stages === undefined ? "is required" : "must be a non-empty list", "list the instances to deploy, e.g. - { environment: test, instance: orders-test, tier: test }");
  } else {
    data.stages.forEach((raw: unknown, i: number) => {
      if (!isPlainObject(raw)) return add(["stages", i], "must be a mapping", "write environment, instance and tier");
      for (const key of Object.keys(raw)) {
        if (!(STAGE_KEYS as readonly string[]).includes(key)) add(["stages", i, key], "unknown key", `use one of ${STAGE_KEYS.join(", ")}`);
      }
      let ok = true;
      for (const key of ["environment", "instance"] as const) {
        if (!isString(raw[key]) || !NAME.test(raw[key] as string)) {
          ok = false;
          add(["stages", i, key], raw[key] === undefined ? "is required" : "must be a Proton name", `write the ${key}'s name`);
        }
      }
      if (!(TIERS as readonly unknown[]).includes(raw.tier)) {
        ok = false;
        add(["stages", i, "tier"], raw.tier === undefined ? "is required" : `must be one of ${TIERS.join(", ")}`, "write the environment's tier (its platform/environments/<env>.yaml tier)");
      }
      if (raw.account !== undefined && !(isString(raw.account) && /^[0-9]{12}$/.test(raw.account))) {
        ok = false;
        add(["stages", i, "account"], "must be a 12-digit AWS account id (quoted)", "write the environment's account, or remove the key for the pipeline's account");
      }
      if (ok) {
        stages.push({
          environment: raw.environment as string,
          instance: raw.instance as string,
          tier: raw.tier as Tier,
          ...(isString(raw.account) ? { account: raw.account } : {}),
        });
      }
    });
  }
  if (problems.length > 0) throw new ProtonkitError(problems, `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  const str = (key: string): string | undefined => (isString(data[key]) ? (data[key] as string) : undefined);
  return {
    version: 1,
    service: data.service as string,
    template: data.template as ApplicationTemplate,
    scm: data.scm as Scm,
    account: data.account as string,
    region: data.region as string,
    platform_repository: data.platform_repository as string,
    platform_branch: str("platform_branch") ?? "main",
    main_branch: str("main_branch") ?? "main",
    ...(str("unit_test") !== undefined ? { unit_test: str("unit_test") } : {}),
    artifact,
    ...(artifact === "zip" ? { package_command: str("package_command"), package_path: str("package_path"), code_bucket: str("code_bucket") } : {}),
    stages,
  };
}

/** Parses and validates the text of `.protonkit/pipeline.yaml`; `file` names it in problems. */
export function parsePipelineSettings(text: string, file: string): PipelineSettings {
  const { source, problems } = parseYamlText(text, file, "pipeline settings file");
  if (!source) throw new ProtonkitError(problems, `${file}: cannot parse`);
  return validatePipelineSettings(source.value, file, fileWhere(source));
}

function fileWhere(source: YamlSource): Where {
  return (segments) => ({
    line: lineOf(source, segments),
    field: segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join(""),
  });
}

/** The command-line flag for a settings key: `platform_repository` -> `--platform-repository`. */
export function flagFor(segments: readonly PathSegment[]): string {
  const key = segments[0];
  if (key === "stages") return "--stage";
  return `--${String(key).replace(/_/g, "-")}`;
}
