import * as fs from "node:fs";
import * as path from "node:path";
import t, { type Test as Tap } from "tap";
import { RecordsStore, readRecords } from "../../src/platform/records-store";
import { stripHeader } from "../../src/platform/adopt";
import { protonJson } from "../../src/render/proton-json";
import { spawnSync } from "node:child_process";
import { startFakeS3 } from "../provision/s3-fake";
import { CONFIG, cli as runProtonkit, makeRepo } from "../provision/helpers";
import { ENV_FILE, SERVICE_FILE, cli, commitAll, initRepo, initialCatalog, platformConfig, publish, tmpDir, writeFiles, snapshot } from "./fixture";

const NOW = "2026-11-30T12:00:00Z";
const PROTON_HEADER = (arn: string): string => `/*\nThis file is managed by AWS Proton. Any changes made directly to this file will be overwritten the next time AWS Proton performs an update.\n\nTo manage this resource, see AWS Proton Resource: ${arn}\n\nIf the resource is no longer accessible within AWS Proton, it may have been deleted and may require manual cleanup.\n*/\n`;


/** Makes a rendered tree look as Proton wrote it: Proton's headers, Proton's JSON bytes. */
function asProton(from: string, to: string, dirs: readonly string[]): void {
  for (const dir of dirs) {
    const src = path.join(from, dir);
    const meta = JSON.parse(fs.readFileSync(path.join(src, ".proton/deployment-metadata.json"), "utf8"));
    const arn = meta.resourceMetadata?.arn ?? meta.componentMetadata?.arn;
    for (const name of fs.readdirSync(src)) {
      const file = path.join(src, name);
      if (!fs.statSync(file).isFile()) continue;
      let content = fs.readFileSync(file, "utf8");
      if (name.endsWith(".tf")) content = PROTON_HEADER(arn) + stripHeader(content);
      if (name === "proton.auto.tfvars.json") content = protonJson(JSON.parse(content));
      writeFiles(path.join(to, dir), { [name]: content });
    }
    writeFiles(path.join(to, dir), { ".proton/deployment-metadata.json": protonJson({ ...meta, deploymentId: "1c7d0e65-6f3a-4b9c-8a55-0f1e2d3c4b5a" }) });
  }
}

const SERVICE_WITH_COMPONENT = SERVICE_FILE.replace("spec:\n  proton: ServiceSpec", "components:\n  cache: { instance: orders-a, template: cache, version: \"1\" }\nspec:\n  proton: ServiceSpec");

/** Renders a platform with protonkit, dresses it as Proton, adopts it and re-renders: both trees. */
async function adoptRoundTrip(t: Tap): Promise<{ proton: string; adopted: string; dirs: string[]; catalog: string }> {
  const root = tmpDir(t);
  process.env.PROTONKIT_CACHE_DIR = path.join(root, "cache");
  const catalog = path.join(root, "catalog");
  initRepo(catalog);
  publish(catalog, initialCatalog(), "catalog v1");

  // The original platform, applied: outputs recorded, rendered.
  const original = path.join(root, "original");
  initRepo(original);
  writeFiles(original, { ".protonkit/platform.yaml": platformConfig(catalog), "platform/environments/prod.yaml": ENV_FILE, "platform/services/orders.yaml": SERVICE_WITH_COMPONENT });
  commitAll(original, "desired state");
  const ok = (dir: string, outputs: Record<string, string>) => ({ v: 1, resource: dir, kind: (dir.includes("/components/") ? "component" : dir.endsWith("/pipeline") ? "pipeline" : dir.includes("/") ? "service-instance" : "environment") as "environment", arn: "arn", deploymentId: "d", status: "SUCCEEDED" as const, at: NOW, outputs });
  await new RecordsStore({ repo: original }).append([
    ok("prod", { vpc_id: "vpc-0abc" }),
    ok("prod/components/cache", { endpoint: "cache.orders-a" }),
    ok("prod/orders-orders-a", { url: "http://orders-a:8080" }),
    ok("prod/orders-orders-b", { url: "http://orders-b:80" }),
  ]);
  const rendered = await cli(original, ["platform", "render"]);
  t.equal(rendered.code, 0, rendered.err);
  const dirs = ["prod", "prod/components/cache", "prod/orders-orders-a", "prod/orders-orders-b", "orders/pipeline"];
  for (const d of dirs) t.ok(fs.existsSync(path.join(original, d, ".proton/deployment-metadata.json")), `${d} rendered`);

  // What Proton would have committed.
  const proton = path.join(root, "proton");
  asProton(original, proton, dirs);

  // Adopt into a fresh platform repository.
  const adopted = path.join(root, "adopted");
  initRepo(adopted);
  writeFiles(adopted, { ".protonkit/platform.yaml": platformConfig(catalog) });
  const res = await cli(adopted, ["platform", "adopt", "--repo", proton, "--bundles", path.join(catalog, "proton-bundles"), "--out", ".", "--now", NOW]);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /wrote platform\/environments\/prod\.yaml/);
  t.match(res.out, /wrote platform\/services\/orders\.yaml/);
  t.match(res.out, /which inputs were set explicitly is not recoverable/);
  t.match(res.out, /service orders: the owning team is not in the files/);
  t.match(res.out, /account_id: "123456789012", region: eu-west-1/);
  const svc = fs.readFileSync(path.join(adopted, "platform/services/orders.yaml"), "utf8");
  t.match(svc, /repository:\n {2}id: acme\/orders\n {2}branch: main/);
  t.match(svc, /components:\n {2}cache:\n {4}instance: orders-a\n {4}template: cache\n {4}version: "1.0"/);
  t.match(svc, /size: small/, "defaults Proton wrote are written explicitly");
  const state = readRecords(adopted);
  t.same(state.resources.get("prod")?.outputs, { vpc_id: "vpc-0abc" }, "environment outputs recovered from what its instances were handed");
  t.same(state.resources.get("prod/orders-orders-a")?.outputs, { url: "http://orders-a:8080" }, "instance outputs recovered from the pipeline");
  t.same(state.resources.get("prod/components/cache")?.outputs, { endpoint: "cache.orders-a" }, "component outputs recovered from its instance");

  const again = await cli(adopted, ["platform", "render"]);
  t.equal(again.code, 0, again.err);
  return { proton, adopted, dirs, catalog };
}

t.test("adopt a repository rendered by protonkit with Proton's headers: re-rendering gives the same Terraform", async (t) => {
  const { proton, adopted, dirs, catalog } = await adoptRoundTrip(t);
  // The re-render of the adopted desired state against what Proton wrote.
  const a = snapshot(adopted);
  const p = snapshot(proton);
  for (const d of dirs) {
    const names = Object.keys(p).filter((f) => f.startsWith(`${d}/`) && !f.slice(d.length + 1).includes("/"));
    t.ok(names.length >= 3, `${d}: files`);
    for (const f of names) {
      if (f.endsWith(".tf")) t.equal(stripHeader(a[f]), stripHeader(p[f]), `${f}: identical apart from the header`);
      else if (f.endsWith("proton.auto.tfvars.json")) {
        t.equal(a[f], p[f], `${f}: byte-identical`);
      }
    }
    t.same(Object.keys(a).filter((f) => f.startsWith(`${d}/`) && !f.slice(d.length + 1).includes("/") && f.endsWith(".tf")).sort(), names.filter((f) => f.endsWith(".tf")).sort(), `${d}: the same .tf files`);
  }
  // Adopting again refuses to overwrite, writing nothing.
  const twice = await cli(adopted, ["platform", "adopt", "--repo", proton, "--bundles", path.join(catalog, "proton-bundles"), "--out", "."]);
  t.equal(twice.code, 1);
  t.match(twice.err, /platform\/environments\/prod\.yaml: already exists/);
});

t.test("adopt what Proton really wrote: 2022 map(string) inputs, a name-only service, no proton_tags, deleted resources", async (t) => {
  const root = tmpDir(t);
  const catalog = path.join(root, "catalog");
  initRepo(catalog);
  publish(catalog, initialCatalog(), "catalog v1");
  const P = "arn:aws:proton:us-east-1:123456789012";
  const meta = (arn: string, template: string, extra: Record<string, unknown> = {}, id = "5f1b8a0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b", deleted = false) =>
    protonJson({ deploymentId: id, isResourceDeleted: deleted, resourceMetadata: { arn, templateArn: `${P}:${template}`, templateMajorVersion: "1", templateMinorVersion: "0", ...extra } });
  const proton = path.join(root, "proton");
  const VARS_2022_ENV = `variable "environment" {\n  type = object({\n    inputs = map(string)\n    name   = string\n  })\n  default = null\n}\n`;
  const VARS_2022_INST = `variable "environment" {\n  type = object({\n    account_id = string\n    name       = string\n    outputs    = map(string)\n  })\n  default = null\n}\n\nvariable "service" {\n  type = object({\n    name = string\n  })\n}\n\nvariable "service_instance" {\n  type = object({\n    name       = string\n    inputs     = map(string)\n    components = map(any)\n  })\n  default = null\n}\n`;
  const web = initialCatalog().files["web/v1/instance_infrastructure/main.tf"];
  const env = initialCatalog().files["env/v1/infrastructure/main.tf"];
  writeFiles(proton, {
    // An environment without proton_tags (seen in 2024), 2022 variables.
    "dev/main.tf": PROTON_HEADER(`${P}:environment/dev`) + env,
    "dev/proton.environment.variables.tf": PROTON_HEADER(`${P}:environment/dev`) + VARS_2022_ENV,
    "dev/proton.auto.tfvars.json": protonJson({ environment: { name: "dev", inputs: { cidr: "10.9.0.0/16" } }, "//": `${P}:environment/dev` }),
    "dev/.proton/deployment-metadata.json": meta(`${P}:environment/dev`, "environment-template/env"),
    // A 2022 instance: inputs = map(string), a service object with only name.
    "dev/shop-web/main.tf": PROTON_HEADER(`${P}:service/shop/service-instance/web`) + web,
    "dev/shop-web/proton.service_instance.variables.tf": PROTON_HEADER(`${P}:service/shop/service-instance/web`) + VARS_2022_INST,
    "dev/shop-web/proton.auto.tfvars.json": protonJson({
      environment: { account_id: "123456789012", name: "dev", outputs: { vpc_id: "vpc-dev" } },
      service: { name: "shop" },
      service_instance: { name: "web", inputs: { port: "8080", size: "small" }, components: {} },
      "//": `${P}:service/shop/service-instance/web`,
    }),
    "dev/shop-web/.proton/deployment-metadata.json": meta(`${P}:service/shop/service-instance/web`, "service-template/web", { environmentArn: `${P}:environment/dev` }),
    // Deleted in Proton (2023 on): <proton-resource-deleted>.
    "dev/shop-old/main.tf": `/* deleted */\n${web}`,
    "dev/shop-old/proton.auto.tfvars.json": protonJson({ environment: { account_id: "123456789012", name: "dev", outputs: { vpc_id: "vpc-dev" } }, service: { name: "shop" }, service_instance: { name: "old", inputs: {}, components: {} } }),
    "dev/shop-old/.proton/deployment-metadata.json": meta(`${P}:service/shop/service-instance/old`, "service-template/web", { environmentArn: `${P}:environment/dev` }, "<proton-resource-deleted>", true),
  });
  const adopted = path.join(root, "adopted");
  initRepo(adopted);
  const res = await cli(adopted, ["platform", "adopt", "--repo", proton, "--bundles", path.join(catalog, "proton-bundles"), "--out", ".", "--now", NOW]);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /dev: declares inputs = map\(string\) \(2022\): kept as Proton wrote it/);
  t.match(res.out, /dev\/shop-web: var\.service has only name \(2022\): kept so/);
  t.match(res.out, /dev: proton\.auto\.tfvars\.json has no proton_tags: kept without them/);
  t.match(res.out, /dev\/shop-old: deleted in Proton \(isResourceDeleted\)/);
  t.match(res.out, /service shop: the source repository .* is not in the files: repository: is written as unknown\/shop/);
  t.match(res.out, /dev\/shop-web: input port was written as the string "8080" \(inputs = map\(string\)\); the spec says 8080/);
  const svc = fs.readFileSync(path.join(adopted, "platform/services/shop.yaml"), "utf8");
  t.match(svc, /port: 8080\n/, "typed by the schema");
  t.notMatch(svc, /name: old/, "a deleted instance is not desired");
  t.match(svc, /id: unknown\/shop/);
  const state = readRecords(adopted);
  t.same(state.resources.get("dev")?.outputs, { vpc_id: "vpc-dev" });
  t.equal(state.resources.get("dev/shop-web")?.deployments[0].deploymentId, "5f1b8a0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b");
  t.equal(state.resources.get("dev/shop-web")?.deployments[0].templateVersion, "web:1.0");

  // Not a git repository: refused, nothing written.
  const plain = path.join(root, "plain");
  fs.mkdirSync(plain);
  const bad = await cli(plain, ["platform", "adopt", "--repo", proton, "--bundles", path.join(catalog, "proton-bundles"), "--out", "."]);
  t.equal(bad.code, 1);
  t.match(bad.err, /--out: \. is not a git repository/);
  t.same(fs.readdirSync(plain), []);
});

const terraformAvailable = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

/** Replaces a resource directory's own files (not the resources nested in it) with another tree's. */
function replaceResource(from: string, to: string, dir: string): void {
  const src = path.join(from, dir);
  const dst = path.join(to, dir);
  for (const name of fs.readdirSync(dst)) if (fs.statSync(path.join(dst, name)).isFile()) fs.rmSync(path.join(dst, name));
  fs.rmSync(path.join(dst, ".proton"), { recursive: true, force: true });
  for (const name of fs.readdirSync(src)) if (fs.statSync(path.join(src, name)).isFile()) fs.copyFileSync(path.join(src, name), path.join(dst, name));
  fs.cpSync(path.join(src, ".proton"), path.join(dst, ".proton"), { recursive: true });
}

t.test("switching to the adopted render: terraform plan against the applied state shows no changes", { skip: terraformAvailable ? false : "terraform not on PATH" }, async (t) => {
  const { proton, adopted, dirs } = await adoptRoundTrip(t);
  const s3 = await startFakeS3();
  t.teardown(() => s3.close());
  // Proton's repository, applied with real Terraform into the loopback S3, in dependency order.
  const repo = makeRepo(path.join(path.dirname(proton), "provisioning"), CONFIG.replace("    lock_table: tf-locks\n", "").replace("reporting: proton", "reporting: none"));
  for (const d of dirs) fs.cpSync(path.join(proton, d), path.join(repo, d), { recursive: true });
  commitAll(repo, "what Proton wrote");
  const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "fake", PROTONKIT_S3_ENDPOINT: s3.endpoint, RUNNER_TEMP: path.join(repo, "..", "runner") };
  for (const d of ["prod", "prod/components/cache", "prod/orders-orders-a", "prod/orders-orders-b", "orders/pipeline"]) {
    const applied = await runProtonkit(["provision", "apply", "--dir", d, "--repo", repo], env);
    t.equal(applied.code, 0, `${d} applied: ${applied.stderr.slice(-800)}`);
  }
  t.equal([...s3.objects.keys()].filter((k) => k.endsWith(".tfstate")).length, dirs.length, "one state per resource");
  // Switch: the adopted render replaces Proton's files; every plan is empty.
  for (const d of dirs) replaceResource(adopted, repo, d);
  commitAll(repo, "switch to the platform render");
  const summary = path.join(repo, "..", "plan.md");
  const planned = await runProtonkit(["provision", "plan", ...dirs.flatMap((d) => ["--dir", d]), "--repo", repo, "--no-comment", "--comment-file", summary], env);
  t.equal(planned.code, 0, planned.stderr.slice(-1500));
  const text = fs.readFileSync(summary, "utf8");
  if (process.env.PROTONKIT_DEBUG_PLAN) fs.writeFileSync(process.env.PROTONKIT_DEBUG_PLAN, text);
  for (const d of dirs) t.match(text, new RegExp(`${d.replace(/\//g, "\\/")}[\\s\\S]*?(No changes|0 to add, 0 to change, 0 to destroy)`), `${d}: no changes`);
  t.notMatch(text, /[1-9]\d* to (add|change|destroy)/, "nothing to add, change or destroy anywhere");
});

t.test("what Proton really wrote, adopted in place: 2022 variables and tfvars without proton_tags are kept, and terraform plan shows no changes", { skip: terraformAvailable ? false : "terraform not on PATH" }, async (t) => {
  const root = tmpDir(t);
  process.env.PROTONKIT_CACHE_DIR = path.join(root, "cache");
  const catalog = path.join(root, "catalog");
  initRepo(catalog);
  const state = initialCatalog();
  // An environment template that tags with var.proton_tags: adding tags would show in the plan.
  for (const [k, v] of Object.entries(state.files)) if (k.startsWith("env/v1/schema/") || k.endsWith("env/v1/infrastructure/manifest.yaml")) state.files[k.replace(/^env\//, "tagenv/")] = v;
  state.files["tagenv/v1/infrastructure/main.tf"] = `resource "terraform_data" "tags" {\n  input = var.proton_tags\n}\n\noutput "vpc_id" {\n  value = "vpc-\${var.environment.inputs.cidr}"\n}\n`;
  state.minors["tagenv/1"] = 0;
  publish(catalog, state, "catalog v1");
  const P = "arn:aws:proton:us-east-1:123456789012";
  const meta = (arn: string, template: string, extra: Record<string, string> = {}) =>
    protonJson({ deploymentId: "5f1b8a0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b", isResourceDeleted: false, resourceMetadata: { arn, templateArn: `${P}:${template}`, templateMajorVersion: "1", templateMinorVersion: "0", ...extra } });
  const VARS_2022_ENV = `variable "environment" {\n  type = object({\n    inputs = map(string)\n    name   = string\n  })\n  default = null\n}\n`;
  const VARS_ENV_2024 = `variable "environment" {\n  type = object({\n    inputs = any\n    name   = string\n  })\n  default = null\n}\n\nvariable "proton_tags" {\n  type    = map(string)\n  default = null\n}\n`;
  const VARS_2022_INST = `variable "environment" {\n  type = object({\n    account_id = string\n    name       = string\n    outputs    = map(string)\n  })\n  default = null\n}\n\nvariable "service" {\n  type = object({\n    name = string\n  })\n}\n\nvariable "service_instance" {\n  type = object({\n    name       = string\n    inputs     = map(string)\n    components = map(any)\n  })\n  default = null\n}\n`;
  const proton: Record<string, string> = {
    "edge/main.tf": PROTON_HEADER(`${P}:environment/edge`) + state.files["tagenv/v1/infrastructure/main.tf"],
    "edge/proton.environment.variables.tf": PROTON_HEADER(`${P}:environment/edge`) + VARS_ENV_2024,
    "edge/proton.auto.tfvars.json": protonJson({ environment: { name: "edge", inputs: { cidr: "10.8.0.0/16" } }, "//": `${P}:environment/edge` }),
    "edge/.proton/deployment-metadata.json": meta(`${P}:environment/edge`, "environment-template/tagenv"),
    "dev/main.tf": PROTON_HEADER(`${P}:environment/dev`) + state.files["env/v1/infrastructure/main.tf"],
    "dev/proton.environment.variables.tf": PROTON_HEADER(`${P}:environment/dev`) + VARS_2022_ENV,
    "dev/proton.auto.tfvars.json": protonJson({ environment: { name: "dev", inputs: { cidr: "10.9.0.0/16" } }, "//": `${P}:environment/dev` }),
    "dev/.proton/deployment-metadata.json": meta(`${P}:environment/dev`, "environment-template/env"),
    "dev/shop-web/main.tf": PROTON_HEADER(`${P}:service/shop/service-instance/web`) + state.files["web/v1/instance_infrastructure/main.tf"],
    "dev/shop-web/proton.service_instance.variables.tf": PROTON_HEADER(`${P}:service/shop/service-instance/web`) + VARS_2022_INST,
    "dev/shop-web/proton.auto.tfvars.json": protonJson({
      environment: { account_id: "123456789012", name: "dev", outputs: { vpc_id: "vpc-dev" } },
      service: { name: "shop" },
      service_instance: { name: "web", inputs: { port: "8080", size: "small" }, components: {} },
      "//": `${P}:service/shop/service-instance/web`,
    }),
    "dev/shop-web/.proton/deployment-metadata.json": meta(`${P}:service/shop/service-instance/web`, "service-template/web", { environmentArn: `${P}:environment/dev` }),
  };
  const repo = makeRepo(path.join(root, "provisioning"), CONFIG.replace("    lock_table: tf-locks\n", "").replace("reporting: proton", "reporting: none"));
  writeFiles(repo, proton);
  commitAll(repo, "what Proton wrote");
  const s3 = await startFakeS3();
  t.teardown(() => s3.close());
  const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "fake", PROTONKIT_S3_ENDPOINT: s3.endpoint, RUNNER_TEMP: path.join(root, "runner") };
  const dirs = ["dev", "dev/shop-web", "edge"];
  for (const d of ["edge", "dev", "dev/shop-web"]) {
    const applied = await runProtonkit(["provision", "apply", "--dir", d, "--repo", repo], env);
    t.equal(applied.code, 0, `${d} applied: ${applied.stderr.slice(-800)}`);
  }

  // Adopt in place, verify, switch.
  const migrated = await cli(repo, ["platform", "migrate-config", "--catalog-repository", catalog, "--account-id", "123456789012", "--region", "us-east-1"]);
  t.equal(migrated.code, 0, migrated.err);
  const adopted = await cli(repo, ["platform", "adopt", "--repo", ".", "--bundles", path.join(catalog, "proton-bundles"), "--out", ".", "--now", NOW]);
  t.equal(adopted.code, 0, adopted.err);
  commitAll(repo, "adopt");
  const rendered = await cli(repo, ["platform", "render"]);
  t.equal(rendered.code, 0, rendered.err);
  for (const d of dirs) {
    for (const name of fs.readdirSync(path.join(repo, d)).filter((n) => n.endsWith(".tf"))) {
      t.equal(stripHeader(fs.readFileSync(path.join(repo, d, name), "utf8")), stripHeader(proton[`${d}/${name}`]), `${d}/${name}: Proton's file kept, apart from the header`);
    }
    t.equal(fs.readFileSync(path.join(repo, d, "proton.auto.tfvars.json"), "utf8"), proton[`${d}/proton.auto.tfvars.json`], `${d}: tfvars byte-identical`);
  }
  commitAll(repo, "platform render");
  const summary = path.join(root, "plan.md");
  const planned = await runProtonkit(["provision", "plan", ...dirs.flatMap((d) => ["--dir", d]), "--repo", repo, "--no-comment", "--comment-file", summary], env);
  t.equal(planned.code, 0, planned.stderr.slice(-1500));
  const text = fs.readFileSync(summary, "utf8");
  t.equal((text.match(/0 to add, 0 to change, 0 to destroy/g) ?? []).length, dirs.length, "every resource: no changes");
  t.notMatch(text, /[1-9]\d* to (add|change|destroy)/);
});
