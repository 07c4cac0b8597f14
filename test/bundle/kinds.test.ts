import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { componentTemplate, environmentTemplate } from "../../src/authoring/template";
import { suppressGuardrail } from "../../src/guardrails";
import { readBundle } from "../../src/render";
import { StarterEnvironment } from "../../stacks/starter-environment/stack";
import { synthTo, tempDir } from "../support/synth";

class QueueComponent extends componentTemplate({
  name: "oven-queue",
  major: 1,
  description: "A queue attached to one service instance.",
  compatibleEnvironments: [StarterEnvironment],
  outputs: { queue_url: "URL of the queue." },
}) {
  constructor(scope: Construct) {
    super(scope);
    const q = new SqsQueue(this.infrastructure, "queue", { name: `${this.context.componentName}-${this.context.environmentOutputs.cluster_name}`, sqsManagedSseEnabled: true });
    this.output("queue_url", q.url);
  }
}

t.test("a component template is an infrastructure folder without schema that the renderer reads as a component", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  await synthTo([QueueComponent], bundles);
  const dir = path.join(bundles, "oven-queue", "v1");
  t.notOk(fs.existsSync(path.join(dir, "schema")), "components have no spec, so no schema");
  const main = fs.readFileSync(path.join(dir, "infrastructure", "main.tf"), "utf8");
  t.match(main, /name\s+= "\$\{var\.component\.name\}-\$\{var\.environment\.outputs\.cluster_name\}"/);
  const bundle = readBundle(dir);
  t.equal(bundle.kind, "component");
  t.equal(bundle.templateName, "oven-queue");
});

function logsTemplate(suppress: boolean) {
  return class Logs extends environmentTemplate({ name: "logs-forever", major: 1, description: "Keeps audit logs forever.", inputs: {}, outputs: {} }) {
    constructor(scope: Construct) {
      super(scope);
      const audit = new Construct(this.infrastructure, "audit");
      new CloudwatchLogGroup(audit, "trail", { name: "/audit/trail" });
      if (suppress) suppressGuardrail(audit, "PK-LOG-001", "Audit logs are kept forever by policy (SEC-12).");
    }
  };
}

t.test("a guardrail violation fails synth; an explicit suppression passes and is listed in the bundle README", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  await t.rejects(synthTo([logsTemplate(false)], bundles), /logs-forever\/logs-forever-infrastructure\/audit\/trail: PK-LOG-001 CloudWatch log group without retention/);
  t.notOk(fs.existsSync(path.join(bundles, "logs-forever")), "nothing written");
  await synthTo([logsTemplate(true)], bundles);
  const readme = fs.readFileSync(path.join(bundles, "logs-forever", "v1", "README.md"), "utf8");
  t.match(readme, "| PK-LOG-001 | `logs-forever/logs-forever-infrastructure/audit` | Audit logs are kept forever by policy (SEC-12). |");
});
