/**
 * The read side of recorded state: what the automation wrote after each apply. Rendering
 * reads outputs (an environment's feed its instances' `var.environment.outputs`, instances'
 * feed the pipeline's `service_instances[*].outputs`, a component's feed its instance) and
 * deployment records (a deletion's second phase waits for a recorded destroy). Storage lives
 * elsewhere (a branch only the automation writes); this is the interface a render takes.
 * Keys are resource directories as rendered, `/`-separated: `prod`, `prod/orders-web`,
 * `orders/pipeline`, `prod/components/cache`.
 */

import type { DeploymentRecord, RecordedState } from "./records-store";
import { lastDeployment } from "./records-store";

export type { DeploymentRecord };

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

/** A {@link RecordsReader} over the store's state (`readRecords` of `./records-store`). */
export function readerOf(state: RecordedState): RecordsReader {
  return {
    commit: state.commit || undefined,
    outputs: (dir) => {
      const r = state.resources.get(dir);
      // A resource whose last deployment never succeeded has no outputs yet.
      return r && r.deployments.some((d) => d.status === "SUCCEEDED") ? r.outputs : undefined;
    },
    deployment: (dir) => lastDeployment(state.resources.get(dir)),
    dirs: () => [...state.resources.keys()].sort(),
  };
}

/** No records at all: a platform that has never been applied. */
export const NO_RECORDS: RecordsReader = recordsFrom({});
