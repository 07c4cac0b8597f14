// `npm test` runs `protonkit test` over the whole catalog: every template version, every example
// spec, rendered and run through terraform init, validate and test (mocked AWS provider).
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import * as renderer from "../src/render";
import { terraformSettings } from "../src/terraform/cli";
import { findSpecs, findTemplateVersions, runTemplateTests } from "../src/terraform/template-tests";
import { formatTable } from "../src/terraform/test-report";
import { catalog } from "../stacks";

const root = path.join(__dirname, "..");
const bundlesDir = path.join(root, "proton-bundles");
const examplesDir = path.join(root, "stacks");
const skip = process.env.PROTONKIT_PLUGIN_DIR ? false : "PROTONKIT_PLUGIN_DIR is not set: Terraform cannot install the AWS provider offline (.ci/run sets it)";

t.test("every catalog template has example specs and its own Terraform assertions", async (t) => {
  const versions = findTemplateVersions(bundlesDir);
  t.equal(versions.length, catalog.length, "one committed bundle per catalog template");
  for (const tv of versions) {
    const { specs } = findSpecs(examplesDir, tv);
    t.ok(specs.length >= 2, `${tv.template}: ${specs.length} example specs (a minimal and a production-like one at least)`);
    const tests: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith(".tftest.hcl")) tests.push(e.name);
      }
    };
    walk(path.join(examplesDir, tv.template, "tests"));
    t.ok(tests.length >= 1, `${tv.template}: ${tests.length} .tftest.hcl files`);
  }
});

t.test("protonkit test passes for every template and example spec", { skip }, async (t) => {
  const run = await runTemplateTests(
    { bundlesDir, examplesDir, settings: terraformSettings(), concurrency: Number(process.env.PROTONKIT_TEST_CONCURRENCY ?? 2) },
    { renderer },
  );
  t.comment(formatTable(run).replace(/\n/g, "\n# "));
  t.ok(run.results.length >= catalog.length * 2, `${run.results.length} rendered resources tested`);
  for (const r of run.results) {
    t.equal(r.status, "passed", `${r.spec} ${r.resource}: ${Object.entries(r.steps).map(([k, s]) => `${k} ${s.status}${s.status === "failed" ? `\n${s.output ?? ""}` : ""}`).join(", ")}`);
  }
});
