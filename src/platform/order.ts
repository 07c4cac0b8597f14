/**
 * Apply order: which changed resources run in which stage, and which are skipped because
 * something they depend on failed or did not run in the same deployment.
 *
 * Stages, in order: environments, then service instances and components, then pipelines are
 * applied; then deleted resources are destroyed in the reverse order (pipelines, instances and
 * components, environments). Applies go first so that a resource moving away from another
 * (an instance dropping its component, a service moving to a new environment) stops using it
 * before it is destroyed.
 *
 * Pure: the outcome of earlier stages comes in as a function, read by the caller from the
 * deployment records.
 */

/** Stage names, in the order they run. */
export const STAGES = [
  "environments-apply",
  "instances-apply",
  "pipelines-apply",
  "pipelines-destroy",
  "instances-destroy",
  "environments-destroy",
] as const;

/** One stage of a deployment. */
export type Stage = (typeof STAGES)[number];

/** GitHub Actions runs at most this many jobs from one matrix. */
export const MATRIX_LIMIT = 256;

/** A changed resource, as `detect` describes it. */
export interface OrderItem {
  /** Resource directory. */
  readonly dir: string;
  /** Resource kind. */
  readonly kind: "environment" | "service-instance" | "pipeline" | "component";
  /** Resource name (the service for a pipeline). */
  readonly name: string;
  /** Service of an instance or pipeline, else "". */
  readonly service: string;
  /** Environment, "" for a pipeline. */
  readonly environment: string;
  /** apply, or destroy for a deleted resource. */
  readonly action: "apply" | "destroy";
}

/** How a resource of an earlier stage ended in this deployment. */
export type Outcome = "succeeded" | "failed" | "not-run";

/** A resource left out of its stage, and why. */
export interface SkippedItem<T extends OrderItem = OrderItem> {
  /** The resource. */
  readonly item: T;
  /** Why, naming the resource it depends on. */
  readonly reason: string;
}

/** The resources of one stage: those to run (in batches) and those skipped. */
export interface StagePlan<T extends OrderItem = OrderItem> {
  /** The stage. */
  readonly stage: Stage;
  /** Resources to run, sorted by directory. */
  readonly run: readonly T[];
  /** Resources of this stage skipped because a dependency failed or did not run. */
  readonly skipped: readonly SkippedItem<T>[];
  /** `run` cut into matrices of at most {@link MATRIX_LIMIT}. */
  readonly batches: readonly (readonly T[])[];
}

/** The stage a resource runs in. */
export function stageOf(item: OrderItem): Stage {
  const group = item.kind === "environment" ? "environments" : item.kind === "pipeline" ? "pipelines" : "instances";
  return `${group}-${item.action}` as Stage;
}

/** The resources of the same deployment that `item` waits for (all in earlier stages). */
export function dependenciesOf<T extends OrderItem>(item: OrderItem, all: readonly T[]): T[] {
  const stage = stageOf(item);
  switch (stage) {
    case "instances-apply":
      // Never apply against an environment whose apply failed or did not run.
      return all.filter((d) => stageOf(d) === "environments-apply" && d.name === item.environment);
    case "pipelines-apply":
      // The pipeline reads its instances' outputs.
      return all.filter((d) => stageOf(d) === "instances-apply" && d.kind === "service-instance" && d.service === item.service);
    case "environments-destroy":
      // An environment goes only once everything in it is gone.
      return all.filter((d) => stageOf(d) === "instances-destroy" && d.environment === item.name);
    default:
      return [];
  }
}

function byDir<T extends OrderItem>(a: T, b: T): number {
  return a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0;
}

/** Cuts a list into matrices of at most `size` entries. */
export function batches<T>(items: readonly T[], size: number = MATRIX_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Plans one stage. `outcome(dir)` says how a resource of an earlier stage ended; a resource
 * whose dependency did not succeed is skipped (and so, through the same rule, is everything
 * that depends on it in later stages, since a skipped resource has no record).
 */
export function planStage<T extends OrderItem>(stage: Stage, all: readonly T[], outcome: (item: T) => Outcome, batchSize: number = MATRIX_LIMIT): StagePlan<T> {
  const run: T[] = [];
  const skipped: SkippedItem<T>[] = [];
  for (const item of all.filter((i) => stageOf(i) === stage).sort(byDir)) {
    const blocked = dependenciesOf(item, all)
      .sort(byDir)
      .map((d) => ({ d, o: outcome(d) }))
      .filter(({ o }) => o !== "succeeded");
    if (blocked.length === 0) {
      run.push(item);
      continue;
    }
    const why = blocked.map(({ d, o }) => `${d.kind} ${d.dir} ${o === "failed" ? "failed" : "did not run"}`).join("; ");
    skipped.push({ item, reason: `skipped: ${why} in this deployment` });
  }
  return { stage, run, skipped, batches: batches(run, batchSize) };
}

/** Every stage's resources, before anything ran (all dependencies assumed to succeed). */
export function planAll<T extends OrderItem>(all: readonly T[], batchSize: number = MATRIX_LIMIT): StagePlan<T>[] {
  return STAGES.map((s) => planStage(s, all, () => "succeeded", batchSize));
}
