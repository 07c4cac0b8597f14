import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { PINNED_ACTIONS } from "../../generators/actions";
import { TOOLKIT_CI_PATH, syncToolkitCi, toolkitCiContent } from "../../generators/workflow/sync";
import { parseWorkflowYaml, scriptInjectionFindings } from "./helpers";
import { actionlint, workflowParserErrors } from "./lint";

const ROOT = path.join(__dirname, "..", "..");
const committed = fs.readFileSync(path.join(ROOT, TOOLKIT_CI_PATH), "utf8");

t.test("the committed CI workflow is what the template renders", async (t) => {
  t.equal(committed, toolkitCiContent(), "run `protonkit workflow toolkit-ci` and commit .github/workflows/ci.yml");
  t.ok(syncToolkitCi({ root: ROOT, check: true }).inSync);
});

t.test("actionlint reports nothing", async (t) => {
  t.same(await actionlint(committed, TOOLKIT_CI_PATH), []);
});

t.test("@actions/workflow-parser parses it without errors", async (t) => {
  t.same(await workflowParserErrors(committed, TOOLKIT_CI_PATH), []);
});

t.test("it installs, typechecks, tests and checks bundle drift, least privilege, pinned actions", async (t) => {
  const wf = parseWorkflowYaml(committed);
  t.same(Object.keys(wf.on).sort(), ["pull_request", "push"]);
  t.same(wf.permissions, {});
  const jobs = Object.values(wf.jobs);
  t.equal(jobs.length, 1);
  const [job] = jobs;
  t.same(job.permissions, { contents: "read" });
  const runs = job.steps.flatMap((s) => (s.run ? [s.run] : []));
  const order = ["npm ci --ignore-scripts --no-audit --no-fund", "npm run typecheck", "npm test", "npx --no -- protonkit synth --check"].map((cmd) => runs.indexOf(cmd));
  t.notOk(order.includes(-1), "every command is there");
  t.same(order, [...order].sort((a, b) => a - b), "in this order");
  const setup = job.steps.find((s) => s.uses?.startsWith("hashicorp/setup-terraform@"));
  t.equal(setup?.with?.terraform_wrapper, false);
  t.match(String(setup?.with?.terraform_version), /^\d+\.\d+\.\d+$/);
  t.equal(job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.["persist-credentials"], false);
  t.same(scriptInjectionFindings(wf), []);
  for (const line of committed.split("\n").filter((l) => /uses:/.test(l))) {
    const m = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[\w.-]+)$/.exec(line);
    const known = m && Object.values(PINNED_ACTIONS).find((a) => a.repository === m[1]);
    t.ok(known && known.commit === m[2] && known.tag === m[3], `pinned from the table: ${line.trim()}`);
  }
});
