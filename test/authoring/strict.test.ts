// Mistakes tsc would catch but `npm run synth` (transpile-only) would not: reading what a
// template does not declare, and setting an output it does not declare. Each is a synth error
// naming the construct and the fix. The `as any` casts stand for code that is not type-checked.
import t, { Test } from "tap";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Input } from "../../src/authoring/inputs";
import { componentTemplate, environmentTemplate, serviceTemplate } from "../../src/authoring/template";
import { ProtonkitError } from "../../src/errors";
import { StarterEnvironment } from "../../stacks/starter-environment/stack";
import { synthTo, tempDir, TemplateCtor } from "../support/synth";

type Loose = Record<string, unknown>;

function service(body: (self: { context: Loose; inputs: Loose; pipelineInputs: Loose; instance: Construct; output(name: string, v: string): void }) => void): TemplateCtor {
  return class extends serviceTemplate({
    name: "loose-service",
    major: 1,
    description: "Reads what it should not.",
    compatibleEnvironments: [StarterEnvironment],
    inputs: { port: Input.integer({ default: 80 }) },
    outputs: { queue_url: "A URL." },
    pipeline: { inputs: { scan: Input.boolean({ default: true }) }, outputs: {} },
  }) {
    constructor(scope: Construct) {
      super(scope);
      body(this as unknown as Parameters<typeof body>[0]);
    }
  };
}

async function refused(t: Test, T: TemplateCtor, expected: RegExp[]) {
  const dir = tempDir(t);
  const err = await synthTo([T], `${dir}/proton-bundles`).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, ProtonkitError, "a user error, not a crash");
  for (const re of expected) t.match((err as Error).message, re);
}

t.test("an undeclared environment output is a synth error naming the template and the declared outputs", async (t) => {
  await refused(
    t,
    service((s) => {
      const env = s.context.environmentOutputs as Loose;
      new SsmParameter(s.instance, "p", { name: `/protonkit/${env.vpc_identifier as string}/x`, type: "String", value: "v" });
    }),
    [/loose-service: reads environment output "vpc_identifier", which starter-environment does not declare/, /did you mean "vpc_id"\?/, /context\.environmentOutputs\.vpc_identifier/],
  );
});

t.test("undeclared inputs, pipeline inputs and context members are synth errors", async (t) => {
  await refused(t, service((s) => void s.inputs.prot), [/reads input "prot", which the definition does not declare/, /did you mean "port"/]);
  await refused(t, service((s) => void s.pipelineInputs.scan_on_push), [/pipelineInputs\.scan_on_push/, /use one of: scan/]);
  await refused(t, service((s) => void s.context.environmentOutput), [/reads context\.environmentOutput, which does not exist/, /did you mean "environmentOutputs"/]);
  await refused(t, service((s) => void (s.context.repository as Loose).url), [/context\.repository\.url/]);
});

t.test("declared reads still work, and destructuring and spreading the context do too", async (t) => {
  const dir = tempDir(t);
  const T = service((s) => {
    const { vpc_id } = s.context.environmentOutputs as Record<string, string>;
    const copy = { ...(s.context.environmentOutputs as Record<string, string>) };
    new SsmParameter(s.instance, "p", { name: `/x/${vpc_id}/${copy.vpc_id}/${String(s.inputs.port)}`, type: "String", value: "v" });
    s.output("queue_url", "u");
  });
  const [r] = await synthTo([T], `${dir}/proton-bundles`);
  t.equal(r.name, "loose-service");
});

t.test("a component reading an undeclared environment output is refused", async (t) => {
  class Loud extends componentTemplate({ name: "loose-component", major: 1, description: "x", compatibleEnvironments: [StarterEnvironment], outputs: {} }) {
    constructor(scope: Construct) {
      super(scope);
      void (this.context.environmentOutputs as Loose).typo;
    }
  }
  await refused(t, Loud, [/loose-component: reads environment output "typo"/]);
});

t.test("an output name the definition does not declare is refused by name", async (t) => {
  await refused(
    t,
    service((s) => s.output("queue_urll", "u")),
    [/loose-service: output "queue_urll" is not declared in outputs of the definition/, /did you mean "queue_url"/],
  );
});

t.test("a list built by a Terraform function is refused as an environment output without encode", async (t) => {
  const env = (value: () => unknown, options = {}) =>
    class extends environmentTemplate({ name: "list-env", major: 1, description: "x", inputs: {}, outputs: { ids: "Ids." } }) {
      constructor(scope: Construct) {
        super(scope);
        (this.output as (n: string, v: unknown, o: object) => void)("ids", value(), options);
      }
    };
  await refused(t, env(() => Fn.concat([["a"], ["b"]])), [/list-env-infrastructure\/output-ids: output "ids" is a list or map \(\$\{concat/, /encode: "json"/]);
  await refused(t, env(() => Fn.flatten([["a"]])), [/output "ids" is a list or map/]);
  await refused(t, env(() => Fn.split(",", "a,b")), [/is a list/]);
  const dir = tempDir(t);
  const [r] = await synthTo([env(() => Fn.concat([["a"], ["b"]]), { encode: "json" })], `${dir}/proton-bundles`);
  t.equal(r.name, "list-env", "encoded, it is fine");
});

t.test("the text undefined inside a string is refused, naming the construct", async (t) => {
  const own: Record<string, string> = {};
  await refused(
    t,
    service((s) => {
      new SsmParameter(s.instance, "p", { name: `/protonkit/${own.typo}/settings`, type: "String", value: "v" });
      s.output("queue_url", "u");
    }),
    [/loose-service\/loose-service-instance-infrastructure\/p: resource\.aws_ssm_parameter\.p\.name has the text "undefined" in it/],
  );
});
