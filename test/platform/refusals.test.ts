// Every refusal of `protonkit platform render`: the exact error, exit 1, nothing written.
import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import { RecordsStore } from "../../src/platform/records-store";
import { ENV_FILE, SERVICE_FILE, cli, initRepo, initialCatalog, platformConfig, publish, snapshot, tmpDir, writeFiles } from "./fixture";

interface Case {
  readonly name: string;
  /** Files to write over the base platform; null removes one. */
  readonly files?: Record<string, string | null>;
  readonly expect: string;
}

const base = tmpDir(t, "protonkit-platform-refusals-");
const catalog = path.join(base, "catalog");
fs.mkdirSync(catalog);
initRepo(catalog);
publish(catalog, initialCatalog(), "catalog 1.0");
process.env.PROTONKIT_CACHE_DIR = path.join(base, "cache");

const ENV = "platform/environments/prod.yaml";
const SVC = "platform/services/orders.yaml";
const CFG = ".protonkit/platform.yaml";

const svc = (spec: string, head = "template: web\nversion: \"1\"\nowner: orders\nrepository: { id: acme/orders, branch: main }\n"): string => `${head}spec:\n  proton: ServiceSpec\n${spec}`;
const inst = (name: string, env = "prod", spec = "{}"): string => `    - name: ${name}\n      environment: ${env}\n      spec: ${spec}\n`;

const CASES: Case[] = [
  // The desired-state files themselves.
  { name: "environment without template", files: { [ENV]: ENV_FILE.replace("template: env\n", "") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:1: template: required field is missing: expected a value, found nothing (fix: add template)",
    ].join("\n") + "\n" },
  { name: "version written as a number", files: { [ENV]: ENV_FILE.replace('version: "1"', "version: 1") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:2: version: expected string, found integer 1 (fix: write \"1\" to follow major 1's newest minor, or \"1.2\" to pin; quote it so YAML keeps it a string)",
    ].join("\n") + "\n" },
  { name: "version that is no version", files: { [ENV]: ENV_FILE.replace('version: "1"', 'version: "1.x"') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:2: version: expected a string matching ^[1-9][0-9]*(\\.(0|[1-9][0-9]*))?$, found string \"1.x\" (fix: write \"1\" to follow major 1's newest minor, or \"1.2\" to pin; quote it so YAML keeps it a string)",
    ].join("\n") + "\n" },
  { name: "misspelt key", files: { [ENV]: ENV_FILE.replace("owner:", "ownr:") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:3: ownr: unknown field: expected one of template, version, owner, tier, spec, found \"ownr\" (fix: did you mean owner?)",
    ].join("\n") + "\n" },
  { name: "environment file holding a ServiceSpec", files: { [ENV]: ENV_FILE.replace("EnvironmentSpec", "ServiceSpec") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:5: spec.proton: expected one of \"EnvironmentSpec\", found string \"ServiceSpec\" (fix: paste the Proton spec unchanged under spec:)",
    ].join("\n") + "\n" },
  { name: "file name that is no resource name", files: { [ENV]: null, "platform/environments/prod env.yaml": ENV_FILE }, expect: [
      "protonkit: platform render: 3 problems; nothing was written",
      "  - platform/environments/prod env.yaml: environment name from the file name: expected a resource name matching ^[0-9A-Za-z]+[0-9A-Za-z_-]*$, found \"prod env\" (fix: rename the file to <environment>.yaml)",
      "  - platform/services/orders.yaml:12: spec.instances[0].environment: environment \"prod\" does not exist: expected one of (none under platform/environments/) (fix: add platform/environments/prod.yaml, or deploy to an existing environment)",
      "  - platform/services/orders.yaml:16: spec.instances[1].environment: environment \"prod\" does not exist: expected one of (none under platform/environments/) (fix: add platform/environments/prod.yaml, or deploy to an existing environment)",
    ].join("\n") + "\n" },
  { name: "malformed YAML", files: { [ENV]: "template: env\nversion: [\n" }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:3: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (fix: correct the YAML syntax of this environment file)",
    ].join("\n") + "\n" },
  { name: "empty file", files: { [ENV]: "" }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:1: the environment file is empty (fix: write template, version and spec (see the platform schema))",
    ].join("\n") + "\n" },
  { name: "service without owner", files: { [SVC]: SERVICE_FILE.replace("owner: orders\n", "") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:2: owner: required field is missing: expected a value, found nothing (fix: add owner)",
    ].join("\n") + "\n" },
  { name: "repository without branch", files: { [SVC]: SERVICE_FILE.replace("{ id: acme/orders, branch: main }", "{ id: acme/orders }") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:5: repository.branch: required field is missing: expected string, found nothing (fix: add branch)",
    ].join("\n") + "\n" },
  { name: "version override for an instance the spec lacks", files: { [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'instances:\n  orders-c: { version: "1.0" }\nspec:\n  proton') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:7: instances.orders-c: no instance \"orders-c\" in spec.instances (found orders-a, orders-b) (fix: name an instance of the spec, or remove the entry)",
    ].join("\n") + "\n" },
  { name: "component attached to an instance the spec lacks", files: { [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'components:\n  cache: { instance: orders-z, template: cache, version: "1" }\nspec:\n  proton') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:7: components.cache.instance: no instance \"orders-z\" in spec.instances (found orders-a, orders-b) (fix: attach the component to an instance of the spec)",
    ].join("\n") + "\n" },
  {
    name: "two components on one instance",
    files: { [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'components:\n  c1: { instance: orders-a, template: cache, version: "1" }\n  c2: { instance: orders-a, template: cache, version: "1" }\nspec:\n  proton') },
    expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:8: components.c2.instance: instance \"orders-a\" already has component \"c1\": Proton attaches at most one component to an instance (fix: attach it to another instance, or remove one)",
    ].join("\n") + "\n",
  },
  // Unknown templates and versions.
  { name: "unknown environment template", files: { [ENV]: ENV_FILE.replace("template: env", "template: envv") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:1: template: unknown template \"envv\": expected one of cache, env, lonely, reader, web (fix: did you mean env?)",
    ].join("\n") + "\n" },
  { name: "unknown major", files: { [ENV]: ENV_FILE.replace('version: "1"', 'version: "2"') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:2: version: unknown version \"2\" of env: expected major 1, found 2 (fix: use a published major version of env)",
    ].join("\n") + "\n" },
  { name: "unknown minor", files: { [SVC]: SERVICE_FILE.replace('version: "1"', 'version: "1.3"') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:3: version: unknown version \"1.3\" of web: published are 1.0 (fix: pin a published version, or write \"1\" to follow the newest)",
    ].join("\n") + "\n" },
  { name: "unknown version of one instance", files: { [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'instances:\n  orders-b: { version: "1.7" }\nspec:\n  proton') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:7: instances.orders-b.version: unknown version \"1.7\" of web: published are 1.0 (fix: pin a published version, or write \"1\" to follow the newest)",
    ].join("\n") + "\n" },
  { name: "unknown component template", files: { [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'components:\n  cache: { instance: orders-a, template: redis, version: "1" }\nspec:\n  proton') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:7: components.cache.template: unknown template \"redis\": expected one of cache, env, lonely, reader, web (fix: name a template the catalog publishes)",
    ].join("\n") + "\n" },
  // A template of the wrong kind.
  { name: "environment of a service template", files: { [ENV]: ENV_FILE.replace("template: env", "template: web") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:1: template: expected an environment template, found web, a service template (fix: name an environment template of the catalog)",
    ].join("\n") + "\n" },
  { name: "environment of a service template, pinned to a version the service template does not have", files: { [ENV]: ENV_FILE.replace("template: env", "template: web").replace('version: "1"', 'version: "1.3"') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:1: template: expected an environment template, found web, a service template (fix: name an environment template of the catalog)",
    ].join("\n") + "\n" },
  { name: "service of an environment template", files: { [SVC]: SERVICE_FILE.replace("template: web", "template: env") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:2: template: expected a service template, found env, an environment template (fix: name a service template of the catalog)",
    ].join("\n") + "\n" },
  { name: "component of a service template", files: { [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'components:\n  cache: { instance: orders-a, template: web, version: "1" }\nspec:\n  proton') }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:7: components.cache.template: expected a component template, found web, a service template (fix: name a component template of the catalog)",
    ].join("\n") + "\n" },
  // Incompatible environment.
  { name: "incompatible environment", files: { [SVC]: SERVICE_FILE.replace("template: web", "template: lonely") }, expect: [
      "protonkit: platform render: 2 problems; nothing was written",
      "  - platform/services/orders.yaml:12: spec.instances[0].environment: environment \"prod\" is incompatible: it runs env:1, and lonely:1.0 is compatible with other:1 (fix: deploy to an environment of a compatible template, or use a template version compatible with it)",
      "  - platform/services/orders.yaml:16: spec.instances[1].environment: environment \"prod\" is incompatible: it runs env:1, and lonely:1.0 is compatible with other:1 (fix: deploy to an environment of a compatible template, or use a template version compatible with it)",
    ].join("\n") + "\n" },
  // Specs that do not fit their schema.
  { name: "input of the wrong type", files: { [SVC]: svc(`  instances:\n${inst("orders-a", "prod", '{ port: "80" }')}`) }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:10: spec.instances[0].spec.port: expected integer, found string \"80\"",
    ].join("\n") + "\n" },
  { name: "input out of bounds", files: { [SVC]: svc(`  instances:\n${inst("orders-a", "prod", "{ port: 70000 }")}`) }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:10: spec.instances[0].spec.port: expected a number <= 65535, found integer 70000",
    ].join("\n") + "\n" },
  { name: "unknown input", files: { [SVC]: svc(`  instances:\n${inst("orders-a", "prod", "{ prot: 80 }")}`) }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:10: spec.instances[0].spec.prot: unknown field: expected one of port, size, found \"prot\" (fix: remove it)",
    ].join("\n") + "\n" },
  { name: "value outside the enum", files: { [SVC]: svc(`  instances:\n${inst("orders-a", "prod", "{ size: huge }")}`) }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:10: spec.instances[0].spec.size: expected one of \"small\", \"large\", found string \"huge\"",
    ].join("\n") + "\n" },
  { name: "unknown pipeline input", files: { [SVC]: svc(`  pipeline:\n    imag: x\n  instances:\n${inst("orders-a")}`) }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:8: spec.pipeline.imag: unknown field: expected one of image, found \"imag\" (fix: did you mean image?)",
    ].join("\n") + "\n" },
  { name: "environment input against its pattern", files: { [ENV]: ENV_FILE.replace("10.1.0.0/16", "ten") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/environments/prod.yaml:7: spec.spec.cidr: expected a string matching ^[0-9./]+$, found string \"ten\"",
    ].join("\n") + "\n" },
  { name: "instance without environment", files: { [SVC]: svc("  instances:\n    - name: orders-a\n      spec: {}\n") }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:8: spec.instances[0].environment: required field is missing: expected a resource name, found nothing (fix: add environment)",
    ].join("\n") + "\n" },
  { name: "duplicate instance", files: { [SVC]: svc(`  instances:\n${inst("orders-a")}${inst("orders-a")}`) }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:11: spec.instances[1].name: duplicate instance name: expected unique names, found \"orders-a\" again (first at instances[0]) (fix: rename one of the instances)",
    ].join("\n") + "\n" },
  // An instance in an environment that does not exist.
  { name: "environment that does not exist", files: { [SVC]: svc(`  instances:\n${inst("orders-a", "staging")}`) }, expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:9: spec.instances[0].environment: environment \"staging\" does not exist: expected one of prod (fix: add platform/environments/staging.yaml, or deploy to an existing environment)",
    ].join("\n") + "\n" },
  // Two services rendering the same directory.
  {
    name: "two services, one instance directory",
    files: { [SVC]: null, "platform/services/a-b.yaml": svc(`  instances:\n${inst("c")}`), "platform/services/a.yaml": svc(`  instances:\n${inst("b-c")}`) },
    expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/a.yaml:8: spec.instances[0].name: instance b-c of service a renders into prod/a-b-c/, which instance c of service a-b (platform/services/a-b.yaml) renders too (fix: rename one of them: two resources cannot share a directory)",
    ].join("\n") + "\n",
  },
  {
    name: "two services, one component directory",
    files: {
      "platform/services/billing.yaml": svc(`  instances:\n${inst("billing-a")}`, 'template: web\nversion: "1"\nowner: billing\nrepository: { id: acme/billing, branch: main }\ncomponents:\n  cache: { instance: billing-a, template: cache, version: "1" }\n'),
      [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'components:\n  cache: { instance: orders-a, template: cache, version: "1" }\nspec:\n  proton'),
    },
    expect: [
      "protonkit: platform render: 1 problem; nothing was written",
      "  - platform/services/orders.yaml:7: components.cache: component cache renders into prod/components/cache/, which component cache (platform/services/billing.yaml) renders too (fix: rename one of them: two resources cannot share a directory)",
    ].join("\n") + "\n",
  },
  // An environment output a template reads but that is not recorded.
  { name: "environment output not recorded", files: { [SVC]: SERVICE_FILE.replace("template: web", "template: reader") }, expect: [
      "protonkit: platform render: 2 problems; nothing was written",
      "  - platform/services/orders.yaml:12: spec.instances[0].environment: environment \"prod\" has no recorded output \"subnet_id\", which reader:1.0 reads (instance_infrastructure/main.tf:2) (fix: apply a version of env:1 that outputs subnet_id to prod first, or use a template version that does not read it)",
      "  - platform/services/orders.yaml:16: spec.instances[1].environment: environment \"prod\" has no recorded output \"subnet_id\", which reader:1.0 reads (instance_infrastructure/main.tf:2) (fix: apply a version of env:1 that outputs subnet_id to prod first, or use a template version that does not read it)",
    ].join("\n") + "\n" },
  // A deprecated version used by new instances.
  { name: "deprecated major, new instances", files: {}, expect: [
      "protonkit: platform render: 2 problems; nothing was written",
      "  - platform/services/orders.yaml:11: spec.instances[0].name: web:1.0 is deprecated: new instance orders-a cannot use it (fix: every version of this major is deprecated: ask the catalog's owners for a newer one)",
      "  - platform/services/orders.yaml:15: spec.instances[1].name: web:1.0 is deprecated: new instance orders-b cannot use it (fix: every version of this major is deprecated: ask the catalog's owners for a newer one)",
    ].join("\n") + "\n" },
  { name: "deprecated minor pinned by a new instance", files: { [SVC]: SERVICE_FILE.replace("spec:\n  proton", 'instances:\n  orders-b: { version: "1.0" }\nspec:\n  proton') }, expect: [
      "protonkit: platform render: 2 problems; nothing was written",
      "  - platform/services/orders.yaml:7: instances.orders-b.version: web:1.0 is deprecated: new resources cannot use it (fix: every version of this major is deprecated: ask the catalog's owners for a newer one)",
      "  - platform/services/orders.yaml:13: spec.instances[0].name: web:1.0 is deprecated: new instance orders-a cannot use it (fix: every version of this major is deprecated: ask the catalog's owners for a newer one)",
    ].join("\n") + "\n" },
  // The configuration.
  { name: "configuration without catalog", files: {}, expect: [
      "protonkit: .protonkit/platform.yaml: not a platform configuration",
      "  - .protonkit/platform.yaml: catalog: is required to render a platform (fix: add catalog: { repository: <path or URL of the catalog's git repository>, ref: main })",
    ].join("\n") + "\n" },
  { name: "two configuration files", files: { ".protonkit/provisioning.yaml": "version: 1\n" }, expect: [
      "protonkit: .protonkit/platform.yaml: more than one configuration source",
      "  - .protonkit/provisioning.yaml: .protonkit/platform.yaml holds this configuration now; two files that can disagree are refused (fix: run `protonkit platform migrate-config` once, or delete .protonkit/provisioning.yaml after moving its keys into .protonkit/platform.yaml)",
    ].join("\n") + "\n" },
  // Several problems in several files: every one is listed.
  {
    name: "every problem at once",
    files: { [ENV]: ENV_FILE.replace("10.1.0.0/16", "ten"), [SVC]: svc(`  instances:\n${inst("orders-a", "prod", '{ port: "80" }')}${inst("orders-b", "staging")}`) },
    expect: [
      "protonkit: platform render: 3 problems; nothing was written",
      "  - platform/environments/prod.yaml:7: spec.spec.cidr: expected a string matching ^[0-9./]+$, found string \"ten\"",
      "  - platform/services/orders.yaml:10: spec.instances[0].spec.port: expected integer, found string \"80\"",
      "  - platform/services/orders.yaml:12: spec.instances[1].environment: environment \"staging\" does not exist: expected one of prod (fix: add platform/environments/staging.yaml, or deploy to an existing environment)",
    ].join("\n") + "\n",
  },
];

async function platformRepo(dir: string, files: Record<string, string | null>): Promise<void> {
  initRepo(dir);
  const all: Record<string, string | null> = { [CFG]: platformConfig(catalog), [ENV]: ENV_FILE, [SVC]: SERVICE_FILE, ...files };
  writeFiles(dir, Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null)));
  await new RecordsStore({ repo: dir }).append([
    { v: 1, resource: "prod", kind: "environment", arn: "arn:aws:proton:eu-west-1:123456789012:environment/prod", deploymentId: "d", status: "SUCCEEDED", at: "2026-11-30T10:00:00.000Z", outputs: { vpc_id: "vpc-1" } },
  ]);
}

let n = 0;
for (const c of CASES) {
  t.test(c.name, async (t) => {
    const dir = path.join(base, `case-${n++}`);
    fs.mkdirSync(dir);
    let files = c.files ?? {};
    if (c.name === "deprecated major, new instances") files = { [CFG]: platformConfig(catalog, "  deprecated: [\"web:1\"]\n") };
    if (c.name === "deprecated minor pinned by a new instance") files = { ...files, [CFG]: platformConfig(catalog, '  deprecated: ["web:1.0"]\n') };
    if (c.name === "configuration without catalog") files = { [CFG]: platformConfig(catalog).replace(/catalog:\n.*\n.*\n/, "") };
    await platformRepo(dir, files);
    const before = snapshot(dir);
    const res = await cli(dir, ["platform", "render"]);
    t.equal(res.code, 1, "exit 1");
    t.equal(res.err, c.expect, "the exact error");
    t.same(snapshot(dir), before, "nothing written");
    t.equal(res.out, "");
  });
}
t.test("at least 30 refusals", async (t) => t.ok(CASES.length >= 30));
