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
import { syncWorkflow } from "../../generators/workflow/sync";
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

/**
 * A platform whose production environment runs in another account (`.protonkit/platform.yaml`):
 * the service's pipeline spec says `scm`, the production instance's spec says `instanceSpec`.
 */
function crossAccountPlatform(t: Parameters<typeof tempDir>[0], scm: "github" | "gitlab", instanceSpec: string): string {
  const root = path.join(tempDir(t), "platform");
  fs.mkdirSync(path.join(root, "platform", "services"), { recursive: true });
  fs.mkdirSync(path.join(root, "platform", "environments"), { recursive: true });
  fs.mkdirSync(path.join(root, ".protonkit"));
  const role = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;
  fs.writeFileSync(
    path.join(root, ".protonkit", "platform.yaml"),
    [
      "version: 1",
      'account_id: "123456789012"',
      "region: eu-west-1",
      "environments:",
      '  "*":',
      `    plan_role_arn: ${role("123456789012", "plan")}`,
      `    apply_role_arn: ${role("123456789012", "apply")}`,
      "    region: eu-west-1",
      "    state_bucket: acme-state",
      "  prod:",
      '    account_id: "210987654321"',
      `    plan_role_arn: ${role("210987654321", "plan")}`,
      `    apply_role_arn: ${role("210987654321", "apply")}`,
      "    region: eu-west-1",
      "    state_bucket: acme-state-prod",
      "",
    ].join("\n"),
  );
  for (const [env, tier] of [["qa", "test"], ["prod", "production"]]) {
    fs.writeFileSync(path.join(root, "platform", "environments", `${env}.yaml`), `template: vpc-ecs-environment\nversion: "1"\ntier: ${tier}\nspec:\n  proton: EnvironmentSpec\n`);
  }
  writeCrossAccountService(root, scm, instanceSpec);
  return root;
}

function writeCrossAccountService(root: string, scm: "github" | "gitlab", instanceSpec: string): void {
  fs.writeFileSync(
    path.join(root, "platform", "services", "orders.yaml"),
    [
      "template: public-web-service",
      'version: "1"',
      "owner: team-a",
      "repository: { id: acme/orders, branch: main }",
      "spec:",
      "  proton: ServiceSpec",
      "  pipeline:",
      `    scm: ${scm}`,
      ...(scm === "gitlab" ? ["    gitlab_project: acme/shop/orders"] : []),
      "  instances:",
      "    - { name: orders-qa, environment: qa, spec: { image: x } }",
      `    - { name: orders-prod, environment: prod, spec: { image: x${instanceSpec} } }`,
      "",
    ].join("\n"),
  );
}

const gitlabFlags = { service: "orders", account: "123456789012", platformRepository: "acme/platform" };

t.test("GitLab, an instance in another account: deployed through its own role, which must trust GitLab", async (t) => {
  const refusals: [string, RegExp][] = [
    ["", /orders\.yaml:\d+: spec\.instances\[1\]\.spec\.scm: instance "orders-prod" runs in another account than the pipeline's, and its deploy role in account 210987654321 trusts GitHub \(scm: github\), not this GitLab pipeline \(fix: add scm: gitlab and gitlab_project: acme\/shop\/orders to the instance's spec \(public-web-service 1\.4 or later/],
    [", scm: gitlab", /orders\.yaml:\d+: spec\.instances\[1\]\.spec\.gitlab_project: instance "orders-prod" has scm: gitlab but no gitlab_project.*\(fix: add gitlab_project: acme\/shop\/orders/],
    [", scm: gitlab, gitlab_project: acme/other", /spec\.instances\[1\]\.spec\.gitlab_project: instance "orders-prod" trusts GitLab project acme\/other, the pipeline spec's is acme\/shop\/orders.*\(fix: write gitlab_project: acme\/shop\/orders/],
  ];
  for (const [instanceSpec, message] of refusals) {
    const repo = nodeApp(t, false);
    const err = t.throws(() => syncPipeline({ repo, mode: "init", platform: crossAccountPlatform(t, "gitlab", instanceSpec), flags: gitlabFlags })) as Error;
    t.match(err.message, message, `refused: spec { image: x${instanceSpec} }`);
    t.notOk(fs.existsSync(path.join(repo, ".protonkit")), "a refusal writes nothing");
  }

  const repo = nodeApp(t, false);
  const platform = crossAccountPlatform(t, "gitlab", ", scm: gitlab, gitlab_project: acme/shop/orders");
  const r = syncPipeline({ repo, mode: "init", platform, flags: gitlabFlags });
  t.same(
    r.model.stages.map((s) => [s.instance, s.account, s.role_arn]),
    [
      ["orders-qa", "123456789012", "arn:aws:iam::123456789012:role/protonkit-orders-deploy"],
      ["orders-prod", "210987654321", "arn:aws:iam::210987654321:role/protonkit-orders-orders-prod-deploy"],
    ],
    "the account comes from .protonkit/platform.yaml; the other account's stage assumes the instance's deploy_role_arn",
  );
  t.match(fs.readFileSync(path.join(repo, ".gitlab-ci.yml"), "utf8"), /PROTONKIT_ROLE_ARN: "arn:aws:iam::210987654321:role\/protonkit-orders-orders-prod-deploy"/);

  // update --platform checks again: the instance's spec lost its GitLab trust.
  writeCrossAccountService(platform, "gitlab", "");
  t.throws(() => syncPipeline({ repo, mode: "update", platform }), /spec\.instances\[1\]\.spec\.scm: instance "orders-prod" runs in another account/);
  t.ok(syncPipeline({ repo, mode: "update", check: true }).inSync, "without --platform, nothing is checked or changed");
});

t.test("GitHub, an instance in another account whose role trusts GitLab: refused", async (t) => {
  const repo = nodeApp(t, false);
  const err = t.throws(() => syncPipeline({ repo, mode: "init", platform: crossAccountPlatform(t, "github", ", scm: gitlab, gitlab_project: acme/orders"), flags: gitlabFlags })) as Error;
  t.match(err.message, /spec\.instances\[1\]\.spec\.scm: instance "orders-prod" runs in another account than the pipeline's, and its deploy role in account 210987654321 trusts GitLab \(scm: gitlab\), not this GitHub workflow \(fix: remove scm/);
  const same = syncPipeline({ repo: nodeApp(t, false), mode: "init", platform: crossAccountPlatform(t, "github", ""), flags: gitlabFlags });
  t.equal(same.model.stages[1].role_arn, "arn:aws:iam::210987654321:role/protonkit-orders-orders-prod-deploy", "GitHub's default trust: accepted");
});

t.test("init --platform takes the platform repository from .protonkit/platform.yaml's workflow.repository, before origin", async (t) => {
  const platform = platformRepo(t, undefined);
  fs.mkdirSync(path.join(platform, ".git"));
  fs.writeFileSync(path.join(platform, ".git", "config"), '[remote "origin"]\n\turl = git@github.com:acme/platform-old.git\n');
  const noPlatformRepository = { service: "orders", scm: "github", account: "123456789012" };
  t.equal(syncPipeline({ repo: nodeApp(t, false), mode: "init", platform, flags: noPlatformRepository }).settings.platform_repository, "acme/platform-old", "origin without platform.yaml");

  syncWorkflow({ repo: platform, mode: "init", platform: true, settings: { repository: "acme/platform", toolkit_repository: "acme/protonkit", toolkit_ref: "a".repeat(40) } });
  t.equal(syncPipeline({ repo: nodeApp(t, false), mode: "init", platform, flags: noPlatformRepository }).settings.platform_repository, "acme/platform", "workflow.repository wins over origin");
});

t.test("init without any platform repository names both defaults, exits 1 and writes nothing", async (t) => {
  const platform = platformRepo(t, undefined);
  const repo = nodeApp(t, false);
  const before = fs.readdirSync(repo).sort();
  t.throws(() => syncPipeline({ repo, mode: "init", platform, flags: { service: "orders", scm: "github", account: "123456789012" } }), {
    message:
      "command line: 1 problem\n  - command line: --platform-repository: is required (fix: pass --platform-repository <owner/name>; without it the platform checkout's .protonkit/platform.yaml workflow.repository is used, then its origin remote when that is a GitHub URL, and neither is set)",
  });
  t.throws(() => syncPipeline({ repo, mode: "init", flags: { service: "orders", scm: "gitlab", account: "123456789012", platformRepository: "acme/platform", stages: ["test:orders-test:test"] } }), {
    message: /--template: is required \(fix: pass --template public-web-service, private-web-service or function-service, or --platform <platform checkout>/,
  });
  t.same(fs.readdirSync(repo).sort(), before, "nothing written");
});
