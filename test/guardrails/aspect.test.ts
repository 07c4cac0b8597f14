import t from "tap";
import * as fs from "fs";
import * as path from "path";
import { Annotations, Aspects, IAspect, TerraformStack, Token, ref } from "cdktf";
import { IConstruct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { ProtonkitError } from "../../src/errors";
import { applyGuardrails, assertGuardrails, checkGuardrails } from "../../src/guardrails";
import { bucket, newApp, newStack } from "./fixtures/stacks";

function stackFile(outdir: string, name: string): string {
  return path.join(outdir, "stacks", name, "cdk.tf.json");
}

t.test("app.synth() throws one ProtonkitError listing every violation and writes no stack JSON", async (t) => {
  const { app, stack } = newStack();
  applyGuardrails(stack);
  new CloudwatchLogGroup(stack, "logs", {});
  bucket(stack, "assets", { encryption: false });
  let caught: unknown;
  try {
    app.synth();
  } catch (e) {
    caught = e;
  }
  t.ok(caught instanceof ProtonkitError, "a ProtonkitError, not swallowed or wrapped");
  const err = caught as ProtonkitError;
  t.same(
    err.problems.map((p) => p.details.field),
    ["tpl/assets", "tpl/logs"],
  );
  t.match(err.message, /PK-S3-002[\s\S]*PK-LOG-001/);
  t.notOk(fs.existsSync(stackFile(app.outdir, "tpl")), "nothing synthesized for the refused stack");
});

t.test("a safe stack synthesizes with the aspect applied, and checks clean afterwards", async (t) => {
  const { app, stack } = newStack();
  applyGuardrails(stack);
  applyGuardrails(stack);
  t.equal(Aspects.of(stack).all.length, 1, "applyGuardrails is idempotent");
  bucket(stack, "assets");
  new CloudwatchLogGroup(stack, "logs", { retentionInDays: 14 });
  app.synth();
  t.ok(fs.existsSync(stackFile(app.outdir, "tpl")));
  t.same(checkGuardrails(stack), [], "checkGuardrails works on a synthesized stack");
  t.doesNotThrow(() => assertGuardrails(stack));
});

/** An aspect that mutates resources, to show the guardrails see the state after all aspects. */
class Mutate implements IAspect {
  constructor(private readonly f: (node: IConstruct) => void) {}
  visit(node: IConstruct): void {
    this.f(node);
  }
}

t.test("the check runs after every other aspect, including aspects added later", async (t) => {
  const fixed = newStack("fixed");
  applyGuardrails(fixed.stack);
  new CloudwatchLogGroup(fixed.stack, "logs", {});
  Aspects.of(fixed.stack).add(
    new Mutate((n) => {
      if (n instanceof CloudwatchLogGroup) n.retentionInDays = 30;
    }),
  );
  t.doesNotThrow(() => fixed.app.synth(), "a later aspect's fix is seen");

  const broken = newStack("broken");
  applyGuardrails(broken.stack);
  const db = new DbInstance(broken.stack, "db", {
    instanceClass: "db.t4g.micro",
    storageEncrypted: true,
    deletionProtection: true,
  });
  Aspects.of(db).add(
    new Mutate((n) => {
      if (n instanceof DbInstance) n.publiclyAccessible = true;
    }),
  );
  t.throws(() => broken.app.synth(), /broken\/db: PK-DB-001/, "a later aspect's damage is seen");
});

t.test("skipValidation does not bypass the guardrails", async (t) => {
  const app = newApp({ skipValidation: true });
  const { stack } = newStack("tpl", { app });
  applyGuardrails(stack);
  new CloudwatchLogGroup(stack, "logs", {});
  t.throws(() => app.synth(), ProtonkitError);
});

t.test("why not annotations: cdktf does not fail synth on error annotations under the cdktf CLI", async (t) => {
  const key = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS";
  const before = process.env[key];
  process.env[key] = "1"; // what `cdktf synth` sets for the app process
  try {
    const app = newApp();
    const stack = new TerraformStack(app, "annotated");
    new AwsProvider(stack, "aws", { defaultTags: [{ tags: Token.asStringMap(ref("var.proton_tags")) }] });
    Annotations.of(stack).addError("unsafe");
    t.doesNotThrow(() => app.synth(), "an error annotation alone is swallowed");
  } finally {
    if (before === undefined) delete process.env[key];
    else process.env[key] = before;
  }
});
