/**
 * What `pipeline init --platform <dir>` reads from a checkout of the platform repository: the
 * service's desired state (`platform/services/<service>.yaml`: template, instances, the pipeline
 * spec's `unit_test_command` and `scm`, and a function's `code_s3_bucket`) and each instance's environment
 * tier (`platform/environments/<env>.yaml`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError, fail } from "../../src/errors";
import { ENVIRONMENTS_DIR, SERVICES_DIR, readEnvironmentFile, readServiceFile } from "../../src/platform/model";
import { displayPath, isPlainObject, lineOf } from "../../src/support/yaml";

/** Settings the platform repository supplies, as raw values for validation. */
export interface PlatformFacts {
  readonly template?: unknown;
  readonly unit_test?: string;
  /** The pipeline spec's `scm`, when it names one: the roles trust that SCM's CI. */
  readonly scm?: "github" | "gitlab";
  readonly code_bucket?: string;
  readonly stages: readonly Record<string, unknown>[];
  /** `owner/name` from the checkout's `origin` remote, when it is a GitHub URL. */
  readonly platform_repository?: string;
}

/** `owner/name` of a GitHub remote URL (https or ssh), else undefined. */
export function githubRepositoryOf(url: string): string | undefined {
  const m = /github\.com[:/]([A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? m[1] : undefined;
}

function originOf(root: string): string | undefined {
  const config = path.join(root, ".git", "config");
  if (!fs.existsSync(config)) return undefined;
  const text = fs.readFileSync(config, "utf8");
  const m = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(text);
  return m ? githubRepositoryOf(m[1]) : undefined;
}

/**
 * Reads what the pipeline needs about `service` from the platform repository at `root`, with
 * the platform's own readers (`src/platform/model.ts`), so a malformed file fails here as it
 * would in the render.
 */
export function readPlatformFacts(root: string, service: string): PlatformFacts {
  const serviceFile = path.join(root, SERVICES_DIR, `${service}.yaml`);
  if (!fs.existsSync(serviceFile)) {
    fail(`no desired state for service "${service}"`, { file: displayPath(serviceFile), field: "--service", fix: "name a service of platform/services/, or leave out --platform and pass --stage flags" });
  }
  const read = readServiceFile(serviceFile);
  if (!read.service) throw new ProtonkitError(read.problems, `${displayPath(serviceFile)}: cannot be read`);
  const { source, template } = read.service;
  const spec = isPlainObject(read.service.spec.value) ? read.service.spec.value : {};
  const pipeline = isPlainObject(spec.pipeline) ? spec.pipeline : {};
  const instances = Array.isArray(spec.instances) ? spec.instances : [];
  const problems: Problem[] = [];
  const stages: Record<string, unknown>[] = [];
  let codeBucket: string | undefined;
  instances.forEach((raw: unknown, i: number) => {
    if (!isPlainObject(raw) || typeof raw.name !== "string" || typeof raw.environment !== "string") return;
    const envFile = path.join(root, ENVIRONMENTS_DIR, `${raw.environment}.yaml`);
    if (!fs.existsSync(envFile)) {
      problems.push(new Problem(`environment "${raw.environment}" has no ${ENVIRONMENTS_DIR}/${raw.environment}.yaml`, { file: source.displayFile, line: lineOf(source, ["spec", "instances", i, "environment"]), field: `spec.instances[${i}].environment`, fix: "add the environment to the platform repository" }));
      return;
    }
    const env = readEnvironmentFile(envFile);
    if (!env.environment) {
      problems.push(...env.problems);
      return;
    }
    if (env.environment.tier === undefined) {
      problems.push(new Problem("is required to order promotions", { file: env.environment.source.displayFile, field: "tier", fix: "write the environment's tier: test, staging or production" }));
      return;
    }
    stages.push({ environment: raw.environment, instance: raw.name, tier: env.environment.tier });
    const instSpec = isPlainObject(raw.spec) ? raw.spec : {};
    if (codeBucket === undefined && typeof instSpec.code_s3_bucket === "string") codeBucket = instSpec.code_s3_bucket;
  });
  if (problems.length > 0) throw new ProtonkitError(problems);
  if (stages.length === 0) {
    fail("the service has no instances to deploy", { file: source.displayFile, field: "spec.instances", fix: "add an instance per environment the service runs in" });
  }
  const repository = originOf(root);
  return {
    template,
    // The template's default is "" (the language's default command): absent here too.
    ...(typeof pipeline.unit_test_command === "string" && pipeline.unit_test_command !== "" ? { unit_test: pipeline.unit_test_command } : {}),
    ...(pipeline.scm === "github" || pipeline.scm === "gitlab" ? { scm: pipeline.scm } : {}),
    ...(codeBucket !== undefined ? { code_bucket: codeBucket } : {}),
    stages,
    ...(repository !== undefined ? { platform_repository: repository } : {}),
  };
}
