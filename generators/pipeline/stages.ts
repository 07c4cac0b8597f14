/**
 * The order a build is promoted in: by the environment's tier (test, then staging, then
 * production), one deployment job per instance, each after the one before it. Every promotion
 * after the first waits for a manual approval.
 */
import { Problem, ProtonkitError } from "../../src/errors";

/** Environment tiers in promotion order. */
export const TIERS = ["test", "staging", "production"] as const;
/** An environment tier. */
export type Tier = (typeof TIERS)[number];

/** One deployment of the build: a service instance in an environment. */
export interface Stage {
  /** Proton environment (and GitHub/GitLab environment) name. */
  readonly environment: string;
  /** The service instance deployed in that environment. */
  readonly instance: string;
  readonly tier: Tier;
  /** Account the environment runs in; absent: the pipeline's account. */
  readonly account?: string;
}

/** A stage in promotion order, with what the generated job needs. */
export interface OrderedStage extends Stage {
  /** Job id: `deploy-<environment>-<instance>` when an environment has several, else `deploy-<environment>`. */
  readonly job: string;
  /** The job it runs after (`build` for the first). */
  readonly after: string;
  /** Whether a person must approve it (every promotion after the first). */
  readonly approval: boolean;
  /** Position in the promotion, from 1. */
  readonly position: number;
}

function compare(a: Stage, b: Stage): number {
  const t = TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier);
  if (t !== 0) return t;
  const key = (s: Stage): string => `${s.environment}\u0000${s.instance}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/**
 * Orders stages by tier (ties by environment, then instance name) and chains them. An instance
 * listed twice is an error naming `file`.
 */
export function orderStages(stages: readonly Stage[], file: string): OrderedStage[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const s of stages) {
    if (seen.has(s.instance)) problems.push(new Problem(`instance "${s.instance}" is listed twice`, { file, field: "stages", fix: "list each instance once" }));
    seen.add(s.instance);
  }
  if (problems.length > 0) throw new ProtonkitError(problems);
  const sorted = [...stages].sort(compare);
  const perEnvironment = new Map<string, number>();
  for (const s of sorted) perEnvironment.set(s.environment, (perEnvironment.get(s.environment) ?? 0) + 1);
  let after = "build";
  return sorted.map((s, i) => {
    const job = (perEnvironment.get(s.environment) ?? 0) > 1 ? `deploy-${s.environment}-${s.instance}` : `deploy-${s.environment}`;
    const ordered: OrderedStage = { ...s, job, after, approval: i > 0, position: i + 1 };
    after = job;
    return ordered;
  });
}

/**
 * Parses `--stage <environment>:<instance>:<tier>[:<account>]`; undefined when malformed.
 */
export function parseStageFlag(text: string): Record<string, string> | undefined {
  const parts = text.split(":");
  if (parts.length < 3 || parts.length > 4) return undefined;
  const [environment, instance, tier, account] = parts;
  return { environment, instance, tier, ...(account !== undefined ? { account } : {}) };
}
