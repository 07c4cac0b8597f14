import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { loadContextFile, render } from "../../src/render";
import { initArgs, runTerraform, terraformEnv, terraformSettings } from "../../src/terraform/cli";
import { SharedProviders } from "../../src/terraform/provider-server";
import { ROOT, SPECS, bundle, tmpDir } from "./fixtures/helpers";

process.chdir(ROOT);

// Offline only: providers come from the filesystem mirror. Without it these tests cannot run.
const skip = process.env.PROTONKIT_PLUGIN_DIR
  ? false
  : "PROTONKIT_PLUGIN_DIR is unset: export it to a filesystem mirror holding hashicorp/aws (e.g. /opt/tf-plugins) to run Terraform offline";
if (skip) t.comment(skip);

// One AWS provider process for every validate and console below (as protonkit test shares it):
// neither configures the provider, and most of a validate's CPU is starting the provider.
const providers = new SharedProviders(terraformEnv(terraformSettings()));
t.teardown(() => providers.stopAll());
async function withSharedProvider(env: NodeJS.ProcessEnv, initialized: string): Promise<NodeJS.ProcessEnv> {
  const reattach = await providers.reattachFor(initialized, ["aws"]);
  return reattach ? { ...env, TF_REATTACH_PROVIDERS: reattach } : env;
}

t.test("terraform validate accepts every rendered directory of the hand-written bundles", { skip }, async (t) => {
  const settings = terraformSettings();
  const context = loadContextFile(path.join(SPECS, "context.yaml"));
  const out = path.join(tmpDir(), "repo");
  const rendered = [
    ...render({ bundleDir: bundle("pizza-env"), specFile: path.join(SPECS, "env-prod.yaml"), name: "prod", outDir: out, context }),
    ...render({ bundleDir: bundle("pizza-svc"), specFile: path.join(SPECS, "service-api.yaml"), name: "api", outDir: out, context }),
    ...render({ bundleDir: bundle("pizza-alarm"), specFile: path.join(SPECS, "service-api.yaml"), name: "api", outDir: out, context }),
  ];
  t.same(rendered.map((r) => r.kind), ["environment", "service_instance", "service_instance", "pipeline", "component"]);
  // Each working directory gets its own data dir, so the environment's .terraform does not
  // sit next to its instances' directories and parallel inits do not share state.
  const env = terraformEnv(settings);
  const results = await Promise.all(
    rendered.map(async (r) => {
      const runEnv = { ...env, TF_DATA_DIR: path.join(tmpDir("protonkit-tfdata-"), ".terraform") };
      const init = await runTerraform(settings, initArgs(settings, ["-backend=false"]), { cwd: r.dir, env: runEnv });
      const validateEnv = await withSharedProvider(runEnv, path.dirname(runEnv.TF_DATA_DIR));
      const validate = init.code === 0 ? await runTerraform(settings, ["validate", "-no-color"], { cwd: r.dir, env: validateEnv }) : undefined;
      return { r, init, validate };
    }),
  );
  for (const { r, init, validate } of results) {
    t.equal(init.code, 0, `${r.relativeDir}: terraform init -backend=false`, { stderr: init.stderr });
    t.equal(validate?.code, 0, `${r.relativeDir}: terraform validate`, { output: `${validate?.stdout ?? ""}${validate?.stderr ?? ""}` });
    t.match(validate?.stdout ?? "", /The configuration is valid/);
  }
});

t.test("the rendered values satisfy the declared variable types", { skip }, async (t) => {
  // validate does not read values; console does. The backend block is dropped from a copy
  // because console needs an initialized backend and nothing here may reach S3.
  const settings = terraformSettings();
  const context = loadContextFile(path.join(SPECS, "context.yaml"));
  const out = path.join(tmpDir(), "repo");
  const rendered = [
    ...render({ bundleDir: bundle("pizza-env"), specFile: path.join(SPECS, "env-prod.yaml"), name: "prod", outDir: out, context }),
    ...render({ bundleDir: bundle("pizza-svc"), specFile: path.join(SPECS, "service-api.yaml"), name: "api", outDir: out, context }),
    ...render({ bundleDir: bundle("pizza-alarm"), specFile: path.join(SPECS, "service-api.yaml"), name: "api", outDir: out, context }),
  ];
  const variables: Record<string, string[]> = {
    environment: ["environment", "proton_tags"],
    service_instance: ["environment", "service", "service_instance", "proton_tags"],
    pipeline: ["service_instances", "service", "pipeline", "proton_tags"],
    component: ["component", "environment", "service", "service_instance", "proton_tags"],
  };
  const env = terraformEnv(settings);
  const results = await Promise.all(
    rendered.map(async (r) => {
      const copy = path.join(tmpDir("protonkit-console-"), "dir");
      fs.cpSync(r.dir, copy, { recursive: true, filter: (src) => path.dirname(src) === r.dir || src === r.dir || src.startsWith(path.join(r.dir, ".proton")) });
      for (const f of fs.readdirSync(copy).filter((f) => f.endsWith(".tf"))) {
        const file = path.join(copy, f);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/backend "s3" \{\}/, ""));
      }
      const init = await runTerraform(settings, initArgs(settings), { cwd: copy, env });
      const expr = `jsonencode([${variables[r.kind].map((v) => `var.${v}`).join(", ")}])`;
      const consoleRun = await runTerraform(settings, ["console", "-no-color"], { cwd: copy, env: await withSharedProvider(env, copy), input: `${expr}\n` });
      return { r, init, consoleRun };
    }),
  );
  for (const { r, init, consoleRun } of results) {
    t.equal(init.code, 0, `${r.relativeDir}: init`, { stderr: init.stderr });
    t.equal(consoleRun.code, 0, `${r.relativeDir}: terraform console reads every variable`, { stderr: consoleRun.stderr });
    t.notMatch(consoleRun.stderr, /Error/, `${r.relativeDir}: no type error`);
  }
});
