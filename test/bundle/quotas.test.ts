import t from "tap";
import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { environmentTemplate } from "../../src/authoring/template";
import { nameProblems } from "../../src/proton/names";
import { QUOTAS, quotaProblems } from "../../src/proton/quotas";
import { bundleOf, tempDir } from "../support/synth";

const files = (entries: [string, number][]) => new Map(entries.map(([f, n]) => [f, "x".repeat(n)]));

t.test("each file quota names the file and the limit", async (t) => {
  const problems = quotaProblems("web/v1", files([
    ["schema/schema.yaml", QUOTAS.schemaBytes + 1],
    ["infrastructure/manifest.yaml", QUOTAS.manifestBytes + 1],
    ["infrastructure/main.tf", QUOTAS.otherFileBytes + 1],
    ["README.md", 10],
  ])).map(String);
  t.same(problems, [
    `web/v1/schema/schema.yaml: is ${QUOTAS.schemaBytes + 1} bytes; Proton allows at most ${QUOTAS.schemaBytes} bytes for this file (fix: shrink it)`,
    `web/v1/infrastructure/manifest.yaml: is ${QUOTAS.manifestBytes + 1} bytes; Proton allows at most ${QUOTAS.manifestBytes} bytes for this file (fix: shrink it)`,
    `web/v1/infrastructure/main.tf: is ${QUOTAS.otherFileBytes + 1} bytes; Proton allows at most ${QUOTAS.otherFileBytes} bytes for this file (fix: move constructs into another top-level construct so they land in another file)`,
  ]);
  t.same(quotaProblems("web/v1", files([["schema/schema.yaml", QUOTAS.schemaBytes], ["infrastructure/main.tf", QUOTAS.otherFileBytes]])), [], "limits are inclusive");
});

t.test("bundle size and template file count", async (t) => {
  const many = files(Array.from({ length: 11 }, (_, i) => [`infrastructure/f${i}.tf`, 1] as [string, number]));
  t.match(quotaProblems("web/v1", many).map(String), [/web\/v1: has 11 template files; Proton allows at most 10 per bundle/]);
  const big = files(Array.from({ length: 27 }, (_, i) => [`docs/f${i}.md`, 200 * 1024] as [string, number]));
  t.match(quotaProblems("web/v1", big).map(String), [/web\/v1: is 5529600 bytes; Proton allows at most 5242880 bytes per bundle/]);
});

t.test("template names follow Proton's rule", async (t) => {
  t.same(nameProblems("web-service_2"), []);
  t.match(nameProblems("-web").map(String), [/does not match/]);
  t.match(nameProblems("w".repeat(101)).map(String), [/101 characters; Proton allows at most 100/]);
});

t.test("a template with more than 10 files fails synth naming the bundle", async (t) => {
  class Sprawling extends environmentTemplate({ name: "sprawling", major: 1, description: "x", inputs: {}, outputs: {} }) {
    constructor(scope: Construct) {
      super(scope);
      for (let i = 0; i < 10; i++) new SsmParameter(new Construct(this.infrastructure, `part${i}`), "p", { name: `p${i}`, type: "String", value: "v" });
    }
  }
  await t.rejects(bundleOf(Sprawling, tempDir(t)), /template sprawling exceeds Proton's quotas:\n  - sprawling\/v1: has 11 template files/);
});
