// `npm test` runs `protonkit test` over the whole catalog: every template version, every example
// spec, rendered and run through `terraform test` with a mocked AWS provider. One tap file per
// template (test/catalog/<template>.test.ts), so the templates spread over tap's jobs and no
// file carries the whole catalog's Terraform time.
import * as path from "node:path";
import t from "tap";
import * as renderer from "../../src/render";
import { terraformSettings } from "../../src/terraform/cli";
import { runTemplateTests } from "../../src/terraform/template-tests";
import { formatTable } from "../../src/terraform/test-report";

export const root = path.join(__dirname, "..", "..");
export const bundlesDir = path.join(root, "proton-bundles");
export const examplesDir = path.join(root, "stacks");

/** Runs `protonkit test <template>` (every major version, every example spec) as one tap test. */
export function testCatalogTemplate(template: string): void {
  const skip = process.env.PROTONKIT_PLUGIN_DIR ? false : "PROTONKIT_PLUGIN_DIR is not set: Terraform cannot install the AWS provider offline (.ci/run sets it)";
  t.test(`protonkit test passes for ${template}, every version and example spec`, { skip }, async (t) => {
    const run = await runTemplateTests(
      { bundlesDir, examplesDir, templates: [template], settings: terraformSettings(), concurrency: Number(process.env.PROTONKIT_TEST_CONCURRENCY ?? 2) },
      { renderer },
    );
    t.comment(formatTable(run).replace(/\n/g, "\n# "));
    t.ok(run.results.length >= 2, `${run.results.length} rendered resources tested`);
    for (const r of run.results) {
      t.equal(r.status, "passed", `${r.spec} ${r.resource}: ${Object.entries(r.steps).map(([k, s]) => `${k} ${s.status}${s.status === "failed" ? `\n${s.output ?? ""}` : ""}`).join(", ")}`);
    }
  });
}
