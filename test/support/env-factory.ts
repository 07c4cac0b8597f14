import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { InputSet } from "../../src/authoring/inputs";
import { environmentTemplate, OutputSet, serviceTemplate } from "../../src/authoring/template";
import type { TemplateCtor } from "./synth";

/**
 * A tiny environment template whose inputs, outputs and major version a test chooses: one
 * SSM parameter per output, holding the JSON of every input.
 */
export function makeEnvironment(options: { name?: string; major?: number; inputs: InputSet; outputs?: OutputSet; value?: string }) {
  const outputs: OutputSet = options.outputs ?? { parameter_name: "Name of the parameter." };
  class TestEnvironment extends environmentTemplate({
    name: options.name ?? "versioned-env",
    major: options.major ?? 1,
    description: "Test environment.",
    inputs: options.inputs,
    outputs,
  }) {
    constructor(scope: Construct) {
      super(scope);
      for (const name of Object.keys(outputs)) {
        const p = new SsmParameter(this.infrastructure, `p-${name}`, {
          name: `/test/${this.environmentName}/${name}`,
          type: "String",
          value: options.value ?? JSON.stringify(Object.keys(options.inputs)),
        });
        this.output(name, p.name);
      }
    }
  }
  return TestEnvironment;
}

/** A service compatible with `env` that reads the given environment outputs. */
export function makeService(env: ReturnType<typeof makeEnvironment>, reads: readonly string[]): TemplateCtor {
  class TestService extends serviceTemplate({
    name: "reader-service",
    major: 1,
    description: "Reads environment outputs.",
    compatibleEnvironments: [env],
    inputs: {},
    outputs: { read: "What it read." },
  }) {
    constructor(scope: Construct) {
      super(scope);
      const outs = this.context.environmentOutputs as Record<string, string>;
      const p = new SsmParameter(this.instance, "reads", { name: "/test/reads", type: "String", value: reads.map((r) => outs[r]).join(",") });
      this.output("read", p.value);
    }
  }
  return TestService;
}
