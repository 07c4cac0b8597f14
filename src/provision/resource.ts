import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError, fail } from "../errors";
import { resolveEnvironmentConfig, type ProvisioningConfig, type ResolvedEnvironmentConfig } from "./config";
import { logName } from "./log";
import type { ArnResourceKind } from "../proton/contract";
import { METADATA_FILE, parseDeploymentMetadata, type DeploymentMetadata } from "./metadata";

/** What one resource directory is, from its metadata and its place in the repository. */
export interface ResourceIdentity {
  /** Directory relative to the repository root, `/`-separated, no trailing slash. */
  readonly dir: string;
  /** Resource kind, from the ARN. */
  readonly kind: ArnResourceKind;
  /** Resource name (instance, environment, component; the service for a pipeline). */
  readonly name: string;
  /** Service name for instances and pipelines, else "". */
  readonly service: string;
  /** Environment name; "" for pipelines. */
  readonly environment: string;
  /** The resource ARN. */
  readonly arn: string;
  /** Region of the Proton resource (from its ARN). */
  readonly protonRegion: string;
  /** Deployment id as written in the metadata. */
  readonly deploymentId?: string;
  /** True when Proton deleted the resource: destroy it. */
  readonly deleted: boolean;
  /** `apply`, or `destroy` when deleted. */
  readonly action: "apply" | "destroy";
  /** The parsed metadata. */
  readonly metadata: DeploymentMetadata;
}

/** S3 backend settings passed as `-backend-config`. */
export interface BackendSettings {
  /** State bucket (`state_bucket`). */
  readonly bucket: string;
  /** State key: `[<state_key_prefix>/]<dir>/terraform.tfstate`. */
  readonly key: string;
  /** Bucket region (the entry's `region`). */
  readonly region: string;
  /** Always true: state is encrypted at rest. */
  readonly encrypt: true;
  /** S3 native locking, when no DynamoDB table is configured. */
  readonly use_lockfile?: true;
  /** DynamoDB lock table, when configured. */
  readonly dynamodb_table?: string;
}

/** A resource with its configuration entry and backend: everything needed to run it. */
export interface ResolvedResource extends ResourceIdentity {
  /** Absolute path of the directory. */
  readonly absDir: string;
  /** The configuration entry that applies. */
  readonly config: ResolvedEnvironmentConfig;
  /** Deploy region (from the configuration entry). */
  readonly region: string;
  /** S3 backend settings. */
  readonly backend: BackendSettings;
}

/** Normalizes `dir` (relative to `repoRoot`, or absolute inside it) to a repository-relative posix path. */
export function normalizeDir(repoRoot: string, dir: string): string {
  const abs = path.resolve(repoRoot, dir);
  const rel = path.relative(path.resolve(repoRoot), abs);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
    fail(`"${dir}" is not a directory inside the repository ${repoRoot}`, {
      field: "--dir",
      fix: "pass a resource directory relative to --repo, e.g. prod/api-web",
    });
  }
  return rel.split(path.sep).join("/");
}

/** The environment a directory belongs to by layout: its first segment, after an optional `environments/`. */
export function environmentFromDir(dir: string): string {
  const segs = dir.split("/").filter(Boolean);
  if (segs[0] === "environments" && segs.length > 1) return segs[1];
  return segs[0] ?? "";
}

/** Builds the identity of a resource directory from its (already parsed) metadata. */
export function identifyResource(dir: string, metadata: DeploymentMetadata): ResourceIdentity {
  const { arn } = metadata;
  let environment: string;
  switch (arn.kind) {
    case "environment":
      environment = arn.name;
      break;
    case "pipeline":
      environment = "";
      break;
    default:
      environment = metadata.environmentArn?.name ?? environmentFromDir(dir);
  }
  return {
    dir,
    kind: arn.kind,
    name: arn.name,
    service: arn.service,
    environment,
    arn: arn.arn,
    protonRegion: arn.region,
    deploymentId: metadata.deploymentId,
    deleted: metadata.isResourceDeleted,
    action: metadata.isResourceDeleted ? "destroy" : "apply",
    metadata,
  };
}

/** Reads the metadata of a resource directory on disk; a clear error when it is not one. */
export function readResource(repoRoot: string, dir: string): ResourceIdentity {
  const rel = normalizeDir(repoRoot, dir);
  const file = path.join(repoRoot, rel, METADATA_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    fail(`${rel} is not a resource directory: ${rel}/${METADATA_FILE} is missing`, {
      file: `${rel}/${METADATA_FILE}`,
      fix: "pass a directory Proton (or protonkit render) wrote a deployment into",
    });
  }
  return identifyResource(rel, parseDeploymentMetadata(text, `${rel}/${METADATA_FILE}`));
}

/** The state key of a directory: `[<prefix>/]<dir>/terraform.tfstate`. */
export function backendKey(dir: string, prefix?: string): string {
  return [prefix, dir, "terraform.tfstate"].filter((s): s is string => s !== undefined && s !== "").join("/");
}

/**
 * Refuses a resource whose directory and metadata disagree about its environment: roles and
 * state are chosen by environment, so `test/x` holding a production ARN must not get
 * production's roles (nor production's roles be used from a test directory). Pipelines belong
 * to no environment and must not sit under an environment's directory.
 */
export function checkRouting(identity: ResourceIdentity, config?: ProvisioningConfig): void {
  const byDir = environmentFromDir(identity.dir);
  const file = `${identity.dir}/${METADATA_FILE}`;
  if (identity.kind === "pipeline") {
    if (config && byDir !== "" && Object.prototype.hasOwnProperty.call(config.environments, byDir) && byDir !== "*") {
      fail(`${logName(identity.dir)} holds the pipeline of service ${identity.service} but lies under the directory of environment "${byDir}"`, {
        file,
        field: "resourceMetadata.arn",
        fix: `pipelines live in <service>/pipeline/ (here ${identity.service}/pipeline/); move the directory, or correct the ARN`,
      });
    }
    return;
  }
  if (byDir !== identity.environment) {
    fail(
      `${logName(identity.dir)} lies under environment "${logName(byDir)}" but its metadata names environment "${identity.environment}" (${identity.arn}); ` +
        `roles and state are chosen by the directory, and the two must agree`,
      {
        file,
        field: identity.kind === "environment" ? "resourceMetadata.arn" : `${identity.kind === "component" ? "componentMetadata" : "resourceMetadata"}.environmentArn`,
        fix: `move the directory under ${identity.environment}/ (or environments/${identity.environment}/), or correct the ARN; never copy another environment's metadata`,
      },
    );
  }
}

/** Adds the configuration entry and backend settings to a resource identity. */
export function resolveIdentity(
  repoRoot: string,
  identity: ResourceIdentity,
  config: ProvisioningConfig,
): ResolvedResource {
  checkRouting(identity, config);
  let entry: ResolvedEnvironmentConfig;
  try {
    entry = resolveEnvironmentConfig(config, identity.environment);
  } catch (err) {
    if (err instanceof ProtonkitError) {
      throw new ProtonkitError(
        err.problems,
        `${identity.dir} (${identity.kind} ${identity.service ? `${identity.service}/` : ""}${identity.name}) has no configuration`,
      );
    }
    throw err;
  }
  const backend: BackendSettings = {
    bucket: entry.state_bucket,
    key: backendKey(identity.dir, entry.state_key_prefix),
    region: entry.region,
    encrypt: true,
    ...(entry.lock_table ? { dynamodb_table: entry.lock_table } : { use_lockfile: true as const }),
  };
  return { ...identity, absDir: path.join(path.resolve(repoRoot), identity.dir), config: entry, region: entry.region, backend };
}

/** Reads and resolves one resource directory. */
export function resolveResource(repoRoot: string, dir: string, config: ProvisioningConfig): ResolvedResource {
  return resolveIdentity(repoRoot, readResource(repoRoot, dir), config);
}

/** `-backend-config=k=v` arguments for `terraform init`, in a stable order. */
export function backendConfigArgs(backend: BackendSettings): string[] {
  const args = [`bucket=${backend.bucket}`, `key=${backend.key}`, `region=${backend.region}`, "encrypt=true"];
  if (backend.dynamodb_table) args.push(`dynamodb_table=${backend.dynamodb_table}`);
  if (backend.use_lockfile) args.push("use_lockfile=true");
  return args.map((a) => `-backend-config=${a}`);
}

/** A one-line label like `service-instance api/web (prod) at prod/api-web`. */
export function describeResource(r: ResourceIdentity): string {
  const name = r.service && r.kind === "service-instance" ? `${r.service}/${r.name}` : r.name;
  return logName(`${r.kind} ${name}${r.environment ? ` (${r.environment})` : ""} at ${r.dir}`);
}

/** Thrown problems, re-wrapped to name the resource directory. */
export function problemsOf(err: unknown): Problem[] {
  if (err instanceof ProtonkitError) return [...err.problems];
  return [new Problem(err instanceof Error ? err.message : String(err))];
}
