/**
 * The read side of recorded state: what the automation wrote after each apply. Rendering
 * reads outputs (an environment's feed its instances' `var.environment.outputs`, instances'
 * feed the pipeline's `service_instances[*].outputs`, a component's feed its instance) and
 * deployment records (a deletion's second phase waits for a recorded destroy). Storage lives
 * elsewhere (a branch only the automation writes); this is the interface a render takes.
 * Keys are resource directories as rendered, `/`-separated: `prod`, `prod/orders-web`,
 * `orders/pipeline`, `prod/components/cache`.
 */

/** Status of a deployment, as Proton reported it, plus DELETED once a destroy succeeded. */
export type DeploymentStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "DELETED";

/** Kind of a recorded resource. */
export type RecordedKind = "environment" | "service_instance" | "pipeline" | "component";

/** The last deployment of one resource directory. */
export interface DeploymentRecord {
  /** The resource directory. */
  readonly dir: string;
  readonly kind: RecordedKind;
  readonly arn: string;
  /** The rendered deployment id (`.proton/deployment-metadata.json`). */
  readonly deploymentId: string;
  /** `<template>`. */
  readonly template: string;
  /** `<major>.<minor>`. */
  readonly version: string;
  /** Commit of the platform repository that was applied. */
  readonly commit: string;
  readonly status: DeploymentStatus;
  /** ISO 8601. */
  readonly startedAt: string;
  /** ISO 8601; absent while IN_PROGRESS. */
  readonly endedAt?: string;
  /** The end of the error output, for FAILED. */
  readonly error?: string;
}

/** Read access to recorded state at one commit of the records. */
export interface RecordsReader {
  /** The commit the records were read at, when they come from git (renders say which). */
  readonly commit?: string;
  /** Outputs recorded for a resource directory; undefined when nothing was ever recorded. */
  outputs(dir: string): Readonly<Record<string, string>> | undefined;
  /** The last deployment of a resource directory, if any. */
  deployment(dir: string): DeploymentRecord | undefined;
  /** Every directory with a record, sorted. */
  dirs(): readonly string[];
}

/** Recorded state held in memory (tests, and stores that load everything at once). */
export interface RecordsData {
  readonly commit?: string;
  readonly outputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly deployments?: Readonly<Record<string, DeploymentRecord>>;
}

/** A {@link RecordsReader} over data in memory. */
export function recordsFrom(data: RecordsData): RecordsReader {
  const outputs = data.outputs ?? {};
  const deployments = data.deployments ?? {};
  return {
    commit: data.commit,
    outputs: (dir) => outputs[dir],
    deployment: (dir) => deployments[dir],
    dirs: () => [...new Set([...Object.keys(outputs), ...Object.keys(deployments)])].sort(),
  };
}

/** No records at all: a platform that has never been applied. */
export const NO_RECORDS: RecordsReader = recordsFrom({});
