import t from "tap";
import { App } from "cdktf";
import { Construct } from "constructs";
import { Input } from "../../src/authoring/inputs";
import { environmentTemplate } from "../../src/authoring/template";
import { ProtonkitError } from "../../src/errors";
import { checkBundle } from "../../src/proton/bundle";
import { TERRAFORM_MANIFEST } from "../../src/proton/contract";
import { buildSchema, schemaYaml } from "../../src/proton/schema";
import { tempDir } from "../support/synth";

const schema = schemaYaml(buildSchema("oven-env", new Map([["environment", { size: Input.integer({ minimum: 1, default: 2 }) }]])));

function envFiles(extra: Record<string, string> = {}): Map<string, string> {
  return new Map(Object.entries({ "schema/schema.yaml": schema, "infrastructure/manifest.yaml": TERRAFORM_MANIFEST, "infrastructure/main.tf": 'resource "null_resource" "x" {}\n', ...extra }));
}

t.test("the validator reads a bundle from a file map: kind, folders and schema", async (t) => {
  const { bundle, problems, quota } = checkBundle("oven-env/v1", envFiles(), { templateName: "oven-env", major: 1 });
  t.same([...problems, ...quota], []);
  t.equal(bundle?.kind, "environment");
  t.same(bundle?.infrastructure?.files.map((f) => f.name), ["main.tf"]);
  t.same(Object.keys(bundle?.schema?.environmentInputType?.properties ?? {}), ["size"]);
});

t.test("contract and quota problems come back apart, naming the file", async (t) => {
  const broken = envFiles({ "infrastructure/manifest.yaml": "infrastructure: {}\n", "infrastructure/vars.tf": 'variable "environment" {}\n' });
  const checked = checkBundle("oven-env/v1", broken, { templateName: "oven-env", major: 1 });
  t.equal(checked.bundle, undefined);
  t.match(checked.problems.map(String), [/^oven-env\/v1\/infrastructure\/manifest\.yaml:1: infrastructure\.templates: expected one entry/, /^oven-env\/v1\/infrastructure\/vars\.tf:1: declares variable "environment"/]);
  t.same(checked.quota, []);
  const big = checkBundle("oven-env/v1", envFiles({ "infrastructure/main.tf": "#".repeat(300 * 1024) }), { templateName: "oven-env", major: 1 });
  t.match(big.quota.map(String), [/^oven-env\/v1\/infrastructure\/main\.tf: is 307200 bytes; Proton allows at most 204800 bytes/]);
});

t.test("a definition Proton would refuse fails when the construct is made, naming its path", async (t) => {
  class Bad extends environmentTemplate({ name: "-oven", major: 1, description: "x", inputs: { "bad-name": Input.string({ required: true, default: "x" }) }, outputs: {} }) {
    constructor(scope: Construct) {
      super(scope);
    }
  }
  const outdir = tempDir(t);
  t.throws(() => new Bad(new App({ outdir })), ProtonkitError);
  try {
    new Bad(new App({ outdir }));
  } catch (err) {
    const text = (err as Error).message;
    t.match(text, /^template -oven is not valid:/);
    t.match(text, /- -oven: template name "-oven" does not match/);
    t.match(text, /- -oven: environment\.bad-name: input names must match/);
    t.match(text, /- -oven: environment\.bad-name: a required input cannot have a default/);
  }
});
