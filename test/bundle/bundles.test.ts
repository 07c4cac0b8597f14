import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import YAML from "yaml";
import SwaggerParser from "@apidevtools/swagger-parser";
import { TERRAFORM_MANIFEST } from "../../src/proton/contract";
import { listFiles } from "../../src/support/files";
import { runTerraform, terraformSettings } from "../../src/terraform/cli";
import { catalog } from "../../stacks";
import { readTree, synthTo, tempDir } from "../support/synth";

const root = path.join(__dirname, "..", "..");
const committed = path.join(root, "proton-bundles");

/** Every `<template>/v<major>` folder committed. */
function bundleDirs(): string[] {
  return listFiles(committed)
    .filter((f) => f.endsWith("/README.md"))
    .map((f) => path.join(committed, path.dirname(f)));
}

t.test("the committed bundles are exactly what the stacks synthesize", async (t) => {
  await synthTo(catalog, committed, { check: true });
  t.pass("synth --check found no drift");
});

t.test("synthesizing twice gives byte-identical bundles and tarballs with no machine-specific content", async (t) => {
  const a = tempDir(t);
  const b = tempDir(t);
  await synthTo(catalog, path.join(a, "proton-bundles"), { distDir: path.join(a, "dist") });
  await synthTo(catalog, path.join(b, "proton-bundles"), { distDir: path.join(b, "dist") });
  const treeA = readTree(a.replace(/$/, "/proton-bundles"));
  t.same(treeA, readTree(path.join(b, "proton-bundles")));
  t.same(readTree(path.join(a, "dist")), readTree(path.join(b, "dist")), "tarballs are reproducible");
  t.ok(Object.keys(readTree(path.join(a, "dist"))).length >= catalog.length, "one tarball per template version");
  const all = Object.values(treeA).join("\n");
  for (const machine of [a, b, root, "/tmp/", "/home/", "/root/"]) t.notOk(all.includes(machine), `no ${machine} in bundles`);
  t.notMatch(all, /\b20\d\d-\d\d-\d\dT\d\d:\d\d/, "no timestamps");
  t.notMatch(all, /cdktf\.out|terraform\.tfstate/, "no cdktf local backend");
});

t.test("every committed bundle has the exact manifest and a schema a real OpenAPI 3.0 validator accepts", async (t) => {
  const dirs = bundleDirs();
  t.ok(dirs.length >= 2);
  for (const dir of dirs) {
    const files = listFiles(dir);
    const manifests = files.filter((f) => f.endsWith("/manifest.yaml"));
    t.ok(manifests.length >= 1, `${dir} has an infrastructure folder`);
    for (const m of manifests) t.equal(fs.readFileSync(path.join(dir, m), "utf8"), TERRAFORM_MANIFEST, `${m} is Proton's Terraform manifest`);
    t.ok(files.filter((f) => f.endsWith(".tf")).length <= 10);
    if (!files.includes("schema/schema.yaml")) continue;
    const schema = YAML.parse(fs.readFileSync(path.join(dir, "schema/schema.yaml"), "utf8")) as { schema: { format: { openapi: string }; types: Record<string, object> } };
    t.equal(schema.schema.format.openapi, "3.0.0");
    // schema.yaml is the components part of an OpenAPI document; validate it as one.
    const doc = { openapi: "3.0.0", info: { title: path.basename(path.dirname(dir)), version: "1" }, paths: {}, components: { schemas: schema.schema.types } };
    await t.resolves(SwaggerParser.validate(structuredClone(doc) as never), `${dir} schema is valid OpenAPI 3.0`);
  }
});

const settings = process.env.PROTONKIT_PLUGIN_DIR ? terraformSettings() : undefined;

// Validation of every bundle folder is not repeated here: `terraform test`, which the catalog's
// template tests (test/catalog/) run on every rendered bundle, validates the same configuration.
t.test("every committed .tf is terraform fmt clean", { skip: settings ? false : "PROTONKIT_PLUGIN_DIR is not set (.ci/run sets it)" }, async (t) => {
  const fmt = await runTerraform(settings!, ["fmt", "-check", "-recursive", "-no-color", path.relative(root, committed)], { cwd: root });
  t.equal(fmt.code, 0, `terraform fmt -check: ${fmt.stdout}${fmt.stderr}`);
});
