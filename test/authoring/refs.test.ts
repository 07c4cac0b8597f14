import t from "tap";
import { App, Fn, Op, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Input } from "../../src/authoring/inputs";
import { literal } from "../../src/authoring/refs";
import { environmentTemplate } from "../../src/authoring/template";
import { bundleOf, tempDir } from "../support/synth";

class RefsEnvironment extends environmentTemplate({
  name: "refs-env",
  major: 1,
  description: "References everywhere.",
  inputs: {
    cidr: Input.string({ default: "10.0.0.0/16" }),
    bits: Input.integer({ default: 8 }),
    dns: Input.boolean({ default: true }),
    zones: Input.array({ type: "string" }, { default: ["a"] }),
    nickname: Input.string({}),
  },
  outputs: { subnet: "Computed subnet.", dns: "DNS flag.", zones: "Zones.", count: "A number.", csv: "Zones, comma-separated." },
}) {
  constructor(scope: Construct) {
    super(scope);
    const vpc = new Vpc(this.infrastructure, "vpc", {
      cidrBlock: Fn.cidrsubnet(this.inputs.cidr, this.inputs.bits, 1),
      enableDnsSupport: this.inputs.dns,
      tags: { Name: `${this.environmentName}-${Fn.upper(this.inputs.cidr)}`, Nick: this.inputs.nickname },
    });
    new SsmParameter(this.infrastructure, "zones", { name: "z", type: "StringList", value: Fn.join(",", this.inputs.zones) });
    this.output("subnet", vpc.cidrBlock);
    this.output("dns", this.inputs.dns);
    this.output("zones", this.inputs.zones, { encode: "json" });
    this.output("csv", this.inputs.zones, { encode: "csv" });
    this.output("count", this.inputs.bits);
  }
}

t.test("references stay bare inside Fn.* calls, interpolate in strings, and keep their types", async (t) => {
  const bundle = await bundleOf(RefsEnvironment, tempDir(t));
  const hcl = [...bundle.files].filter(([f]) => f.endsWith(".tf")).map(([, c]) => c).join("\n");
  t.match(hcl, /cidr_block\s+= cidrsubnet\(var\.environment\.inputs\.cidr, var\.environment\.inputs\.bits, 1\)/, "no quoted \"${...}\" inside the call");
  t.notMatch(hcl, /\$\$\{/, "nothing escaped");
  t.match(hcl, /enable_dns_support\s+= var\.environment\.inputs\.dns/, "a boolean input is a boolean reference");
  t.match(hcl, /Name = "\$\{var\.environment\.name\}-\$\{upper\(var\.environment\.inputs\.cidr\)\}"/);
  t.match(hcl, /Nick = try\(var\.environment\.inputs\.nickname, null\)/, "optional input without default may be absent");
  t.match(hcl, /value = join\(",", var\.environment\.inputs\.zones\)/);
  t.match(hcl, /value\s+= tostring\(var\.environment\.inputs\.dns\)/, "boolean output encoded as string");
  t.match(hcl, /value\s+= tostring\(var\.environment\.inputs\.bits\)/, "number output encoded as string");
  t.match(hcl, /value\s+= jsonencode\(var\.environment\.inputs\.zones\)/);
  t.match(hcl, /value\s+= join\(",", var\.environment\.inputs\.zones\)/);
});

t.test("a list environment output without an encoding is refused with the fix", async (t) => {
  class ListOutput extends environmentTemplate({ name: "list-env", major: 1, description: "x", inputs: { zones: Input.array({ type: "string" }, { default: [] }) }, outputs: { zones: "Z." } }) {
    constructor(scope: Construct) {
      super(scope);
      this.output("zones", this.inputs.zones);
    }
  }
  t.throws(() => new ListOutput(new App({ outdir: tempDir(t) })), /output "zones" is a list, but Proton stores outputs as strings\. Pass \{ encode: "json" \} or \{ encode: "csv" \}/);
});

t.test("a declared output that is never set fails synth", async (t) => {
  class Forgetful extends environmentTemplate({ name: "forgetful", major: 1, description: "x", inputs: {}, outputs: { vpc_id: "VPC." } }) {}
  await t.rejects(bundleOf(Forgetful, tempDir(t)), /declares outputs it never sets: infrastructure: vpc_id/);
});

t.test("declaring one of Proton's variables fails synth and says why", async (t) => {
  for (const name of ["environment", "proton_tags", "service_instance"]) {
    class Redeclares extends environmentTemplate({ name: "redeclares", major: 1, description: "x", inputs: {}, outputs: {} }) {
      constructor(scope: Construct) {
        super(scope);
        new TerraformVariable(this.infrastructure, name, { type: "any" });
      }
    }
    await t.rejects(bundleOf(Redeclares, tempDir(t)), new RegExp(`declares variable "${name}", which Proton declares itself in proton\\.\\*\\.variables\\.tf; a second declaration fails every deployment with a duplicate-variable error`));
  }
});

t.test("the provider tags everything with var.proton_tags and has no region; the backend is an empty s3", async (t) => {
  const bundle = await bundleOf(RefsEnvironment, tempDir(t));
  const providers = bundle.files.get("infrastructure/providers.tf")!;
  t.match(providers, /provider "aws" \{\n  default_tags \{\n    tags = var\.proton_tags\n  \}\n\}/);
  t.notMatch(providers, /region/);
  t.match(providers, /backend "s3" \{\}/);
  t.match(providers, /source  = "hashicorp\/aws"/);
});

t.test("an operand cdktf dropped (Op.eq(x, \"\")) fails synth and names literal() as the fix", async (t) => {
  class Dropped extends environmentTemplate({ name: "dropped", major: 1, description: "x", inputs: { name: Input.string({ default: "" }) }, outputs: {} }) {
    constructor(scope: Construct) {
      super(scope);
      new SsmParameter(this.infrastructure, "p", { name: "p", type: "String", value: Fn.conditional(Op.eq(this.inputs.name, ""), "empty", "set") });
    }
  }
  await t.rejects(bundleOf(Dropped, tempDir(t)), /dropped\/infrastructure: has expressions where cdktf dropped an operand and wrote "undefined": resource\.aws_ssm_parameter\.p\.value.*wrap it in literal\(\)/s);
  class Fixed extends environmentTemplate({ name: "fixed", major: 1, description: "x", inputs: { name: Input.string({ default: "" }) }, outputs: {} }) {
    constructor(scope: Construct) {
      super(scope);
      new SsmParameter(this.infrastructure, "p", { name: "p", type: "String", value: Fn.conditional(Op.eq(this.inputs.name, literal("")), "empty", "set") });
    }
  }
  const bundle = await bundleOf(Fixed, tempDir(t));
  t.match(bundle.files.get("infrastructure/main.tf")!, /value = \(var\.environment\.inputs\.name == ""\) \? "empty" : "set"/);
});

t.test("backend: none leaves the backend out", async (t) => {
  class NoBackend extends environmentTemplate({ name: "no-backend", major: 1, description: "x", backend: "none", inputs: {}, outputs: {} }) {}
  const bundle = await bundleOf(NoBackend, tempDir(t));
  t.notMatch(bundle.files.get("infrastructure/providers.tf")!, /backend/);
});

t.test("literal() keeps falsy operands and null that cdktf would drop", async (t) => {
  class Literals extends environmentTemplate({
    name: "literals-env",
    major: 1,
    description: "Falsy literals.",
    inputs: { name: Input.string({ default: "" }), size: Input.integer({ default: 0 }) },
    outputs: { picked: "Picked." },
  }) {
    constructor(scope: Construct) {
      super(scope);
      new Vpc(this.infrastructure, "vpc", {
        cidrBlock: "10.0.0.0/16",
        enableDnsSupport: Op.gt(this.inputs.size, literal(0)),
        tags: { Name: Fn.try([Fn.upper(this.inputs.name), literal(null)]) },
      });
      this.output("picked", Fn.conditional(Op.eq(this.inputs.name, literal("")), "none", this.inputs.name));
    }
  }
  const bundle = await bundleOf(Literals, tempDir(t));
  const hcl = [...bundle.files].filter(([f]) => f.endsWith(".tf")).map(([, c]) => c).join("\n");
  t.notMatch(hcl, /undefined/);
  t.match(hcl, /enable_dns_support\s+= \(var\.environment\.inputs\.size > 0\)/);
  t.match(hcl, /Name = try\(upper\(var\.environment\.inputs\.name\), null\)/);
  t.match(hcl, /\(var\.environment\.inputs\.name == ""\) \? "none"/);
});
