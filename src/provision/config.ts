import type { ErrorObject } from "ajv";
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import { newAjv, pathOf } from "../support/json-schema";
import { readTextFile } from "../support/files";
import { uniqueProblems } from "../support/problems";
import { displayPath, lineOf, parseYaml } from "../support/yaml";
import type { YamlLines } from "../support/yaml";
import schemaJson from "./provisioning-config.schema.json";

/** The older provisioning-only configuration, relative to the repository root (still read when alone). */
export const DEFAULT_CONFIG_PATH = ".protonkit/provisioning.yaml";

/** The one configuration of a platform repository, relative to its root. */
export const PLATFORM_CONFIG_PATH = ".protonkit/platform.yaml";

/** Files `.protonkit/platform.yaml` replaces; `protonkit platform migrate-config` merges them. */
export const LEGACY_CONFIG_PATHS = [DEFAULT_CONFIG_PATH, ".protonkit/workflow.yaml"] as const;

/** Absolute path of the JSON schema file, for the workflow generator to copy. */
export const PROVISIONING_CONFIG_SCHEMA_PATH = path.join(__dirname, "provisioning-config.schema.json");

/** The JSON schema (draft-07) of `.protonkit/provisioning.yaml`. */
export const PROVISIONING_CONFIG_SCHEMA: Readonly<Record<string, unknown>> = schemaJson;

/** Settings for the environments one entry of `environments:` applies to. */
export interface EnvironmentConfig {
  /** Account the environment deploys into (var.environment.account_id); default: the top-level account_id. */
  readonly account_id?: string;
  /** IAM role the plan job assumes (read-only plus state read). */
  readonly plan_role_arn: string;
  /** IAM role the apply job assumes. */
  readonly apply_role_arn: string;
  /** AWS region to deploy to and of the state bucket. */
  readonly region: string;
  /** S3 bucket holding Terraform state. */
  readonly state_bucket: string;
  /** DynamoDB lock table; absent means S3 native locking (`use_lockfile = true`). */
  readonly lock_table?: string;
  /** Prefix of every state key, without leading or trailing slash. */
  readonly state_key_prefix?: string;
}

/** Where the template bundles come from (`catalog:`). */
export interface CatalogConfig {
  /** Path relative to the repository root, or URL, of the catalog's git repository. */
  readonly repository: string;
  /** Branch whose history publishes versions. @default "main" */
  readonly ref: string;
  /** Bundles folder in the catalog repository. @default "proton-bundles" */
  readonly bundles: string;
  /** Deprecated versions, `<template>:<major>` or `<template>:<major>.<minor>`. */
  readonly deprecated: readonly string[];
}

/** Settings of the generated workflow (`workflow:`, formerly `.protonkit/workflow.yaml`). */
export interface WorkflowConfig {
  /** `owner/name` of the platform repository itself. */
  readonly repository: string;
  readonly toolkit_repository: string;
  readonly toolkit_ref: string;
  readonly toolkit_token_secret?: string;
  /** Id of the automation GitHub App (records, propagation pull requests). */
  readonly app_id?: string;
  /** Secret (of the GitHub environment protonkit-automation) holding that App's private key. */
  readonly app_private_key_secret?: string;
  /** Id of the read-only App the entitlement check reads team membership with. */
  readonly membership_app_id?: string;
  /** Repository secret holding the membership App's private key. */
  readonly membership_app_private_key_secret?: string;
  /** Rollout tiers the platform workflow stops before. @default [] */
  readonly pause_before?: readonly ("staging" | "production")[];
  /** @default "ubuntu-latest" */
  readonly runs_on?: string;
  /** @default 60 */
  readonly timeout_minutes?: number;
}

/** A validated `.protonkit/platform.yaml` (or older `.protonkit/provisioning.yaml`), defaults filled in. */
export interface ProvisioningConfig {
  /** Format version, always 1. */
  readonly version: 1;
  /** Terraform version the workflow installs. */
  readonly terraform_version?: string;
  /** Entries by environment name; `"*"` is the fallback. */
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
  /** Where status goes: `proton` (default; records in git too), `git` or `none`. */
  readonly reporting: "proton" | "git" | "none";
  /** Whether sensitive Terraform outputs are sent to Proton (default false). */
  readonly report_sensitive_outputs: boolean;
  /** Apply direct pushes (no pull request) unreviewed (default false: refused). */
  readonly apply_direct_pushes: boolean;
  /** Management account in ARNs and `proton:account` (platform). */
  readonly account_id?: string;
  /** Region in ARNs (platform). */
  readonly region?: string;
  /** The branch whose pushes apply. @default "main" */
  readonly main_branch: string;
  /** Where the catalog comes from (platform). */
  readonly catalog?: CatalogConfig;
  /** Generated workflow settings. */
  readonly workflow?: WorkflowConfig;
  /** The file it was read from, as shown in messages. */
  readonly source: string;
}

/** The entry chosen for one environment, and which key matched (the name or `"*"`). */
export interface ResolvedEnvironmentConfig extends EnvironmentConfig {
  /** The `environments:` key that matched. */
  readonly matched: string;
}

const validate = newAjv().compile(schemaJson);

const FIXES: Readonly<Record<string, string>> = {
  plan_role_arn: "write an IAM role ARN, e.g. arn:aws:iam::123456789012:role/protonkit-plan",
  apply_role_arn: "write an IAM role ARN, e.g. arn:aws:iam::123456789012:role/protonkit-apply",
  region: "write an AWS region code, e.g. eu-west-1",
  state_bucket: "write an S3 bucket name: 3..63 lowercase letters, digits, dots and hyphens",
  lock_table: "write a DynamoDB table name, or remove the key to use S3 native locking",
  state_key_prefix: "remove the leading and trailing '/'",
  terraform_version: "write a version like 1.11.4",
  version: "write version: 1",
  reporting: "write proton, git or none",
  report_sensitive_outputs: "write true or false",
  apply_direct_pushes: "write true or false",
};

/**
 * Reads, parses and validates a configuration file. Throws a `ProtonkitError` listing every
 * problem as `<file>:<line>: <field>: <message> (fix: ...)`.
 */
export function loadProvisioningConfig(file: string, display: string = displayPath(file)): ProvisioningConfig {
  const read = readTextFile(file);
  if ("code" in read) {
    throw new ProtonkitError(
      new Problem(`cannot read the provisioning configuration (${read.code})`, {
        file: display,
        fix: `create ${DEFAULT_CONFIG_PATH} in the provisioning repository (see src/provision/README.md), or pass --config`,
      }),
    );
  }
  return parseProvisioningConfig(read.text, display);
}

/** Parses and validates configuration text; `file` names it in messages. */
export function parseProvisioningConfig(text: string, file: string): ProvisioningConfig {
  const parsed = parseYaml(text);
  if (parsed.errors.length > 0) {
    throw new ProtonkitError(
      parsed.errors.map((e) => new Problem(`not valid YAML: ${e.message}`, { file, line: e.line })),
      `${file}: cannot parse`,
    );
  }
  return checkConfig(parsed.doc.toJS() as unknown, file, parsed);
}

/** Validates already parsed configuration data; `file` names it in messages. */
export function validateProvisioningConfig(data: unknown, file: string): ProvisioningConfig {
  return checkConfig(data, file);
}

function checkConfig(data: unknown, file: string, yaml?: YamlLines): ProvisioningConfig {
  if (!validate(data)) {
    const problems = uniqueProblems((validate.errors ?? []).map((e) => toProblem(e, data, file, yaml)));
    throw new ProtonkitError(problems, `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
  }
  const raw = data as {
    version: 1;
    terraform_version?: string;
    environments: Record<string, EnvironmentConfig>;
    reporting?: "proton" | "git" | "none";
    report_sensitive_outputs?: boolean;
    apply_direct_pushes?: boolean;
    account_id?: string;
    region?: string;
    main_branch?: string;
    catalog?: Partial<CatalogConfig> & { repository: string };
    workflow?: WorkflowConfig;
  };
  const catalog = raw.catalog;
  return {
    version: raw.version,
    terraform_version: raw.terraform_version,
    environments: raw.environments,
    reporting: raw.reporting ?? "proton",
    report_sensitive_outputs: raw.report_sensitive_outputs ?? false,
    apply_direct_pushes: raw.apply_direct_pushes ?? false,
    ...(raw.account_id !== undefined ? { account_id: raw.account_id } : {}),
    ...(raw.region !== undefined ? { region: raw.region } : {}),
    main_branch: raw.main_branch ?? "main",
    ...(catalog
      ? { catalog: { repository: catalog.repository, ref: catalog.ref ?? "main", bundles: catalog.bundles ?? "proton-bundles", deprecated: catalog.deprecated ?? [] } }
      : {}),
    ...(raw.workflow !== undefined ? { workflow: raw.workflow } : {}),
    source: file,
  };
}

function toProblem(e: ErrorObject, data: unknown, file: string, yaml?: YamlLines): Problem {
  const segs = pathOf(e.instancePath, data);
  const params = e.params as Record<string, unknown>;
  let fieldSegs = segs;
  let message = e.message ?? "is invalid";
  let fix: string | undefined;
  switch (e.keyword) {
    case "additionalProperties": {
      fieldSegs = [...segs, String(params.additionalProperty)];
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      message = "unknown key";
      fix = allowed.length ? `use one of ${allowed.join(", ")}` : undefined;
      break;
    }
    case "required":
      fieldSegs = [...segs, String(params.missingProperty)];
      message = "is required";
      fix = FIXES[String(params.missingProperty)];
      break;
    case "propertyNames":
      fieldSegs = [...segs, String(params.propertyName)];
      message = "is not a valid environment name";
      fix = 'use the Proton environment name (letters, digits, "_" and "-") or "*"';
      break;
    case "pattern":
      if (e.propertyName !== undefined) {
        // Reported again by the propertyNames error; keep one.
        fieldSegs = [...segs, e.propertyName];
        message = "is not a valid environment name";
        fix = 'use the Proton environment name (letters, digits, "_" and "-") or "*"';
      } else {
        message = `must match ${String(params.pattern)}`;
        fix = FIXES[segs[segs.length - 1] ?? ""];
      }
      break;
    case "maxLength":
      if (e.propertyName !== undefined) {
        fieldSegs = [...segs, e.propertyName];
        message = "is not a valid environment name";
        fix = "use at most 100 characters";
      }
      break;
    case "enum":
      message = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
      fix = FIXES[segs[segs.length - 1] ?? ""];
      break;
    case "const":
      message = `must be ${JSON.stringify(params.allowedValue)}`;
      fix = FIXES[segs[segs.length - 1] ?? ""];
      break;
    case "minProperties":
      message = "needs at least one entry";
      fix = 'add an entry per environment name, or "*" for all';
      break;
    case "type":
      fix = FIXES[segs[segs.length - 1] ?? ""];
      break;
    default:
      break;
  }
  const field = fieldSegs.length ? fieldSegs.join(".") : undefined;
  const line = yaml ? lineOf(yaml, fieldSegs) : undefined;
  return new Problem(message, { file, line, field: field ?? "(top level)", fix });
}

/**
 * The account an environment runs in, as the platform renders it: its entry's `account_id`,
 * else the `"*"` entry's, else the top-level `account_id` (undefined when none is set).
 */
export function environmentAccount(config: ProvisioningConfig, envName: string): string | undefined {
  return config.environments[envName]?.account_id ?? config.environments["*"]?.account_id ?? config.account_id;
}

/**
 * The configuration entry for an environment: its own entry, else `"*"`. Throws a
 * `ProtonkitError` naming the file and the environment when neither exists.
 */
export function resolveEnvironmentConfig(
  config: ProvisioningConfig,
  envName: string,
  file: string = config.source,
): ResolvedEnvironmentConfig {
  const own = envName !== "" ? config.environments[envName] : undefined;
  if (own) return { ...own, matched: envName };
  const fallback = config.environments["*"];
  if (fallback) return { ...fallback, matched: "*" };
  const known = Object.keys(config.environments).sort();
  throw new ProtonkitError(
    new Problem(
      envName === ""
        ? `no entry for resources outside an environment (pipelines) and no "*" fallback (entries: ${known.join(", ")})`
        : `no entry for environment "${envName}" and no "*" fallback (entries: ${known.join(", ")})`,
      {
        file,
        field: envName === "" ? "environments.*" : `environments.${envName}`,
        fix: `add environments.${envName === "" ? '"*"' : envName} (plan_role_arn, apply_role_arn, region, state_bucket)${envName === "" ? "" : ' or a "*" entry'}`,
      },
    ),
  );
}

/**
 * The one configuration file of a repository, relative to its root: `.protonkit/platform.yaml`,
 * else the older `.protonkit/provisioning.yaml`. `exists` tells whether a relative path exists
 * (on disk or at a commit). Throws when the platform file and an older file both exist: two
 * files that can disagree are refused.
 */
export function configPathOf(exists: (relativePath: string) => boolean): string {
  if (!exists(PLATFORM_CONFIG_PATH)) return DEFAULT_CONFIG_PATH;
  const legacy = LEGACY_CONFIG_PATHS.filter((p) => exists(p));
  if (legacy.length > 0) {
    throw new ProtonkitError(
      legacy.map(
        (p) =>
          new Problem(`${PLATFORM_CONFIG_PATH} holds this configuration now; two files that can disagree are refused`, {
            file: p,
            fix: `run \`protonkit platform migrate-config\` once, or delete ${p} after moving its keys into ${PLATFORM_CONFIG_PATH}`,
          }),
      ),
      `${PLATFORM_CONFIG_PATH}: more than one configuration source`,
    );
  }
  return PLATFORM_CONFIG_PATH;
}

/** Loads the one configuration of the repository at `repo` (see {@link configPathOf}). */
export function loadRepositoryConfig(repo: string): ProvisioningConfig {
  const rel = configPathOf((p) => fs.existsSync(path.join(repo, p)));
  return loadProvisioningConfig(path.join(repo, rel), rel);
}
