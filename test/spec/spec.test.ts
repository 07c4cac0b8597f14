import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { resourceNameError } from "../../src/proton/names";
import { objectSchema, propertySchema } from "../../src/proton/schema";
import type { InputObjectType } from "../../src/proton/schema";
import { parseSchema, readSchema } from "../../src/proton/schema-read";
import { checkSpec, loadSpec } from "../../src/spec";
import type { SpecTarget } from "../../src/spec";
import { closest } from "../../src/support/json-schema";
import { formatPath, lineOf, parseYamlText } from "../../src/support/yaml";
import type { YamlSource } from "../../src/support/yaml";

const ROOT = path.resolve(__dirname, "..", "..");
process.chdir(ROOT);
const ENV_SCHEMA = path.join(ROOT, "test", "fixtures", "handwritten-bundle", "pizza-env", "v1", "schema", "schema.yaml");
const SVC_SCHEMA = path.join(ROOT, "test", "fixtures", "handwritten-bundle", "pizza-svc", "v1", "schema", "schema.yaml");

function source(text: string, file = "inline.yaml"): YamlSource {
  const { source: s, problems } = parseYamlText(text, file, "test file");
  if (!s) throw new Error(problems.join("\n"));
  return s;
}

const envSchema = readSchema(ENV_SCHEMA);
const svcSchema = readSchema(SVC_SCHEMA);
const envTarget: SpecTarget = { kind: "EnvironmentSpec", templateLabel: "environment template pizza-env:1", environmentInputs: envSchema.environmentInputType, pipeline: { allowed: false } };
const svcTarget: SpecTarget = {
  kind: "ServiceSpec",
  templateLabel: "service template pizza-svc:1",
  instanceInputs: svcSchema.serviceInputType,
  pipeline: { allowed: true, inputs: svcSchema.pipelineInputType },
};

t.test("resource names", async (t) => {
  for (const ok of ["a", "prod", "web-prod_2", "A1", "9x", "a".repeat(100)]) t.equal(resourceNameError(ok), undefined, ok);
  t.equal(resourceNameError("-web"), 'expected a resource name matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found "-web"');
  t.equal(resourceNameError("_a"), 'expected a resource name matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found "_a"');
  t.equal(resourceNameError("a.b"), 'expected a resource name matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found "a.b"');
  t.equal(resourceNameError(""), "expected a resource name of 1..100 characters, found 0 characters");
  t.equal(resourceNameError("a".repeat(101)), "expected a resource name of 1..100 characters, found 101 characters");
  t.equal(resourceNameError(7), "expected a resource name (string), found integer 7");
});

t.test("paths and lines", async (t) => {
  t.equal(formatPath(["instances", 1, "spec", "port"]), "instances[1].spec.port");
  t.equal(formatPath(["spec", "allowed_cidrs", 0]), "spec.allowed_cidrs[0]");
  const s = source("proton: ServiceSpec\ninstances:\n  - name: a\n    environment: prod\n  - name: b\n    spec:\n      port: 80\n");
  t.equal(lineOf(s, ["instances", 1, "spec", "port"]), 7);
  t.equal(lineOf(s, ["instances", 1, "name"]), 5);
  t.equal(lineOf(s, ["instances", 1, "spec", "missing"]), 6, "a missing key points at its parent");
  t.equal(lineOf(s, ["nowhere"]), 1);
  t.equal(closest("cluster_nme", ["tier", "cluster_name"]), "cluster_name");
  t.equal(closest("zzz", ["tier", "cluster_name"]), undefined);
});

t.test("schema: parsed, translated to JSON Schema", async (t) => {
  t.equal(envSchema.environmentInputType?.name, "EnvironmentInput");
  t.same(envSchema.environmentInputType?.required, ["tier", "cluster_name"]);
  t.equal(svcSchema.pipelineInputType?.name, "PipelineInput");
  const type = envSchema.environmentInputType as InputObjectType;
  const json = objectSchema(type);
  t.equal(json.additionalProperties, false, "unknown inputs are errors");
  t.same(propertySchema(type.properties.az_count), { type: "integer", default: 2, minimum: 1, maximum: 3 });
  t.same(propertySchema(type.properties.allowed_cidrs), { type: "array", minItems: 1, maxItems: 4, default: ["0.0.0.0/0"], items: { type: "string" } });
  t.same(propertySchema({ type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true }), { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 }, "OpenAPI 3.0 boolean exclusive bounds");
});

t.test("schema problems are all reported, with lines", async (t) => {
  const s = source(
    [
      "schema:",
      "  format:",
      '    openapi: "2.0"',
      '  environment_input_type: "Input"',
      "  types:",
      "    Input:",
      "      type: object",
      "      properties:",
      "        a:",
      "          type: object",
      "        b:",
      "          type: array",
      "        c:",
      "          type: string",
      "          minimum: 3",
      "      required: [a, d]",
      "",
    ].join("\n"),
    "schema.yaml",
  );
  const { problems } = parseSchema(s);
  t.same(
    problems.map((p) => p.toString()),
    [
      'schema.yaml:3: schema.format.openapi: expected "3.0.0", found "2.0" (fix: write `format: { openapi: "3.0.0" }`)',
      'schema.yaml:10: schema.types.Input.properties.a.type: expected one of string, number, integer, boolean, array, found "object" (fix: Proton handles primitives and arrays of primitives only)',
      "schema.yaml:11: schema.types.Input.properties.b.items: an array input needs `items` (a primitive schema) (fix: add e.g. `items: { type: string }`)",
      'schema.yaml:15: schema.types.Input.properties.c.minimum: keyword "minimum" is not supported for type string (fix: use type, title, description, default, enum, pattern, minLength, maxLength, format)',
      'schema.yaml:16: schema.types.Input.required[1]: "d" is required but not under properties (fix: declare properties.d or drop it from required)',
    ],
  );
});

t.test("environment spec: defaults filled, JSON types kept", async (t) => {
  const { spec, problems } = checkSpec(source("proton: EnvironmentSpec\nspec:\n  tier: test\n  cluster_name: pizza\n  enable_nat: true\n"), envTarget);
  t.same(problems, []);
  t.same(spec?.kind === "EnvironmentSpec" ? spec.inputs : undefined, {
    tier: "test",
    cluster_name: "pizza",
    enable_nat: true,
    vpc_cidr: "10.0.0.0/16",
    az_count: 2,
    allowed_cidrs: ["0.0.0.0/0"],
    log_retention_days: 30,
  });
});

t.test("YAML 1.2: yes/no stay strings, so a boolean input must be true/false", async (t) => {
  const { problems } = checkSpec(source("proton: EnvironmentSpec\nspec:\n  tier: test\n  cluster_name: pizza\n  enable_nat: yes\n", "e.yaml"), envTarget);
  t.same(problems.map(String), ['e.yaml:5: spec.enable_nat: expected boolean, found string "yes"']);
});

t.test("integer accepts 3.0 written as 3, rejects 2.5; number accepts both", async (t) => {
  const ok = checkSpec(source("proton: EnvironmentSpec\nspec:\n  tier: test\n  cluster_name: pizza\n  az_count: 3\n  log_retention_days: 7.5\n"), envTarget);
  t.same(ok.problems, []);
  const bad = checkSpec(source("proton: EnvironmentSpec\nspec:\n  tier: test\n  cluster_name: pizza\n  az_count: 2.5\n", "e.yaml"), envTarget);
  t.same(bad.problems.map(String), ["e.yaml:5: spec.az_count: expected integer, found number 2.5"]);
});

t.test("service spec: instances, pipeline and defaults", async (t) => {
  const { spec, problems } = checkSpec(
    source("proton: ServiceSpec\npipeline:\n  source_dir: src\ninstances:\n  - name: a\n    environment: prod\n    spec:\n      image: nginx\n  - name: b\n    environment: test\n    spec:\n      image: nginx\n      port: 8080\n"),
    svcTarget,
  );
  t.same(problems, []);
  if (spec?.kind !== "ServiceSpec") throw new Error("expected a service spec");
  t.same(spec.pipeline, { source_dir: "src", dockerfile: "Dockerfile", build_timeout: 20 });
  t.same(
    spec.instances.map((i) => [i.name, i.environment, i.index, i.inputs.port]),
    [
      ["a", "prod", 0, 80],
      ["b", "test", 1, 8080],
    ],
  );
});

t.test("a pipeline section with only optional inputs may be left out", async (t) => {
  const target: SpecTarget = { ...svcTarget, pipeline: { allowed: true, inputs: { name: "P", properties: { dockerfile: { type: "string", default: "Dockerfile" } }, required: [] } } };
  const { spec, problems } = checkSpec(source("proton: ServiceSpec\ninstances:\n  - name: a\n    environment: prod\n    spec:\n      image: nginx\n"), target);
  t.same(problems, []);
  t.same(spec?.kind === "ServiceSpec" ? spec.pipeline : undefined, { dockerfile: "Dockerfile" });
});

t.test("loadSpec throws one error listing every problem", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-spec-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "spec.yaml");
  fs.writeFileSync(file, "proton: EnvironmentSpec\nspec:\n  tier: qa\n  az_count: 9\n");
  let err: unknown;
  try {
    loadSpec(file, envTarget);
  } catch (e) {
    err = e;
  }
  t.type(err, ProtonkitError);
  t.equal(
    (err as Error).message,
    [
      `${file}: 3 problems in the spec`,
      `  - ${file}:2: spec.cluster_name: required input is missing: expected string, found nothing (fix: add cluster_name)`,
      `  - ${file}:3: spec.tier: expected one of "test", "staging", "prod", found string "qa"`,
      `  - ${file}:4: spec.az_count: expected a number <= 3, found integer 9`,
    ].join("\n"),
  );
  t.equal((err as ProtonkitError).problems.length, 3);
});
