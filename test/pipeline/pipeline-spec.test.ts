/**
 * What the generator takes from the pipeline spec in the platform repository. The unit-test
 * command (`unit_test_command`, a declared pipeline input of every application template):
 * `init --platform` writes it into `.protonkit/pipeline.yaml`, `update --platform` re-reads it,
 * and the template's default "" means the language's default. The SCM (`scm`), whose CI the
 * pipeline's roles trust: `init` takes it, and refuses a `--scm` that contradicts it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { DEFAULT_UNIT_TEST } from "../../generators/pipeline/detect";
import { syncPipeline, GITHUB_WORKFLOW_PATH } from "../../generators/pipeline/sync";
import { FunctionService } from "../../stacks/function-service/stack";
import { PrivateWebService } from "../../stacks/private-web-service/stack";
import { PublicWebService } from "../../stacks/public-web-service/stack";
import { nodeApp, tempDir } from "./helpers";

function platformRepo(t: Parameters<typeof tempDir>[0], unitTest: string | undefined): string {
  const root = path.join(tempDir(t), "platform");
  fs.mkdirSync(path.join(root, "platform", "services"), { recursive: true });
  fs.mkdirSync(path.join(root, "platform", "environments"), { recursive: true });
  fs.writeFileSync(path.join(root, "platform", "environments", "qa.yaml"), 'template: vpc-ecs-environment\nversion: "1"\ntier: test\nspec:\n  proton: EnvironmentSpec\n');
  writeService(root, unitTest);
  return root;
}

function writeService(root: string, unitTest: string | undefined): void {
  fs.writeFileSync(
    path.join(root, "platform", "services", "orders.yaml"),
    [
      "template: public-web-service",
      'version: "1"',
      "owner: team-a",
      "repository: { id: acme/orders, branch: main }",
      "spec:",
      "  proton: ServiceSpec",
      ...(unitTest === undefined ? ["  pipeline: {}"] : ["  pipeline:", `    unit_test_command: ${JSON.stringify(unitTest)}`]),
      "  instances:",
      "    - { name: orders-qa, environment: qa, spec: { image: x } }",
      "",
    ].join("\n"),
  );
}

const flags = { service: "orders", scm: "github", account: "123456789012", platformRepository: "acme/platform" };

t.test("every application template declares unit_test_command as a pipeline input, empty by default", async (t) => {
  for (const template of [PublicWebService, PrivateWebService, FunctionService]) {
    const input = template.definition.pipeline?.inputs.unit_test_command;
    t.equal(input?.type, "string", `${template.definition.name} declares it`);
    t.equal(input?.default, "", `${template.definition.name}: "" means the language's default`);
  }
});

t.test("an empty unit_test_command is the language's default", async (t) => {
  const repo = nodeApp(t, false);
  const r = syncPipeline({ repo, mode: "init", platform: platformRepo(t, ""), flags });
  t.equal(r.settings.unit_test, undefined, "nothing written into .protonkit/pipeline.yaml");
  t.equal(r.model.unitTest, DEFAULT_UNIT_TEST.node.command, "the language's default (Node.js)");
});

t.test("update --platform takes the pipeline spec's command over the settings file's", async (t) => {
  const repo = nodeApp(t, false);
  const platform = platformRepo(t, "npm run test:unit");
  syncPipeline({ repo, mode: "init", platform, flags });
  t.match(fs.readFileSync(path.join(repo, GITHUB_WORKFLOW_PATH), "utf8"), /npm run test:unit/);

  writeService(platform, "npm run test:ci");
  const withoutPlatform = syncPipeline({ repo, mode: "update", check: true });
  t.ok(withoutPlatform.inSync, "without --platform, .protonkit/pipeline.yaml decides");
  const updated = syncPipeline({ repo, mode: "update", platform });
  t.equal(updated.settings.unit_test, "npm run test:ci");
  t.match(fs.readFileSync(path.join(repo, GITHUB_WORKFLOW_PATH), "utf8"), /npm run test:ci/);
  t.match(fs.readFileSync(path.join(repo, ".protonkit/pipeline.yaml"), "utf8"), /npm run test:unit/, "the settings file is the developer's: never rewritten");

  writeService(platform, undefined);
  const unset = syncPipeline({ repo, mode: "update", platform, check: true });
  t.equal(unset.settings.unit_test, "npm run test:unit", "no command in the spec: the settings file's");
});

t.test("init takes scm from the pipeline spec, and refuses a --scm that contradicts it", async (t) => {
  const platform = platformRepo(t, undefined);
  const file = path.join(platform, "platform", "services", "orders.yaml");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("  pipeline: {}", "  pipeline:\n    scm: gitlab\n    gitlab_project: acme/orders"));
  const { scm: _scm, ...withoutScm } = flags;
  void _scm;
  const r = syncPipeline({ repo: nodeApp(t, false), mode: "init", platform, flags: withoutScm });
  t.equal(r.settings.scm, "gitlab");
  const repo = nodeApp(t, false);
  t.throws(() => syncPipeline({ repo, mode: "init", platform, flags }), /the pipeline spec says scm: gitlab, the command line says github/);
  t.notOk(fs.existsSync(path.join(repo, ".protonkit")), "a refusal writes nothing");
});
