import * as fs from "node:fs";
import * as path from "node:path";
import { SPECS, brokenBundle, bundle } from "./helpers";

/** One input that must be refused, with the exact error protonkit prints. */
export interface BadCase {
  readonly title: string;
  /** Bundle folder (a function, so broken bundles are made fresh per run). */
  readonly bundle: () => string;
  readonly spec: string;
  readonly context?: string;
  /** `--name`; default `prod` for the environment bundle, `api` otherwise. */
  readonly name?: string;
  /** Extra CLI flags; cases with flags run through the CLI only. */
  readonly flags?: readonly string[];
  /**
   * The whole error message. `$SPEC`, `$CONTEXT` and `$BUNDLE` stand for the paths as printed
   * (repository-relative for fixtures, absolute for temporary bundles).
   */
  readonly expected: string;
}

const bad = (file: string): string => path.join(SPECS, "bad", file);
const GOOD_ENV = path.join(SPECS, "env-prod.yaml");
const GOOD_SVC = path.join(SPECS, "service-api.yaml");
const CONTEXT = path.join(SPECS, "context.yaml");
const env = (): string => bundle("pizza-env");
const svc = (): string => bundle("pizza-svc");
const alarm = (): string => bundle("pizza-alarm");
const edit = (file: string, from: string | RegExp, to: string): void => {
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(from, to));
};

/** The corpus of refused inputs. */
export const BAD_CASES: readonly BadCase[] = [
  // ---- environment spec against the environment schema ----
  { title: "wrong type", bundle: env, spec: bad("env-wrong-type.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.az_count: expected integer, found string \"two\"" },
  { title: "missing required input", bundle: env, spec: bad("env-missing-required.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:2: spec.cluster_name: required input is missing: expected string, found nothing (fix: add cluster_name)" },
  { title: "unknown input (with a did-you-mean) and the required one it misspells", bundle: env, spec: bad("env-unknown-field.yaml"), expected: "$SPEC: 2 problems; nothing was written\n  - $SPEC:2: spec.cluster_name: required input is missing: expected string, found nothing (fix: add cluster_name)\n  - $SPEC:4: spec.cluster_nme: unknown field: expected one of tier, vpc_cidr, az_count, enable_nat, cluster_name, allowed_cidrs, log_retention_days, found \"cluster_nme\" (fix: did you mean cluster_name?)" },
  { title: "pattern", bundle: env, spec: bad("env-pattern.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.vpc_cidr: expected a string matching ^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$, found string \"10.0.0.0\"" },
  { title: "enum", bundle: env, spec: bad("env-enum.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:3: spec.tier: expected one of \"test\", \"staging\", \"prod\", found string \"dev\"" },
  { title: "minimum", bundle: env, spec: bad("env-minimum.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.az_count: expected a number >= 1, found integer 0" },
  { title: "maximum", bundle: env, spec: bad("env-maximum.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.az_count: expected a number <= 3, found integer 4" },
  { title: "minLength", bundle: env, spec: bad("env-min-length.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:4: spec.cluster_name: expected at least 3 characters, found 2 (\"pz\")" },
  { title: "maxLength", bundle: env, spec: bad("env-max-length.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:4: spec.cluster_name: expected at most 32 characters, found 35 (\"pizza-and-pineapple-test-cluster-01\")" },
  { title: "minItems", bundle: env, spec: bad("env-min-items.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.allowed_cidrs: expected at least 1 item, found 0" },
  { title: "maxItems", bundle: env, spec: bad("env-max-items.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.allowed_cidrs: expected at most 4 items, found 5" },
  { title: "array item type", bundle: env, spec: bad("env-item-type.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.allowed_cidrs[1]: expected string, found integer 42" },
  { title: "boolean given as a string", bundle: env, spec: bad("env-boolean.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.enable_nat: expected boolean, found string \"yes\"" },
  { title: "number given as a string", bundle: env, spec: bad("env-number.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: spec.log_retention_days: expected number, found string \"30\"" },
  { title: "several problems reported at once", bundle: env, spec: bad("env-many-problems.yaml"), expected: "$SPEC: 4 problems; nothing was written\n  - $SPEC:3: spec.tier: expected one of \"test\", \"staging\", \"prod\", found string \"qa\"\n  - $SPEC:5: spec.az_count: expected integer, found number 2.5\n  - $SPEC:7: spec.log_retention_days: expected a number >= 1, found integer 0\n  - $SPEC:8: spec.enable_nat: expected boolean, found integer 1" },
  // ---- document structure ----
  { title: "malformed YAML", bundle: env, spec: bad("env-malformed.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (fix: correct the YAML syntax of this spec file)" },
  { title: "duplicate key", bundle: env, spec: bad("env-duplicate-key.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: malformed YAML: Map keys must be unique (fix: correct the YAML syntax of this spec file)" },
  { title: "ServiceSpec given to an environment template", bundle: env, spec: bad("env-wrong-kind.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: proton: expected EnvironmentSpec (the bundle is environment template pizza-env:1), found string \"ServiceSpec\" (fix: render this spec with a template of its kind, or write `proton: EnvironmentSpec`)" },
  { title: "EnvironmentSpec given to a service template", bundle: svc, spec: GOOD_ENV, context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: proton: expected ServiceSpec (the bundle is service template pizza-svc:1), found string \"EnvironmentSpec\" (fix: render this spec with a template of its kind, or write `proton: ServiceSpec`)" },
  { title: "missing proton: kind", bundle: env, spec: bad("env-missing-kind.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: proton: the spec kind is missing: expected proton: EnvironmentSpec, found nothing (fix: add `proton: EnvironmentSpec` as the first line)" },
  { title: "unknown proton: kind", bundle: env, spec: bad("env-unknown-kind.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: proton: expected EnvironmentSpec (the bundle is environment template pizza-env:1), found string \"EnvSpec\" (fix: write `proton: EnvironmentSpec`)" },
  { title: "empty spec", bundle: env, spec: bad("env-empty.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: the spec is empty (fix: start it with `proton: EnvironmentSpec`)" },
  { title: "spec is a list", bundle: env, spec: bad("env-not-a-map.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: expected a map with `proton: EnvironmentSpec`, found array of 2" },
  { title: "spec section is not a map", bundle: env, spec: bad("env-spec-not-a-map.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:2: spec: expected a map of environment inputs, found string \"tier=test\"" },
  { title: "top-level typo", bundle: env, spec: bad("env-top-level-typo.yaml"), expected: "$SPEC: 3 problems; nothing was written\n  - $SPEC:1: spec.tier: required input is missing: expected string, found nothing (fix: add tier)\n  - $SPEC:1: spec.cluster_name: required input is missing: expected string, found nothing (fix: add cluster_name)\n  - $SPEC:2: specs: unknown field: expected one of proton, spec, found \"specs\" (fix: did you mean spec?)" },
  { title: "spec file does not exist", bundle: env, spec: bad("no-such-spec.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC: spec file does not exist (fix: pass the path of an existing spec file)" },
  { title: "invalid environment name", bundle: env, spec: GOOD_ENV, name: "prod env", expected: "$SPEC: 1 problem; nothing was written\n  - name: expected a resource name matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found \"prod env\" (fix: pass a valid environment name)" },
  { title: "environment name too long", bundle: env, spec: GOOD_ENV, name: "p".repeat(101), expected: "$SPEC: 1 problem; nothing was written\n  - name: expected a resource name of 1..100 characters, found 101 characters (fix: pass a valid environment name)" },
  // ---- service specs ----
  { title: "duplicate instance names", bundle: svc, spec: bad("svc-duplicate-instances.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:9: instances[1].name: duplicate instance name: expected unique names, found \"web\" again (first at instances[0]) (fix: rename one of the instances)" },
  { title: "invalid instance name", bundle: svc, spec: bad("svc-invalid-instance-name.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: instances[0].name: expected a resource name matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found \"-web\"" },
  { title: "invalid environment name in an instance", bundle: svc, spec: bad("svc-invalid-environment-name.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:6: instances[0].environment: expected a resource name matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found \"prod/eu\"" },
  { title: "no instances", bundle: svc, spec: bad("svc-missing-instances.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: instances: expected a list of at least 1 instance, found nothing (fix: add `instances:` with `- name: ...`, `environment: ...`, `spec: ...`)" },
  { title: "empty instances", bundle: svc, spec: bad("svc-empty-instances.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:4: instances: expected a list of at least 1 instance, found array of 0 (fix: add `instances:` with `- name: ...`, `environment: ...`, `spec: ...`)" },
  { title: "unknown instance field", bundle: svc, spec: bad("svc-instance-unknown-field.yaml"), context: CONTEXT, expected: "$SPEC: 2 problems; nothing was written\n  - $SPEC:5: instances[0].spec.image: required input is missing: expected string, found nothing (fix: add image)\n  - $SPEC:7: instances[0].specs: unknown field: expected one of name, environment, spec, found \"specs\" (fix: did you mean spec?)" },
  { title: "instance without name", bundle: svc, spec: bad("svc-instance-missing-name.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: instances[0].name: required field is missing: expected a resource name, found nothing (fix: add name)" },
  { title: "wrong type in the second instance", bundle: svc, spec: bad("svc-instance-wrong-type.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:13: instances[1].spec.port: expected integer, found string \"8080\"" },
  { title: "uniqueItems", bundle: svc, spec: bad("svc-unique-items.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:9: instances[0].spec.extra_tags: expected unique items, found duplicates at [0] and [2]" },
  { title: "maxLength of an array item", bundle: svc, spec: bad("svc-item-max-length.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:10: instances[0].spec.extra_tags[0]: expected at most 20 characters, found 26 (\"a-tag-that-is-far-too-long\")" },
  { title: "integer enum", bundle: svc, spec: bad("svc-enum-integer.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:9: instances[0].spec.cpu: expected one of 256, 512, 1024, found integer 300" },
  { title: "missing required instance input (no spec section)", bundle: svc, spec: bad("svc-missing-image.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:5: instances[0].spec.image: required input is missing: expected string, found nothing (fix: add image)" },
  { title: "instance input pattern", bundle: svc, spec: bad("svc-image-pattern.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:8: instances[0].spec.image: expected a string matching ^[a-z0-9./_:@-]+$, found string \"GHCR.io/Pizza API\"" },
  { title: "pipeline section missing while the pipeline has required inputs", bundle: svc, spec: bad("svc-pipeline-missing.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: pipeline.source_dir: required pipeline input is missing: the spec has no pipeline section (service template pizza-svc:1 has a pipeline) (fix: add `pipeline:` with source_dir)" },
  { title: "unknown pipeline input", bundle: svc, spec: bad("svc-pipeline-unknown-field.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:4: pipeline.dockerfil: unknown field: expected one of dockerfile, source_dir, build_timeout, found \"dockerfil\" (fix: did you mean dockerfile?)" },
  { title: "pipeline input bound", bundle: svc, spec: bad("svc-pipeline-bound.yaml"), context: CONTEXT, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:4: pipeline.build_timeout: expected a number <= 60, found integer 90" },
  {
    title: "pipeline section for a template without pipeline",
    bundle: () =>
      brokenBundle("pizza-svc", (dir) => {
        fs.rmSync(path.join(dir, "pipeline_infrastructure"), { recursive: true });
        edit(path.join(dir, "schema", "schema.yaml"), '  pipeline_input_type: "PipelineInput"\n', "");
      }),
    spec: GOOD_SVC,
    context: CONTEXT,
    expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:2: pipeline: unexpected pipeline section: service template pizza-svc:1 has no pipeline (no pipeline_infrastructure/) (fix: remove the pipeline section, or use a template with a pipeline)",
  },
  // ---- deployment context ----
  { title: "incompatible environment", bundle: svc, spec: bad("svc-one-instance.yaml"), context: bad("context-incompatible.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:6: instances[0].environment: environment \"prod\" is incompatible: pizza-svc:1 is compatible with pizza-env:1, found lambda-env:1 (fix: deploy to an environment of a compatible template, or add lambda-env:1 to compatible_environments in .template-registration.yaml)" },
  { title: "missing environment output", bundle: svc, spec: bad("svc-one-instance.yaml"), context: bad("context-missing-output.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:6: instances[0].environment: environment \"prod\" lacks output \"cluster_arn\" (read at $BUNDLE/instance_infrastructure/main.tf:57): expected environments.prod.outputs.cluster_arn, found nothing (fix: add the output to the context, or deploy to an environment that outputs cluster_arn)" },
  { title: "environment without template in the context", bundle: svc, spec: bad("svc-one-instance.yaml"), context: bad("context-no-template.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:6: instances[0].environment: environment \"prod\" has no template in the deployment context: expected one of pizza-env:1, found nothing (fix: set environments.prod.template)" },
  { title: "environment not in the context", bundle: svc, spec: bad("svc-one-instance.yaml"), context: bad("context-other-environment.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:6: instances[0].environment: environment \"prod\" is not in the deployment context: expected environments.prod with template and outputs, found nothing (fix: add environments.prod: { template: <environment-template>:<major>, outputs: {...} } to the context)" },
  { title: "environment rendered with another template than the context says", bundle: env, spec: GOOD_ENV, context: bad("context-env-template-mismatch.yaml"), expected: "$SPEC: 1 problem; nothing was written\n  - context.environments.prod.template: the context says environment \"prod\" runs pizza-env:2, but the bundle is pizza-env:1 (fix: set it to pizza-env:1, or render with the pizza-env:2 bundle)" },
  { title: "context values of the wrong shape", bundle: env, spec: GOOD_ENV, context: bad("context-bad-values.yaml"), expected: "$CONTEXT: 2 problems in the deployment context\n  - $CONTEXT:1: account_id: expected a string matching ^\\d{12}$, found string \"1234\"\n  - $CONTEXT:7: environments.prod.outputs.vpc_id: expected string, found integer 42" },
  {
    title: "context with an invalid environment name, a component without name, bad minor and flag",
    bundle: env,
    spec: GOOD_ENV,
    context: bad("context-bad-names.yaml"),
    expected:
      '$CONTEXT: 4 problems in the deployment context\n  - $CONTEXT:2: environments.bad name: invalid name: expected a string matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found string "bad name"\n  - $CONTEXT:5: components.web.name: required field is missing: expected string, found nothing (fix: add name)\n  - $CONTEXT:7: template_minor: expected a number >= 0, found integer -1\n  - $CONTEXT:8: deleted: expected boolean, found string "yes"',
  },
  { title: "unknown context field", bundle: env, spec: GOOD_ENV, context: bad("context-unknown-field.yaml"), expected: "$CONTEXT: 1 problem in the deployment context\n  - $CONTEXT:1: acount_id: unknown field: expected one of account_id, region, environments, service, components, instance_outputs, deployment_id, template_minor, deleted, found \"acount_id\" (fix: did you mean account_id?)" },
  { title: "malformed context", bundle: env, spec: GOOD_ENV, context: bad("context-malformed.yaml"), expected: "$CONTEXT: the deployment context cannot be read\n  - $CONTEXT:4: malformed YAML: Flow map in block collection must be sufficiently indented and end with a } (fix: correct the YAML syntax of this context file)" },
  { title: "deployment id flag that is not a UUID", bundle: env, spec: GOOD_ENV, flags: ["--deployment-id", "deploy-1"], expected: "invalid deployment context; nothing was written\n  - --deployment-id: expected a string matching ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$, found string \"deploy-1\"" },
  { title: "account id flag that is not 12 digits", bundle: env, spec: GOOD_ENV, flags: ["--account-id", "12345"], expected: "invalid deployment context; nothing was written\n  - --account-id: expected a string matching ^\\d{12}$, found string \"12345\"" },
  { title: "template minor flag that is not a number", bundle: env, spec: GOOD_ENV, flags: ["--template-minor", "two"], expected: "--template-minor: expected a non-negative integer, found \"two\"" },
  { title: "context file does not exist", bundle: env, spec: GOOD_ENV, context: bad("no-such-context.yaml"), expected: "$CONTEXT: the deployment context cannot be read\n  - $CONTEXT: context file does not exist (fix: pass the path of an existing context file)" },
  { title: "--instance naming no instance of the spec", bundle: svc, spec: GOOD_SVC, context: CONTEXT, flags: ["--instance", "web-staging"], expected: "$SPEC: 1 problem; nothing was written\n  - instances: expected instances of the spec (web-prod, web-test), found \"web-staging\" (fix: pass instance names the spec declares)" },
  // ---- components ----
  { title: "EnvironmentSpec given to a component bundle (no environment schema)", bundle: alarm, spec: GOOD_ENV, expected: "$SPEC: 1 problem; nothing was written\n  - $SPEC:1: proton: expected ServiceSpec (the bundle is component pizza-alarm:1: infrastructure/ without an environment schema), found string \"EnvironmentSpec\" (fix: render a ServiceSpec (components use their service's spec), or add schema/schema.yaml with environment_input_type to make this an environment template)" },
  { title: "component bundle with no component in the context", bundle: alarm, spec: GOOD_SVC, expected: "$SPEC: 1 problem; nothing was written\n  - context.components: no instance of service \"api\" has a component in the deployment context: expected components.<instance>.name for one of web-prod, web-test, found nothing (fix: add components: { <instance>: { name: <component> } } to the context)" },
  // ---- broken bundles ----
  { title: "bundle without manifest", bundle: () => brokenBundle("pizza-env", (dir) => fs.rmSync(path.join(dir, "infrastructure", "manifest.yaml"))), spec: GOOD_ENV, expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/infrastructure/manifest.yaml: manifest is missing (fix: write exactly:\ninfrastructure:\n  templates:\n    - file: \"*\"\n      rendering_engine: hcl\n      template_language: terraform)" },
  { title: "service bundle without schema", bundle: () => brokenBundle("pizza-svc", (dir) => fs.rmSync(path.join(dir, "schema"), { recursive: true })), spec: GOOD_SVC, context: CONTEXT, expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/schema/schema.yaml: schema is missing (fix: add schema/schema.yaml declaring service_input_type (and pipeline_input_type when there is a pipeline))" },
  {
    title: "manifest that is not the Terraform manifest",
    bundle: () => brokenBundle("pizza-env", (dir) => edit(path.join(dir, "infrastructure", "manifest.yaml"), "rendering_engine: hcl", "rendering_engine: jinja")),
    spec: GOOD_ENV,
    expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/infrastructure/manifest.yaml:4: infrastructure.templates[0].rendering_engine: expected \"hcl\", found \"jinja\" (fix: write exactly:\ninfrastructure:\n  templates:\n    - file: \"*\"\n      rendering_engine: hcl\n      template_language: terraform)",
  },
  {
    title: "bundle with Terraform JSON only",
    bundle: () =>
      brokenBundle("pizza-env", (dir) => {
        for (const f of ["main.tf", "outputs.tf"]) fs.renameSync(path.join(dir, "infrastructure", f), path.join(dir, "infrastructure", `${f}.json`));
      }),
    spec: GOOD_ENV,
    expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/infrastructure: no .tf files in infrastructure/ (Proton's manifest wildcard reads files ending in .tf only; .tf.json is ignored) (fix: add the template's Terraform as .tf (HCL) files)",
  },
  { title: "bundle folder not named v<major>", bundle: () => brokenBundle("pizza-env", () => undefined, "latest"), spec: GOOD_ENV, expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE: expected a major-version folder named v<major>, found \"latest\" (fix: pass the bundle's <template>/v<major> folder (template-sync layout))" },
  {
    title: "template declaring a variable the renderer declares",
    bundle: () => brokenBundle("pizza-env", (dir) => fs.appendFileSync(path.join(dir, "infrastructure", "outputs.tf"), '\nvariable "environment" {\n  type = any\n}\n')),
    spec: GOOD_ENV,
    expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/infrastructure/outputs.tf:20: declares variable \"environment\", which the renderer declares (duplicate variable) (fix: remove the declaration and read var.environment as rendered)",
  },
  {
    title: "schema naming a type it does not define",
    bundle: () => brokenBundle("pizza-env", (dir) => edit(path.join(dir, "schema", "schema.yaml"), 'environment_input_type: "EnvironmentInput"', 'environment_input_type: "EnvInput"')),
    spec: GOOD_ENV,
    expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/schema/schema.yaml:4: schema.environment_input_type: names type \"EnvInput\", which is not under schema.types (fix: add types.EnvInput or correct the name)",
  },
  {
    title: "schema default breaking its own bound",
    bundle: () => brokenBundle("pizza-env", (dir) => edit(path.join(dir, "schema", "schema.yaml"), "default: 2\n", "default: 7\n")),
    spec: GOOD_ENV,
    expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/schema/schema.yaml:22: schema.types.EnvironmentInput.properties.az_count.default: default does not satisfy its own schema: expected a number <= 3, found integer 7 (fix: fix the default or the constraint)",
  },
  {
    title: "schema with an unsupported keyword",
    bundle: () => brokenBundle("pizza-env", (dir) => edit(path.join(dir, "schema", "schema.yaml"), "          minLength: 3\n", "          minLength: 3\n          nullable: true\n")),
    spec: GOOD_ENV,
    expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/schema/schema.yaml:31: schema.types.EnvironmentInput.properties.cluster_name.nullable: keyword \"nullable\" is not supported for type string (fix: use type, title, description, default, enum, pattern, minLength, maxLength, format)",
  },
  { title: "service bundle without compatible environments", bundle: () => brokenBundle("pizza-svc", (dir) => fs.rmSync(path.join(dir, ".template-registration.yaml"))), spec: GOOD_SVC, context: CONTEXT, expected: "$BUNDLE: 1 problem in the template bundle\n  - $BUNDLE/.template-registration.yaml: no compatible environments: expected .template-registration.yaml (or legacy .compatible-envs) (fix: add `compatible_environments: [ <environment-template>:<major> ]`)" },
];
