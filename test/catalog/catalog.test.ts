// The catalog's shape: every template has example specs, its own Terraform assertions, and a tap
// file here that runs `protonkit test` on it (see ./template.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { findSpecs, findTemplateVersions } from "../../src/terraform/template-tests";
import { catalog } from "../../stacks";
import { bundlesDir, examplesDir } from "./template";

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

t.test("every catalog template has its protonkit test file", async (t) => {
  const templates = [...new Set(findTemplateVersions(bundlesDir).map((tv) => tv.template))];
  for (const template of templates) {
    const file = path.join(__dirname, `${template}.test.ts`);
    t.ok(fs.existsSync(file), `test/catalog/${template}.test.ts exists`);
    if (fs.existsSync(file)) t.match(fs.readFileSync(file, "utf8"), `testCatalogTemplate(${JSON.stringify(template)})`, `it tests ${template}`);
  }
});
