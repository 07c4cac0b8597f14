// protonkit test's messages (issue 8, defect 8) and the batched runner's file rewriting.
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { main } from "../../src/cli/main";
import { forLaterSpecs, parseTestJson, testRuns, withSpecVariables } from "../../src/terraform/batch";
import { copyFixture } from "./helpers";

async function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(["node", "protonkit", ...args]), out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** A Terraform stand-in: answers `version -json`, and `init` as given. */
function fakeTerraform(dir: string, init: string): string {
  const file = path.join(dir, "terraform");
  fs.writeFileSync(file, `#!/bin/sh\ncase "$1" in\n  version) echo '{"terraform_version":"1.11.4"}' ;;\n  init) ${init} ;;\n  *) exit 0 ;;\nesac\n`, { mode: 0o755 });
  return file;
}

const REGISTRY_ERROR =
  'Error: Failed to query available provider packages\\n\\nCould not retrieve the list of available versions for provider hashicorp/aws: could not connect to registry.terraform.io: failed to request discovery document: Get \\"https://registry.terraform.io/.well-known/terraform.json\\": dial tcp: lookup registry.terraform.io: no such host';

t.test("offline, a registry error from terraform init points at --plugin-dir and PROTONKIT_PLUGIN_DIR", async (t) => {
  const root = t.testdir();
  const fx = copyFixture(path.join(root, "fx"));
  const tf = fakeTerraform(root, `printf '%b\\n' "${REGISTRY_ERROR}" >&2; exit 1`);
  const res = await cli(["test", "--bundles", fx.bundles, "--examples", fx.examples, "--terraform", tf, "--work-dir", path.join(root, "work")], {
    PROTONKIT_PLUGIN_DIR: undefined,
    TF_CLI_CONFIG_FILE: undefined,
  });
  t.equal(res.code, 1);
  t.match(res.err, /could not connect to registry\.terraform\.io/, "Terraform's own words are shown");
  t.match(res.err, /fix: .*terraform init could not reach the provider registry: offline, point --plugin-dir \(or PROTONKIT_PLUGIN_DIR\) at a filesystem mirror/);
});

t.test("a render failure does not send the reader to Terraform output that does not exist", async (t) => {
  const root = t.testdir();
  const fx = copyFixture(path.join(root, "fx"));
  for (const f of fs.readdirSync(path.join(fx.examples, "tiny-env/specs"))) {
    if (f.endsWith(".yaml")) fs.writeFileSync(path.join(fx.examples, "tiny-env/specs", f), "proton: EnvironmentSpec\nspec:\n  no_such_input: 1\n");
  }
  const tf = fakeTerraform(root, "exit 0");
  const res = await cli(["test", "--bundles", fx.bundles, "--examples", fx.examples, "--terraform", tf, "--work-dir", path.join(root, "work")], {
    PROTONKIT_PLUGIN_DIR: undefined,
  });
  t.equal(res.code, 1);
  t.match(res.err, /render failed/);
  t.notMatch(res.err, /read the Terraform output above/);
  t.match(res.err, /fix: fix the spec, context or bundle problems listed above \(rendering failed, so Terraform did not run for them\)/);
});

t.test("a spec's tfvars join a test file's own variables, which win, without moving its lines", async (t) => {
  const text = 'run "a" {\n  command = plan\n}\n\nvariables {\n  environment = { name = "fixed" }\n}\n\nrun "b" {\n  command = apply\n}\n';
  const out = withSpecVariables(text, { environment: { name: "spec" }, proton_tags: { "proton:account": "1" } });
  const lines = out.split("\n");
  t.equal(lines[8], 'run "b" {', "line numbers are kept");
  t.notMatch(out.slice(0, out.indexOf("# Added by protonkit")), /variables \{/, "the file's own block is blanked in place");
  t.match(out, /variables \{\n {2}environment = \{ name = "fixed" \}\n {2}proton_tags = \{\n {4}"proton:account" = "1"\n {2}\}\n\}\n$/);
  t.notMatch(out, /"spec"/, "the file's own value wins");
});

t.test("later specs run the runs that check the spec, and the scenario runs those need; the first spec runs the whole file", async (t) => {
  const file = [
    'run "spec_plan" {\n  command = plan\n}', // checks the spec
    'run "scenario_plan" {\n  command = plan\n  variables {\n    environment = { name = "x" }\n  }\n}', // a plan changes no state
    'run "scenario_feeding_state" {\n  variables {\n    environment = { name = "y" }\n  }\n}', // applies; the spec run below uses its state
    'run "scenario_read" {\n  command = plan\n  variables {\n    environment = { name = "z" }\n  }\n}', // read by a later spec run
    'run "spec_apply" {\n  assert {\n    condition     = run.scenario_read.id != ""\n    error_message = "x"\n  }\n}',
    'run "own_state" {\n  state_key = "other"\n  variables {\n    environment = { name = "w" }\n  }\n}', // applies to a state no spec run uses
    'run "trailing" {\n  variables {\n    environment = { name = "v" }\n  }\n}', // nothing after it
  ].join("\n\n") + "\n";
  t.same(
    testRuns(file).map((r) => [r.name, r.command, r.stateKey, r.ownVariables, r.reads]),
    [
      ["spec_plan", "plan", "", false, []],
      ["scenario_plan", "plan", "", true, []],
      ["scenario_feeding_state", "apply", "", true, []],
      ["scenario_read", "plan", "", true, []],
      ["spec_apply", "apply", "", false, ["scenario_read"]],
      ["own_state", "apply", "other", true, []],
      ["trailing", "apply", "", true, []],
    ],
  );
  const later = forLaterSpecs(file, ["environment", "proton_tags"]);
  t.same(later?.left, ["scenario_plan", "own_state", "trailing"]);
  t.same(testRuns(later!.text).map((r) => r.name), ["spec_plan", "scenario_feeding_state", "scenario_read", "spec_apply"]);
  t.equal(later!.text.split("\n").length, file.split("\n").length, "left-out runs are blanked, so lines keep their numbers");
  t.equal(later!.text.split("\n")[24], 'run "spec_apply" {');

  // A file whose own variables set everything takes nothing from the spec: the first spec's copy is all.
  const fixed = 'variables {\n  environment = { name = "fixed" }\n  proton_tags = {}\n}\n\nrun "a" {}\n\nrun "b" {\n  command = plan\n}\n';
  t.equal(forLaterSpecs(fixed, ["environment", "proton_tags"]), undefined);
  t.same(forLaterSpecs(fixed, ["environment", "proton_tags", "extra"])?.left, [], "a variable left to the spec makes both runs spec checks");
  // A run on another module (a setup helper) always stays.
  t.same(forLaterSpecs('run "setup" {\n  module {\n    source = "./tests/setup"\n  }\n  variables {\n    a = 1\n  }\n}\n', ["environment"])?.left, []);
});

t.test("terraform test -json is read per file and run", async (t) => {
  const json = parseTestJson(
    [
      "not json",
      JSON.stringify({ type: "test_abstract", test_abstract: { "d/a.tftest.hcl": ["x", "y"] } }),
      JSON.stringify({ type: "test_run", test_run: { path: "d/a.tftest.hcl", run: "x", progress: "complete", status: "pass" } }),
      JSON.stringify({ type: "diagnostic", diagnostic: { severity: "error", summary: "Unsupported argument", range: { filename: "main.tf", start: { line: 3 } } } }),
    ].join("\n"),
  );
  t.same([...(json.files.get("a.tftest.hcl")?.runs ?? [])], [
    ["x", "pass"],
    ["y", "pending"],
  ]);
  t.same(json.general, ["Error: Unsupported argument\n  on main.tf line 3"]);
});
