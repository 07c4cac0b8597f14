import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { DELETED_DEPLOYMENT_ID, loadContextFile, readBundle, render, renderedHeader, deletedHeader } from "../../src/render";
import type { DeploymentContext } from "../../src/render";
import { BUNDLES, ROOT, SPECS, brokenBundle, bundle, readTree, runCli, tmpDir } from "./fixtures/helpers";

process.chdir(ROOT);

const ENV_SPEC = path.join(SPECS, "env-prod.yaml");
const SVC_SPEC = path.join(SPECS, "service-api.yaml");
const CONTEXT: DeploymentContext = loadContextFile(path.join(SPECS, "context.yaml"));
const P = "arn:aws:proton:eu-west-1:123456789012";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const json = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;

const VARIABLES_ENVIRONMENT = `variable "environment" {
  type = object({
    inputs = any
    name   = string
  })
  default = null
}

variable "proton_tags" {
  type    = map(string)
  default = null
}
`;

const VARIABLES_SERVICE_INSTANCE = `variable "environment" {
  type = object({
    account_id = string
    name       = string
    outputs    = map(string)
  })
  default = null
}

variable "service" {
  type = object({
    name                      = string
    branch_name               = string
    repository_connection_arn = string
    repository_id             = string
  })
}

variable "service_instance" {
  type = object({
    name       = string
    inputs     = any
    components = map(any)
  })
  default = null
}

variable "proton_tags" {
  type    = map(string)
  default = null
}
`;

const PROD_OUTPUTS = {
  cluster_arn: "arn:aws:ecs:eu-west-1:210987654321:cluster/pizza-prod",
  cluster_name: "pizza-prod",
  ingress_security_group_id: "sg-0123",
  private_subnet_ids: "subnet-1,subnet-2,subnet-3",
  vpc_id: "vpc-0a1b2c3d",
};
const SERVICE = {
  name: "api",
  repository_connection_arn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/abc",
  repository_id: "pizza/api",
  branch_name: "main",
};
const WEB_PROD_INPUTS = { cpu: 256, desired_count: 3, extra_tags: ["menu", "orders"], health_path: "/", image: "ghcr.io/pizza/api:1.4.2", port: 8080, public: true };

t.test("environment: directory, files and every field of the contract", async (t) => {
  const out = path.join(tmpDir(), "repo");
  const rendered = render({ bundleDir: bundle("pizza-env"), specFile: ENV_SPEC, name: "prod", outDir: out, context: CONTEXT });
  t.same(rendered, [{ kind: "environment", name: "prod", dir: path.join(out, "prod"), relativeDir: "prod" }]);
  const dir = path.join(out, "prod");
  t.same(Object.keys(readTree(dir)), [".proton/deployment-metadata.json", "main.tf", "outputs.tf", "proton.auto.tfvars.json", "proton.environment.variables.tf"]);

  const arn = `${P}:environment/prod`;
  const header = renderedHeader("pizza-env:1.2", arn);
  t.equal(header, `/* Rendered by protonkit from pizza-env:1.2 for ${arn}. Changes here are overwritten by the next deployment. */`);
  t.notMatch(header, /Proton(?!kit)/, "the header does not claim to be Proton");
  const source = fs.readFileSync(path.join(bundle("pizza-env"), "infrastructure", "main.tf"), "utf8");
  t.equal(fs.readFileSync(path.join(dir, "main.tf"), "utf8"), `${header}\n${source}`, "template file = header + the bundle's file");
  t.equal(fs.readFileSync(path.join(dir, "proton.environment.variables.tf"), "utf8"), `${header}\n${VARIABLES_ENVIRONMENT}`);

  t.equal(
    fs.readFileSync(path.join(dir, "proton.auto.tfvars.json"), "utf8"),
    [
      "{",
      '  "environment" : {',
      '    "name" : "prod",',
      '    "inputs" : {',
      '      "allowed_cidrs" : [ "0.0.0.0/0" ],',
      '      "az_count" : 3,',
      '      "cluster_name" : "pizza-prod",',
      '      "enable_nat" : true,',
      '      "log_retention_days" : 30,',
      '      "tier" : "prod",',
      '      "vpc_cidr" : "10.0.0.0/16"',
      "    }",
      "  },",
      '  "proton_tags" : {',
      '    "proton:account" : "123456789012",',
      `    "proton:template" : "${P}:environment-template/pizza-env",`,
      `    "proton:environment" : "${arn}"`,
      "  },",
      `  "//" : "${arn}"`,
      "}",
    ].join("\n"),
    "Proton's bytes: two-space indent, space both sides of the colon, arrays on one line, no final newline",
  );
  const tfvars = json(path.join(dir, "proton.auto.tfvars.json"));
  t.same(Object.keys(tfvars), ["environment", "proton_tags", "//"], "key order");
  t.same(tfvars.environment, {
    name: "prod",
    inputs: { allowed_cidrs: ["0.0.0.0/0"], az_count: 3, cluster_name: "pizza-prod", enable_nat: true, log_retention_days: 30, tier: "prod", vpc_cidr: "10.0.0.0/16" },
  });
  t.same(Object.keys((tfvars.environment as { inputs: object }).inputs), ["allowed_cidrs", "az_count", "cluster_name", "enable_nat", "log_retention_days", "tier", "vpc_cidr"], "inputs sorted");
  t.same(tfvars.proton_tags, {
    "proton:account": "123456789012",
    "proton:template": `${P}:environment-template/pizza-env`,
    "proton:environment": arn,
  });
  t.equal(tfvars["//"], arn);

  const meta = json(path.join(dir, ".proton", "deployment-metadata.json"));
  t.same(Object.keys(meta), ["deploymentId", "isResourceDeleted", "resourceMetadata"]);
  t.match(meta.deploymentId, UUID);
  t.equal(meta.isResourceDeleted, false);
  t.same(meta.resourceMetadata, {
    arn,
    templateArn: `${P}:environment-template/pizza-env`,
    templateMajorVersion: "1",
    templateMinorVersion: "2",
  });
});

t.test("service: instances, components attached, pipeline", async (t) => {
  const out = path.join(tmpDir(), "repo");
  const rendered = render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT });
  t.same(
    rendered.map((r) => [r.kind, r.name, r.relativeDir, r.dir]),
    [
      ["service_instance", "web-prod", "prod/api-web-prod", path.join(out, "prod", "api-web-prod")],
      ["service_instance", "web-test", "test/api-web-test", path.join(out, "test", "api-web-test")],
      ["pipeline", "api", "api/pipeline", path.join(out, "api", "pipeline")],
    ],
  );
  const prod = path.join(out, "prod", "api-web-prod");
  t.same(Object.keys(readTree(prod)), [".proton/deployment-metadata.json", "main.tf", "outputs.tf", "proton.auto.tfvars.json", "proton.service_instance.variables.tf"]);
  const arn = `${P}:service/api/service-instance/web-prod`;
  const header = renderedHeader("pizza-svc:1.0", arn);
  t.equal(fs.readFileSync(path.join(prod, "proton.service_instance.variables.tf"), "utf8"), `${header}\n${VARIABLES_SERVICE_INSTANCE}`);
  t.equal(fs.readFileSync(path.join(prod, "outputs.tf"), "utf8").split("\n")[0], header);

  const tfvars = json(path.join(prod, "proton.auto.tfvars.json"));
  t.same(Object.keys(tfvars), ["environment", "service", "service_instance", "proton_tags", "//"]);
  t.same(tfvars.environment, { account_id: "210987654321", name: "prod", outputs: PROD_OUTPUTS }, "the environment's own account");
  t.same(Object.keys(tfvars.service as object), ["name", "repository_connection_arn", "repository_id", "branch_name"]);
  t.same(tfvars.service, SERVICE);
  t.same(tfvars.service_instance, {
    name: "web-prod",
    inputs: WEB_PROD_INPUTS,
    components: { default: { name: "api-alarms", outputs: { topic_arn: "arn:aws:sns:eu-west-1:210987654321:web-prod-api-alarms" } } },
  });
  t.same(Object.keys(tfvars.service_instance as object), ["name", "inputs", "components"]);
  t.same(tfvars.proton_tags, {
    "proton:account": "123456789012",
    "proton:template": `${P}:service-template/pizza-svc`,
    "proton:environment": `${P}:environment/prod`,
    "proton:service": `${P}:service/api`,
    "proton:service-instance": arn,
  });
  t.equal(tfvars["//"], arn);
  const metaText = fs.readFileSync(path.join(prod, ".proton", "deployment-metadata.json"), "utf8");
  const meta = JSON.parse(metaText) as Record<string, unknown>;
  t.equal(
    metaText,
    [
      "{",
      `  "deploymentId" : "${String(meta.deploymentId)}",`,
      '  "isResourceDeleted" : false,',
      '  "resourceMetadata" : {',
      `    "arn" : "${arn}",`,
      `    "templateArn" : "${P}:service-template/pizza-svc",`,
      '    "templateMajorVersion" : "1",',
      '    "templateMinorVersion" : "0",',
      `    "environmentArn" : "${P}:environment/prod"`,
      "  }",
      "}",
    ].join("\n"),
    "metadata in Proton's bytes and key order",
  );
  t.same(meta.resourceMetadata, {
    arn,
    templateArn: `${P}:service-template/pizza-svc`,
    templateMajorVersion: "1",
    templateMinorVersion: "0",
    environmentArn: `${P}:environment/prod`,
  });

  const testText = fs.readFileSync(path.join(out, "test", "api-web-test", "proton.auto.tfvars.json"), "utf8");
  t.match(testText, /\n {4}"components" : \{ \}\n {2}\},\n/, "an empty object is written { }");
  t.notOk(testText.endsWith("\n"), "no newline at the end of the file");
  const test = JSON.parse(testText) as Record<string, unknown>;
  t.same(test.environment, { account_id: "123456789012", name: "test", outputs: { cluster_arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/pizza-test", cluster_name: "pizza-test", private_subnet_ids: "subnet-t1", vpc_id: "vpc-0test" } }, "management account when the environment has none");
  t.same((test.service_instance as { components: object }).components, {}, "components is {} when none is attached");
  t.same((test.service_instance as { inputs: object }).inputs, { cpu: 256, desired_count: 1, health_path: "/", image: "ghcr.io/pizza/api:1.5.0-rc1", port: 80, public: false }, "defaults filled, JSON types kept");

  const pipe = path.join(out, "api", "pipeline");
  t.same(Object.keys(readTree(pipe)), [".proton/deployment-metadata.json", "main.tf", "proton.auto.tfvars.json", "proton.pipeline.variables.tf"]);
  const ptf = json(path.join(pipe, "proton.auto.tfvars.json"));
  t.same(Object.keys(ptf), ["service_instances", "service", "pipeline", "proton_tags", "//"]);
  t.same((ptf.service_instances as object[])[0], { name: "web-prod", inputs: WEB_PROD_INPUTS, outputs: { service_name: "api-web-prod" }, environment: { account_id: "210987654321", name: "prod", outputs: PROD_OUTPUTS } });
  t.equal((ptf.service_instances as object[]).length, 2);
  t.same(ptf.pipeline, { inputs: { build_timeout: 20, dockerfile: "Dockerfile", source_dir: "services/api" } });
  t.same(ptf.service, SERVICE);
  t.same(ptf.proton_tags, { "proton:account": "123456789012", "proton:template": `${P}:service-template/pizza-svc`, "proton:service": `${P}:service/api` });
  t.equal(ptf["//"], `${P}:service/api/pipeline`);
  t.same(json(path.join(pipe, ".proton", "deployment-metadata.json")).resourceMetadata, {
    arn: `${P}:service/api/pipeline`,
    templateArn: `${P}:service-template/pizza-svc`,
    templateMajorVersion: "1",
    templateMinorVersion: "0",
  });
  const vars = fs.readFileSync(path.join(pipe, "proton.pipeline.variables.tf"), "utf8");
  t.match(vars, /variable "service_instances" \{\n {2}type = list\(object\(\{/);
  t.match(vars, /extra_tags {4}= optional\(list\(string\)\)/, "instance inputs typed from the schema, so instances with different inputs form one list");
  t.match(vars, /variable "pipeline" \{\n {2}type = object\(\{\n {4}inputs = any\n {2}\}\)\n {2}default = null\n\}/);
  t.match(vars, /variable "service" \{[^}]*\}\)\n {2}default = null\n\}/);
});

t.test("component: attached to the instance the context names", async (t) => {
  const out = path.join(tmpDir(), "repo");
  const rendered = render({ bundleDir: bundle("pizza-alarm"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT });
  t.same(rendered.map((r) => [r.kind, r.name, r.relativeDir]), [["component", "api-alarms", "prod/components/api-alarms"]]);
  const dir = rendered[0].dir;
  t.same(Object.keys(readTree(dir)), [".proton/deployment-metadata.json", "main.tf", "proton.auto.tfvars.json", "proton.component.variables.tf"]);
  const arn = `${P}:component/api-alarms`;
  const tfvars = json(path.join(dir, "proton.auto.tfvars.json"));
  t.same(Object.keys(tfvars), ["component", "environment", "service", "service_instance", "proton_tags", "//"]);
  t.same(tfvars.component, { name: "api-alarms" });
  t.same(tfvars.environment, { account_id: "210987654321", name: "prod", outputs: PROD_OUTPUTS });
  t.same(tfvars.service_instance, { name: "web-prod", inputs: { desired_count: 3, extra_tags: ["menu", "orders"], image: "ghcr.io/pizza/api:1.4.2", port: 8080, public: true } });
  t.same(tfvars.proton_tags, {
    "proton:account": "123456789012",
    "proton:environment": `${P}:environment/prod`,
    "proton:service": `${P}:service/api`,
    "proton:service-instance": `${P}:service/api/service-instance/web-prod`,
    "proton:component": arn,
  });
  t.equal(tfvars["//"], arn);
  const meta = json(path.join(dir, ".proton", "deployment-metadata.json"));
  t.same(Object.keys(meta), ["deploymentId", "isResourceDeleted", "componentMetadata"]);
  t.same(meta.componentMetadata, { arn, environmentArn: `${P}:environment/prod`, componentType: "default" });
  const vars = fs.readFileSync(path.join(dir, "proton.component.variables.tf"), "utf8");
  for (const v of ["component", "environment", "service", "service_instance", "proton_tags"]) t.match(vars, new RegExp(`variable "${v}" \\{`));
});

t.test("ARNs agree across header, values and metadata", async (t) => {
  const out = path.join(tmpDir(), "repo");
  for (const r of [
    ...render({ bundleDir: bundle("pizza-env"), specFile: ENV_SPEC, name: "prod", outDir: out, context: CONTEXT }),
    ...render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT }),
    ...render({ bundleDir: bundle("pizza-alarm"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT }),
  ]) {
    const arn = json(path.join(r.dir, "proton.auto.tfvars.json"))["//"] as string;
    const meta = json(path.join(r.dir, ".proton", "deployment-metadata.json")) as { resourceMetadata?: { arn: string }; componentMetadata?: { arn: string } };
    t.equal((meta.resourceMetadata ?? meta.componentMetadata)?.arn, arn, `${r.relativeDir} metadata`);
    const version = { environment: "pizza-env:1.2", service_instance: "pizza-svc:1.0", pipeline: "pizza-svc:1.0", component: "pizza-alarm:1.0" }[r.kind];
    // Top-level files only: an environment directory also holds its instances' directories.
    for (const [file, content] of Object.entries(readTree(r.dir)).filter(([f]) => !f.includes("/"))) {
      if (file.endsWith(".tf")) t.equal(content.split("\n")[0], renderedHeader(version, arn), `${r.relativeDir}/${file} header`);
    }
  }
});

t.test("deterministic: byte-identical twice, no absolute paths, no timestamps", async (t) => {
  const trees = [0, 1].map(() => {
    const out = path.join(tmpDir(), "repo");
    render({ bundleDir: bundle("pizza-env"), specFile: ENV_SPEC, name: "prod", outDir: out, context: CONTEXT });
    render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT });
    render({ bundleDir: bundle("pizza-alarm"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT });
    return { out, tree: readTree(out) };
  });
  t.same(trees[0].tree, trees[1].tree);
  t.equal(Object.keys(trees[0].tree).length, 23);
  for (const [file, content] of Object.entries(trees[0].tree)) {
    t.notOk(content.includes(ROOT) || content.includes(trees[0].out) || content.includes("/tmp/"), `${file}: no absolute paths`);
    t.notMatch(content, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, `${file}: no timestamps`);
  }
});

t.test("deployment ids: derived from resource and content, or fixed by the context", async (t) => {
  const id = (ctx: DeploymentContext, spec = ENV_SPEC): string => {
    const out = path.join(tmpDir(), "repo");
    const [r] = render({ bundleDir: bundle("pizza-env"), specFile: spec, name: "prod", outDir: out, context: ctx });
    return json(path.join(r.dir, ".proton", "deployment-metadata.json")).deploymentId as string;
  };
  const base = id(CONTEXT);
  t.match(base, UUID);
  t.equal(id(CONTEXT), base, "same inputs, same id");
  t.not(id({ ...CONTEXT, region: "us-west-2" }), base, "another resource ARN, another id");
  const changed = path.join(tmpDir(), "env.yaml");
  fs.writeFileSync(changed, fs.readFileSync(ENV_SPEC, "utf8").replace("az_count: 3", "az_count: 2"));
  t.not(id(CONTEXT, changed), base, "other inputs, another id");
  const edited = brokenBundle("pizza-env", (dir) => fs.appendFileSync(path.join(dir, "infrastructure", "outputs.tf"), "# a new comment\n"));
  const [er] = render({ bundleDir: edited, specFile: ENV_SPEC, name: "prod", outDir: path.join(tmpDir(), "repo"), context: { ...CONTEXT, template_minor: 2 } });
  t.not(json(path.join(er.dir, ".proton", "deployment-metadata.json")).deploymentId, base, "another template, another id");
  t.equal(id({ ...CONTEXT, deployment_id: "0b3e2a52-8f0e-4c3b-9a43-5d8c7b6a1f00" }), "0b3e2a52-8f0e-4c3b-9a43-5d8c7b6a1f00");
});

t.test("minor version: lock file, else 0, overridable", async (t) => {
  t.equal(readBundle(bundle("pizza-env")).lockedMinor, 2, "from the bundles root's protonkit.lock.json");
  t.equal(readBundle(bundle("pizza-svc")).lockedMinor, undefined, "not in the lock file");
  const out = path.join(tmpDir(), "repo");
  const [r] = render({ bundleDir: bundle("pizza-env"), specFile: ENV_SPEC, name: "prod", outDir: out, context: { ...CONTEXT, template_minor: 7 } });
  t.equal((json(path.join(r.dir, ".proton", "deployment-metadata.json")).resourceMetadata as { templateMinorVersion: string }).templateMinorVersion, "7");
  t.match(fs.readFileSync(path.join(r.dir, "main.tf"), "utf8"), /^\/\* Rendered by protonkit from pizza-env:1\.7 for /);
});

t.test("deletion render", async (t) => {
  const out = path.join(tmpDir(), "repo");
  const [r] = render({ bundleDir: bundle("pizza-env"), specFile: ENV_SPEC, name: "prod", outDir: out, context: { ...CONTEXT, deleted: true } });
  const meta = json(path.join(r.dir, ".proton", "deployment-metadata.json"));
  t.equal(meta.deploymentId, DELETED_DEPLOYMENT_ID);
  t.equal(meta.deploymentId, "<proton-resource-deleted>");
  t.equal(meta.isResourceDeleted, true);
  const arn = `${P}:environment/prod`;
  for (const [file, content] of Object.entries(readTree(r.dir))) {
    if (!file.endsWith(".tf")) continue;
    const [first, second] = content.split("\n");
    t.equal(first, deletedHeader(arn), `${file}: one-line deletion comment`);
    t.notMatch(second, /Rendered by protonkit/);
  }
});

t.test("re-rendering into a repository keeps what it does not own", async (t) => {
  const out = path.join(tmpDir(), "repo");
  render({ bundleDir: bundle("pizza-env"), specFile: ENV_SPEC, name: "prod", outDir: out, context: CONTEXT });
  render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT });
  fs.writeFileSync(path.join(out, "prod", ".terraform.lock.hcl"), "# lock\n");
  fs.writeFileSync(path.join(out, "prod", "removed-in-new-version.tf"), "# stale\n");
  fs.writeFileSync(path.join(out, "README.md"), "# provisioning\n");
  const before = readTree(path.join(out, "prod", "api-web-prod"));
  render({ bundleDir: bundle("pizza-env"), specFile: ENV_SPEC, name: "prod", outDir: out, context: CONTEXT });
  t.ok(fs.existsSync(path.join(out, "prod", ".terraform.lock.hcl")), "lock file kept");
  t.notOk(fs.existsSync(path.join(out, "prod", "removed-in-new-version.tf")), "stale template file removed");
  t.same(readTree(path.join(out, "prod", "api-web-prod")), before, "instance directory under the environment untouched");
  t.ok(fs.existsSync(path.join(out, "README.md")));
  t.same(
    fs.readdirSync(path.dirname(out)).filter((e) => e !== "repo"),
    [],
    "no temporary directory left",
  );
});

t.test("--instance renders a subset; legacy .compatible-envs is read", async (t) => {
  const out = path.join(tmpDir(), "repo");
  const only = render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT, instances: ["web-test"] });
  t.same(only.map((r) => r.relativeDir), ["test/api-web-test"]);
  const noProd: DeploymentContext = { ...CONTEXT, environments: { test: (CONTEXT.environments ?? {}).test } };
  t.same(
    render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: noProd, instances: ["web-test"] }).map((r) => r.relativeDir),
    ["test/api-web-test"],
    "instances left out are not checked",
  );
  t.throws(() => render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: noProd, instances: ["web-test"], pipeline: true }), /environment "prod" is not in the deployment context/, "the pipeline needs every instance");
  t.same(
    render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: out, context: CONTEXT, instances: ["web-test"], pipeline: true }).map((r) => r.relativeDir),
    ["test/api-web-test", "api/pipeline"],
  );
  const legacy = brokenBundle("pizza-svc", (dir) => {
    fs.rmSync(path.join(dir, ".template-registration.yaml"));
    fs.writeFileSync(path.join(dir, ".compatible-envs"), "# legacy format\npizza-env:1\n");
  });
  t.same(readBundle(legacy).compatibleEnvironments, [{ name: "pizza-env", major: 1 }]);
  t.same(readBundle(bundle("pizza-svc")).supportedComponentSources, ["DIRECTLY_DEFINED"]);
  t.equal(readBundle(bundle("pizza-alarm")).kind, "component");
  t.equal(readBundle(bundle("pizza-alarm")).schema, undefined);
  t.equal(readBundle(bundle("pizza-env")).kind, "environment");
  t.equal(readBundle(bundle("pizza-svc")).kind, "service");
  t.same(readBundle(bundle("pizza-svc")).pipelineInfrastructure?.files.map((f) => f.name), ["main.tf"]);
  t.ok(fs.existsSync(path.join(BUNDLES, "protonkit.lock.json")));
});

t.test("CLI: prints the directories written; flags override the context file", async (t) => {
  const out = path.join(tmpDir(), "repo");
  const res = await runCli([
    "render",
    "--bundle",
    bundle("pizza-env"),
    "--spec",
    ENV_SPEC,
    "--name",
    "prod",
    "--out",
    out,
    "--context",
    path.join(SPECS, "context.yaml"),
    "--account-id",
    "999999999999",
    "--region",
    "ap-southeast-2",
    "--template-minor",
    "4",
  ]);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, `wrote ${path.join(out, "prod")}/ (environment prod)\n`);
  const meta = json(path.join(out, "prod", ".proton", "deployment-metadata.json"));
  t.same(meta.resourceMetadata, {
    arn: "arn:aws:proton:ap-southeast-2:999999999999:environment/prod",
    templateArn: "arn:aws:proton:ap-southeast-2:999999999999:environment-template/pizza-env",
    templateMajorVersion: "1",
    templateMinorVersion: "4",
  });

  const deleted = await runCli(["render", "--bundle", bundle("pizza-env"), "--spec", ENV_SPEC, "--name", "prod", "--out", out, "--deleted"]);
  t.equal(deleted.code, 0);
  const dmeta = json(path.join(out, "prod", ".proton", "deployment-metadata.json"));
  t.equal(dmeta.deploymentId, "<proton-resource-deleted>");
  t.equal((dmeta.resourceMetadata as { arn: string }).arn, "arn:aws:proton:us-east-1:111111111111:environment/prod", "local defaults without context");

  const help = await runCli(["render", "--help"]);
  t.equal(help.code, 0);
  const text = help.stdout.replace(/\s+/g, " ");
  t.match(text, /--account-id <id> management account for ARNs and proton:account \(default "111111111111", fit for local rendering only\)/);
  t.match(text, /--region <region> region for ARNs \(default "us-east-1", fit for local rendering only\)/);
});

t.test("a JSON context file renders the same as its YAML twin", async (t) => {
  const file = path.join(tmpDir(), "context.json");
  fs.writeFileSync(file, JSON.stringify(CONTEXT, null, "\t"));
  t.same(loadContextFile(file), CONTEXT);
  const a = path.join(tmpDir(), "repo");
  const b = path.join(tmpDir(), "repo");
  render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: a, context: CONTEXT });
  render({ bundleDir: bundle("pizza-svc"), specFile: SVC_SPEC, name: "api", outDir: b, context: loadContextFile(file) });
  t.same(readTree(a), readTree(b));
});
