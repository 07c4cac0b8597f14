/**
 * What `pipeline init --platform <dir>` reads from a checkout of the platform repository: the
 * service's desired state (`platform/services/<service>.yaml`: template, instances, the pipeline
 * spec's `unit_test_command` and `scm`, and a function's `code_s3_bucket`), each instance's environment
 * tier (`platform/environments/<env>.yaml`) and, from `.protonkit/platform.yaml` when present,
 * the account each environment runs in and the platform repository's name (`workflow.repository`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError, fail } from "../../src/errors";
import { ENVIRONMENTS_DIR, SERVICES_DIR, readEnvironmentFile, readServiceFile } from "../../src/platform/model";
import { PLATFORM_CONFIG_PATH, environmentAccount, loadRepositoryConfig } from "../../src/provision/config";
import { displayPath, isPlainObject, lineOf } from "../../src/support/yaml";

/** Settings the platform repository supplies, as raw values for validation. */
export interface PlatformFacts {
  readonly template?: unknown;
  readonly unit_test?: string;
  /** The pipeline spec's `scm`, when it names one: the roles trust that SCM's CI. */
  readonly scm?: "github" | "gitlab";
  readonly code_bucket?: string;
  readonly stages: readonly Record<string, unknown>[];
  /**
   * `owner/name` of the platform repository: `workflow.repository` of its
   * `.protonkit/platform.yaml`, else the checkout's `origin` remote when it is a GitHub URL.
   */
  readonly platform_repository?: string;
  /** The pipeline spec's `gitlab_project`, when set. */
  readonly gitlab_project?: string;
  /** Who each instance's own deploy role trusts, for {@link deployTrustProblems}. */
  readonly instances: readonly InstanceTrust[];
}

/** An instance's deploy-role trust, as its spec says, and where the spec says it. */
export interface InstanceTrust {
  readonly instance: string;
  /** The instance spec's `scm` (the templates' default, `github`, when absent). */
  readonly scm: string;
  /** The instance spec's `gitlab_project` (`""` when absent). */
  readonly gitlab_project: string;
  /** `platform/services/<service>.yaml` as problems print it. */
  readonly file: string;
  /** Line of the instance's `spec:` (or of the instance). */
  readonly line?: number;
  /** `spec.instances[<i>].spec`. */
  readonly field: string;
}

/** Templates whose instances in another account are deployed through their own deploy role. */
const INSTANCE_ROLE_TEMPLATES: readonly string[] = ["public-web-service", "private-web-service"];

/**
 * Stages in another account than the pipeline's whose instance's deploy role would not trust
 * the generated CI: a web instance's role trusts its own spec's `scm` (GitHub by default), with
 * `gitlab`, GitLab CI of its `gitlab_project`. One problem per instance, naming the spec's field.
 */
export function deployTrustProblems(
  facts: Pick<PlatformFacts, "instances" | "gitlab_project">,
  settings: { readonly scm: string; readonly template: string; readonly account: string; readonly stages: readonly { readonly instance: string; readonly account?: string }[] },
): Problem[] {
  if (!INSTANCE_ROLE_TEMPLATES.includes(settings.template)) return [];
  const problems: Problem[] = [];
  for (const stage of settings.stages) {
    if (stage.account === undefined || stage.account === settings.account) continue;
    const trust = facts.instances.find((i) => i.instance === stage.instance);
    if (!trust) continue;
    const at = { file: trust.file, ...(trust.line !== undefined ? { line: trust.line } : {}) };
    const role = `its deploy role in account ${stage.account}`;
    if (settings.scm === "gitlab" && trust.scm !== "gitlab") {
      const project = facts.gitlab_project ?? "<group>/<project>";
      problems.push(
        new Problem(`instance "${stage.instance}" runs in another account than the pipeline's, and ${role} trusts GitHub (scm: ${trust.scm}), not this GitLab pipeline`, {
          ...at,
          field: `${trust.field}.scm`,
          fix: `add scm: gitlab and gitlab_project: ${project} to the instance's spec (${settings.template} 1.4 or later; gitlab_url too when not https://gitlab.com), apply it, and give that account's account-bootstrap create_gitlab_oidc_provider: true`,
        }),
      );
    } else if (settings.scm === "gitlab" && trust.gitlab_project === "") {
      problems.push(
        new Problem(`instance "${stage.instance}" has scm: gitlab but no gitlab_project: ${role} cannot trust any project`, {
          ...at,
          field: `${trust.field}.gitlab_project`,
          fix: `add gitlab_project: ${facts.gitlab_project ?? "<group>/<project>"} (the project whose CI deploys the service) to the instance's spec`,
        }),
      );
    } else if (settings.scm === "gitlab" && facts.gitlab_project !== undefined && trust.gitlab_project !== facts.gitlab_project) {
      problems.push(
        new Problem(`instance "${stage.instance}" trusts GitLab project ${trust.gitlab_project}, the pipeline spec's is ${facts.gitlab_project}: one .gitlab-ci.yml deploys every stage`, {
          ...at,
          field: `${trust.field}.gitlab_project`,
          fix: `write gitlab_project: ${facts.gitlab_project} in the instance's spec`,
        }),
      );
    } else if (settings.scm === "github" && trust.scm === "gitlab") {
      problems.push(
        new Problem(`instance "${stage.instance}" runs in another account than the pipeline's, and ${role} trusts GitLab (scm: gitlab), not this GitHub workflow`, {
          ...at,
          field: `${trust.field}.scm`,
          fix: "remove scm (and the gitlab_* inputs) from the instance's spec, or generate a GitLab pipeline",
        }),
      );
    }
  }
  return problems;
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
  const accountOf = environmentAccounts(root);
  const problems: Problem[] = [];
  const stages: Record<string, unknown>[] = [];
  const trusts: InstanceTrust[] = [];
  let codeBucket: string | undefined;
  instances.forEach((raw: unknown, i: number) => {
    if (!isPlainObject(raw) || typeof raw.name !== "string" || typeof raw.environment !== "string") return;
    const instSpec = isPlainObject(raw.spec) ? raw.spec : {};
    trusts.push({
      instance: raw.name,
      scm: typeof instSpec.scm === "string" ? instSpec.scm : "github",
      gitlab_project: typeof instSpec.gitlab_project === "string" ? instSpec.gitlab_project : "",
      file: source.displayFile,
      line: lineOf(source, isPlainObject(raw.spec) ? ["spec", "instances", i, "spec"] : ["spec", "instances", i]),
      field: `spec.instances[${i}].spec`,
    });
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
    const account = accountOf(raw.environment);
    stages.push({ environment: raw.environment, instance: raw.name, tier: env.environment.tier, ...(account !== undefined ? { account } : {}) });
    if (codeBucket === undefined && typeof instSpec.code_s3_bucket === "string") codeBucket = instSpec.code_s3_bucket;
  });
  if (problems.length > 0) throw new ProtonkitError(problems);
  if (stages.length === 0) {
    fail("the service has no instances to deploy", { file: source.displayFile, field: "spec.instances", fix: "add an instance per environment the service runs in" });
  }
  // The platform's own name for itself first: a new repository has no origin yet.
  const repository = configuredRepository(root) ?? originOf(root);
  return {
    template,
    // The template's default is "" (the language's default command): absent here too.
    ...(typeof pipeline.unit_test_command === "string" && pipeline.unit_test_command !== "" ? { unit_test: pipeline.unit_test_command } : {}),
    ...(pipeline.scm === "github" || pipeline.scm === "gitlab" ? { scm: pipeline.scm } : {}),
    ...(codeBucket !== undefined ? { code_bucket: codeBucket } : {}),
    stages,
    ...(repository !== undefined ? { platform_repository: repository } : {}),
    ...(typeof pipeline.gitlab_project === "string" && pipeline.gitlab_project !== "" ? { gitlab_project: pipeline.gitlab_project } : {}),
    instances: trusts,
  };
}

/** `workflow.repository` of the checkout's `.protonkit/platform.yaml`, when it has one. */
function configuredRepository(root: string): string | undefined {
  if (!fs.existsSync(path.join(root, PLATFORM_CONFIG_PATH))) return undefined;
  return loadRepositoryConfig(root).workflow?.repository;
}

/**
 * The account of each environment as the platform renders it (`environments.<env>.account_id`,
 * else the `"*"` entry's, else the top-level `account_id`), from `.protonkit/platform.yaml`;
 * without that file, nothing is known (stages default to the pipeline's account).
 */
function environmentAccounts(root: string): (environment: string) => string | undefined {
  if (!fs.existsSync(path.join(root, PLATFORM_CONFIG_PATH))) return () => undefined;
  const config = loadRepositoryConfig(root);
  return (environment) => environmentAccount(config, environment);
}
