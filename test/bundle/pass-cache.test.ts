// Checks that passed are remembered by digest, so an unchanged synth skips them, and anything
// changed (content or checking code) is checked again.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { toHcl } from "../../src/bundle/hcl";
import { cachedHclDifferences } from "../../src/bundle/hcl-check";
import { moduleFiles, PassCache } from "../../src/support/pass-cache";
import { tempDir } from "../support/synth";

const root = path.join(__dirname, "..", "..");

t.test("a pass is remembered under a key of the inputs and the checking code", async (t) => {
  const dir = tempDir(t);
  const code = path.join(dir, "checker.ts");
  fs.writeFileSync(code, "export const version = 1;\n");
  const name = `test-${process.pid}-${Date.now()}`;
  t.teardown(() => fs.rmSync(path.join(root, "node_modules", ".cache", "protonkit-checks", name), { recursive: true, force: true }));
  const cache = new PassCache(name, [code]);
  const key = cache.key(["a.tf", "x = 1\n"]);
  t.equal(cache.passed(key), false, "nothing passed yet");
  cache.remember(key);
  t.equal(cache.passed(key), true);
  t.equal(new PassCache(name, [code]).passed(key), true, "another process sees it");
  t.not(cache.key(["a.tf", "x = 2\n"]), key, "other content, other key");
  t.not(cache.key(["a.t", "fx = 1\n"]), key, "parts do not run into each other");
  fs.writeFileSync(code, "export const version = 2;\n");
  t.equal(new PassCache(name, [code]).passed(new PassCache(name, [code]).key(["a.tf", "x = 1\n"])), false, "changed checking code checks again");
  t.equal(new PassCache(name, [path.join(dir, "missing.ts")]).passed(key), false, "unreadable code: nothing counts as passed");
  process.env.PROTONKIT_CHECK_CACHE = "off";
  t.teardown(() => delete process.env.PROTONKIT_CHECK_CACHE);
  t.equal(cache.passed(key), false, "PROTONKIT_CHECK_CACHE=off checks every time");
});

t.test("a text computed once per input is kept with its key", async (t) => {
  const name = `test-text-${process.pid}-${Date.now()}`;
  t.teardown(() => fs.rmSync(path.join(root, "node_modules", ".cache", "protonkit-checks", name), { recursive: true, force: true }));
  const cache = new PassCache(name, [__filename]);
  let calls = 0;
  const render = (input: string) => cache.text([input], () => `rendered ${input} ${++calls}`);
  t.equal(render("a"), "rendered a 1");
  t.equal(render("a"), "rendered a 1", "remembered, not computed again");
  t.equal(new PassCache(name, [__filename]).text(["a"], () => "other"), "rendered a 1", "also in another process");
  t.equal(render("b"), "rendered b 2", "another input is computed");
});

t.test("the checking code is the module and all it requires; packages by their package.json", async (t) => {
  const files = moduleFiles(require.resolve("../../src/bundle/hcl-check"));
  for (const f of ["hcl-check.ts", "hcl.ts", "hcl-meaning.ts", "hcl-layout.ts"]) t.ok(files.includes(path.join(root, "src", "bundle", f)), f);
  const validator = moduleFiles(require.resolve("../../src/proton/bundle"));
  t.ok(validator.includes(path.join(root, "src", "proton", "schema-read.ts")), "transitive: schema-read.ts");
  t.ok(validator.includes(path.join(root, "node_modules", "yaml", "package.json")), "yaml by its package.json");
  t.notOk(validator.some((f) => f.includes(`${path.sep}node_modules${path.sep}yaml${path.sep}dist`)), "not the package's own files");
});

t.test("the parse-back check runs again when the Terraform JSON changes under the same HCL", async (t) => {
  const before = { resource: { aws_s3_bucket: { b: { bucket: `pass-cache-${process.pid}-${Date.now()}` } } } };
  const hcl = toHcl(before, new Set());
  t.same(await cachedHclDifferences("main.tf", hcl, before, new Set()), [], "passes, and is remembered");
  t.same(await cachedHclDifferences("main.tf", hcl, before, new Set()), [], "remembered");
  const after = { resource: { aws_s3_bucket: { b: { ...before.resource.aws_s3_bucket.b, force_destroy: true } } } };
  const diffs = await cachedHclDifferences("main.tf", hcl, after, new Set());
  t.match(diffs.join("\n"), /force_destroy/, "the HCL no longer says what the JSON says");
  t.match((await cachedHclDifferences("main.tf", hcl, after, new Set())).join("\n"), /force_destroy/, "a failure is never remembered");
});

t.test("an unchanged synth loads neither the HCL parser, ajv, tar nor the Handlebars compiler", async (t) => {
  const dir = tempDir(t);
  // CommonJS, so it also runs under tap's ESM loader hooks (inherited through NODE_OPTIONS).
  const script = path.join(dir, "synth.js");
  fs.writeFileSync(
    script,
    [
      `require(${JSON.stringify(path.join(root, "bin", "ts-register.js"))});`,
      `const { synthesizeCatalog } = require(${JSON.stringify(path.join(root, "src", "bundle", "catalog"))});`,
      `const { StarterEnvironment } = require(${JSON.stringify(path.join(root, "stacks", "starter-environment", "stack"))});`,
      `synthesizeCatalog({ templates: [StarterEnvironment], root: ${JSON.stringify(dir)} }).then(() => {`,
      `  const loaded = ["@cdktf/hcl2json", "ajv", "tar", "handlebars/dist/cjs/handlebars/compiler"].filter((m) => Object.keys(require.cache).some((f) => f.includes(\`/node_modules/\${m}/\`)));`,
      `  process.stdout.write(loaded.join(" ") || "none");`,
      `});`,
    ].join("\n"),
  );
  const run = (env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [script], { cwd: dir, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: "", ...env } });
  const first = run();
  t.equal(first.status, 0, first.stderr);
  const second = run();
  t.equal(second.status, 0, second.stderr);
  t.equal(second.stdout, "none");
  const off = run({ PROTONKIT_CHECK_CACHE: "off" });
  t.equal(off.stdout, "@cdktf/hcl2json ajv tar handlebars/dist/cjs/handlebars/compiler", "PROTONKIT_CHECK_CACHE=off checks and compiles again");
});
