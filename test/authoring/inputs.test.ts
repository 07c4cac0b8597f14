import t from "tap";
import { declarationProblems, Input, InputSet, SpecOf, valueProblem } from "../../src/authoring/inputs";
import type { InputSection } from "../../src/authoring/template";
import { buildSchema, schemaYaml } from "../../src/proton/schema";

const inputs = {
  name: Input.string({ title: "Name", description: "A name.", pattern: "^[a-z]+$", minLength: 2, maxLength: 8, required: true }),
  tier: Input.enum(["test", "production"], { default: "test" }),
  size: Input.integer({ minimum: 1, maximum: 3, default: 2 }),
  ratio: Input.number({ minimum: 0.5, maximum: 1.5 }),
  on: Input.boolean({ default: false }),
  cidrs: Input.array({ type: "string", pattern: "^[0-9./]+$" }, { minItems: 1, maxItems: 3, default: ["10.0.0.0/8"] }),
  ports: Input.array({ type: "integer", minimum: 1 }, { default: [80] }),
};

t.test("every input type and constraint reaches schema.yaml", async (t) => {
  const schema = buildSchema("my-env", new Map([["environment", inputs]]));
  t.equal(schema.schema.environment_input_type, "MyEnvEnvironmentInput");
  const type = schema.schema.types.MyEnvEnvironmentInput;
  t.same(type.required, ["name"]);
  t.same(type.properties.name, { type: "string", title: "Name", description: "A name.", pattern: "^[a-z]+$", minLength: 2, maxLength: 8 });
  t.same(type.properties.tier, { type: "string", enum: ["test", "production"], default: "test" });
  t.same(type.properties.size, { type: "integer", minimum: 1, maximum: 3, default: 2 });
  t.same(type.properties.ratio, { type: "number", minimum: 0.5, maximum: 1.5 });
  t.same(type.properties.on, { type: "boolean", default: false });
  t.same(type.properties.cidrs, { type: "array", items: { type: "string", pattern: "^[0-9./]+$" }, minItems: 1, maxItems: 3, default: ["10.0.0.0/8"] });
  t.same(type.properties.ports, { type: "array", items: { type: "integer", minimum: 1 }, default: [80] });
  t.match(schemaYaml(schema), /^schema:\n  format:\n    openapi: "3\.0\.0"\n  environment_input_type: "MyEnvEnvironmentInput"\n  types:\n/);
});

t.test("a service schema names the service and pipeline types", async (t) => {
  const sections = new Map<InputSection, InputSet>([
    ["service_instance", { a: inputs.on }],
    ["pipeline", { b: inputs.size }],
  ]);
  const schema = buildSchema("web", sections);
  t.equal(schema.schema.service_input_type, "WebServiceInput");
  t.equal(schema.schema.pipeline_input_type, "WebPipelineInput");
  t.same(Object.keys(schema.schema), ["format", "service_input_type", "pipeline_input_type", "types"]);
});

t.test("spec types follow the declaration", async (t) => {
  // Compile-time: required `name`, enum literal, optional rest.
  const spec: SpecOf<typeof inputs> = { name: "abc", tier: "production", cidrs: ["10.0.0.0/8"] };
  // @ts-expect-error "staging" is not a declared tier
  const bad: SpecOf<typeof inputs> = { name: "abc", tier: "staging" };
  // @ts-expect-error name is required
  const missing: SpecOf<typeof inputs> = { tier: "test" };
  t.ok(spec && bad && missing);
});

t.test("bad declarations are refused with the input and the fix", async (t) => {
  t.same(declarationProblems("environment", inputs), []);
  const problems = declarationProblems("environment", {
    "bad-name": Input.string({}),
    [`n${"x".repeat(100)}`]: Input.string({}),
    both: Input.string({ required: true, default: "x" }),
    range: Input.integer({ minimum: 5, maximum: 1 }),
    regex: Input.string({ pattern: "(" }),
    wrong_default: Input.integer({ default: 1.5 }),
    enum_default: Input.enum(["a"], { default: "b" as "a" }),
  });
  t.match(problems.join("\n"), /environment\.bad-name: input names must match/);
  t.match(problems.join("\n"), /input name is 101 characters; Proton allows at most 100/);
  t.match(problems.join("\n"), /environment\.both: a required input cannot have a default/);
  t.match(problems.join("\n"), /environment\.range: minimum 5 is above maximum 1/);
  t.match(problems.join("\n"), /environment\.regex: pattern is not a valid regular expression/);
  t.match(problems.join("\n"), /environment\.wrong_default: default 1\.5 is not an integer/);
  t.match(problems.join("\n"), /environment\.enum_default: default "b" is not one of a/);
});

t.test("value checks cover every constraint", async (t) => {
  t.equal(valueProblem(inputs.name, "a"), "is shorter than 2");
  t.equal(valueProblem(inputs.name, "abcdefghij"), "is longer than 8");
  t.equal(valueProblem(inputs.name, "ABC"), "does not match ^[a-z]+$");
  t.equal(valueProblem(inputs.size, 0), "is below the minimum 1");
  t.equal(valueProblem(inputs.size, 4), "is above the maximum 3");
  t.equal(valueProblem(inputs.on, "yes"), "is not a boolean");
  t.equal(valueProblem(inputs.cidrs, []), "has fewer than 1 items");
  t.equal(valueProblem(inputs.cidrs, ["a", "b", "c", "d"]), "has more than 3 items");
  t.equal(valueProblem(inputs.cidrs, ["x"]), 'has an item "x" that does not match ^[0-9./]+$');
  t.equal(valueProblem(inputs.cidrs, ["10.0.0.0/8"]), undefined);
});
