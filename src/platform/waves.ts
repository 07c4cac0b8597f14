/**
 * Rollout waves: on a merge, environments and the service instances in them are applied tier
 * by tier (test, then staging, then production), so a change that breaks the test tier stops
 * before it reaches production, and a GitHub environment with required reviewers between two
 * waves pauses the rollout until someone approves it.
 *
 * The waves split the apply stages of `order.ts` and change nothing else: an instance is in the
 * same wave as its environment (the wave is the environment's tier), so the "never apply
 * against a failed environment" rule holds inside each wave. Pipelines and destroys are not
 * waved: a pipeline reads the outputs of instances of every tier, and a destroy is a reviewed
 * removal, not a rollout.
 */
import { MATRIX_LIMIT, STAGES, stageOf, type OrderItem, type Stage } from "./order";

/** Environment tiers, in rollout order. */
export const TIERS = ["test", "staging", "production"] as const;

/** An environment's tier. */
export type Tier = (typeof TIERS)[number];

/**
 * Waves in order. An environment without a `tier` (or one whose file is gone) rolls out last,
 * with production: nothing says it is safe to change early.
 */
export const WAVES = ["test", "staging", "production"] as const;

/** A wave, named after the tier it applies. */
export type Wave = (typeof WAVES)[number];

/** The stages that run in waves. */
export const WAVED_STAGES: readonly Stage[] = ["environments-apply", "instances-apply"];

/** One step of a merge's deployment: a stage, and for waved stages one wave of it. */
export interface DeploymentStep {
  /** Job-name-safe id, e.g. `instances-apply-staging` or `pipelines-apply`. */
  readonly id: string;
  /** The stage. */
  readonly stage: Stage;
  /** The wave, for a waved stage. */
  readonly wave?: Wave;
}

/**
 * Every step of a deployment in the order they run: for each wave, its environments then its
 * instances and components; then pipelines; then the destroys in reverse order.
 */
export function deploymentSteps(): DeploymentStep[] {
  const steps: DeploymentStep[] = [];
  for (const wave of WAVES) for (const stage of WAVED_STAGES) steps.push({ id: `${stage}-${wave}`, stage, wave });
  for (const stage of STAGES) if (!WAVED_STAGES.includes(stage)) steps.push({ id: stage, stage });
  return steps;
}

/** Whether `text` names a wave. */
export function isWave(text: string): text is Wave {
  return (WAVES as readonly string[]).includes(text);
}

/** The wave of a resource: its environment's tier, production when it has none. */
export function waveOf(item: OrderItem, tierOf: (environment: string) => Tier | undefined): Wave {
  const env = item.kind === "environment" ? item.name : item.environment;
  return tierOf(env) ?? "production";
}

/** The resources of one wave (all of them for a stage that is not waved). */
export function inWave<T extends OrderItem>(items: readonly T[], wave: Wave | undefined, tierOf: (environment: string) => Tier | undefined): T[] {
  if (wave === undefined) return [...items];
  return items.filter((i) => !WAVED_STAGES.includes(stageOf(i)) || waveOf(i, tierOf) === wave);
}

/** How many resources each deployment step runs, before anything ran. */
export function stepCounts(items: readonly OrderItem[], tierOf: (environment: string) => Tier | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const step of deploymentSteps()) {
    const n = items.filter((i) => stageOf(i) === step.stage && (step.wave === undefined || waveOf(i, tierOf) === step.wave)).length;
    counts.set(step.id, n);
  }
  return counts;
}

/**
 * Steps whose matrix would exceed GitHub's limit. The generated workflow runs one matrix per
 * step, so such a merge is refused before anything applies.
 */
export function oversizedSteps(counts: ReadonlyMap<string, number>, limit: number = MATRIX_LIMIT): string[] {
  return [...counts].filter(([, n]) => n > limit).map(([id, n]) => `${id}: ${n} resources (at most ${limit} per step)`);
}
