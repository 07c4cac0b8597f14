/** `pipeline init|update`: settings from the platform repository or flags, owned files, refusals. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { planBuild } from "../../generators/pipeline/detect";
import { orderStages } from "../../generators/pipeline/stages";
import { DEPLOY_SCRIPT_PATH, GITHUB_WORKFLOW_PATH, syncPipeline } from "../../generators/pipeline/sync";
import { flagsFor, nodeApp, tempDir } from "./helpers";

function platformRepo(t: Parameters<typeof tempDir>[0]): string {
  const root = path.join(tempDir(t), "platform");
  fs.mkdirSync(path.join(root, "platform", "services"), { recursive: true });
  fs.mkdirSync(path.join(root, "platform", "environments"), { recursive: true });
  fs.mkdirSync(path.join(root, ".git"));
  fs.writeFileSync(path.join(root, ".git", "config"), '[remote "origin"]\n\turl = git@github.com:acme/platform.git\n');
  for (const [env, tier] of [["prod", "production"], ["qa", "test"], ["stage", "staging"]]) {
    fs.writeFileSync(path.join(root, "platform", "environments", `${env}.yaml`), `template: vpc-ecs-environment\nversion: "1"\ntier: ${tier}\nspec:\n  proton: EnvironmentSpec\n`);
  }
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
      "    unit_test_command: npm run test:unit",
      "  instances:",
      "    - { name: orders-prod, environment: prod, spec: { image: x } }",
      "    - { name: orders-qa, environment: qa, spec: { image: x } }",
      "    - { name: orders-stage, environment: stage, spec: { image: x } }",
      "",
    ].join("\n"),
  );
  return root;
}

t.test("init reads the platform repository: template, tiers in order, unit-test command, platform repository", async (t) => {
  const repo = nodeApp(t, false);
  const platform = platformRepo(t);
  const r = syncPipeline({ repo, mode: "init", platform, flags: { service: "orders", scm: "github", account: "123456789012" } });
  t.equal(r.settings.template, "public-web-service");
  t.equal(r.settings.unit_test, "npm run test:unit");
  t.equal(r.settings.platform_repository, "acme/platform");
  t.same(r.model.stages.map((s) => [s.job, s.approval]), [["deploy-qa", false], ["deploy-stage", true], ["deploy-prod", true]]);
  t.same(r.files.map((f) => `${f.status} ${f.path}`), [`created ${GITHUB_WORKFLOW_PATH}`, `created ${DEPLOY_SCRIPT_PATH}`, "created .protonkit/pipeline.yaml"]);
  const settings = fs.readFileSync(path.join(repo, ".protonkit/pipeline.yaml"), "utf8");
  t.match(settings, /Detected build: image from Cloud Native Buildpacks \(Node\.js, no Dockerfile\)/);

  // update: nothing to do; an edited workflow is kept and reported; --force replaces it.
  const again = syncPipeline({ repo, mode: "update", check: true });
  t.ok(again.inSync, "update --check after init is in sync");
  fs.appendFileSync(path.join(repo, GITHUB_WORKFLOW_PATH), "# my edit\n");
  const edited = syncPipeline({ repo, mode: "update" });
  t.equal(edited.files.find((f) => f.path === GITHUB_WORKFLOW_PATH)?.status, "skipped");
  t.notOk(edited.inSync);
  t.equal(syncPipeline({ repo, mode: "update", force: true }).files.find((f) => f.path === GITHUB_WORKFLOW_PATH)?.status, "updated");

  // A Dockerfile added later switches the build on update.
  fs.writeFileSync(path.join(repo, "Dockerfile"), "FROM scratch\n");
  syncPipeline({ repo, mode: "update" });
  t.match(fs.readFileSync(path.join(repo, GITHUB_WORKFLOW_PATH), "utf8"), /docker build --tag/);
});

t.test("a language buildpacks do not build needs a Dockerfile: the refusal names the fix", async (t) => {
  const repo = path.join(tempDir(t), "svc");
  fs.mkdirSync(path.join(repo, ".git"), { recursive: true });
  fs.writeFileSync(path.join(repo, "go.mod"), "module example.com/svc\n");
  const err = t.throws(() => syncPipeline({ repo, mode: "init", flags: flagsFor("public-web-service", "github") })) as ProtonkitError;
  t.match(err.message, /found Go \(go\.mod\): only Python, Node\.js, Ruby and Java build without a Dockerfile/);
  t.match(err.message, /add a Dockerfile/);
  t.notOk(fs.existsSync(path.join(repo, ".protonkit")), "nothing written");
  fs.writeFileSync(path.join(repo, "Dockerfile"), "FROM golang:1.24\n");
  t.equal(planBuild(repo).kind, "dockerfile");
  for (const [file, language] of [["requirements.txt", "python"], ["Gemfile", "ruby"], ["pom.xml", "java"], ["package.json", "node"]]) {
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, file), "");
    t.same(planBuild(dir), { language, kind: "buildpacks", evidence: [file] }, `${language} builds without a Dockerfile`);
  }
});

t.test("a function image without a Dockerfile is refused; without one a function ships a zip", async (t) => {
  const repo = nodeApp(t, false);
  const err = t.throws(() => syncPipeline({ repo, mode: "init", flags: { ...flagsFor("function-service", "gitlab"), artifact: "image" } })) as ProtonkitError;
  t.match(err.message, /artifact: .*Lambda runtime interface/);
  const r = syncPipeline({ repo, mode: "init", flags: flagsFor("function-service", "gitlab") });
  t.equal(r.settings.artifact, "zip");
  t.equal(r.settings.package_path, "dist/function.zip");
});

t.test("settings problems name the file, line and field", async (t) => {
  const repo = nodeApp(t, false);
  fs.mkdirSync(path.join(repo, ".protonkit"));
  fs.writeFileSync(path.join(repo, ".protonkit/pipeline.yaml"), "version: 1\nservice: orders\ntemplate: web\nscm: svn\naccount: 1234\nregion: eu-west-1\nplatform_repository: acme/platform\nstages:\n  - { environment: test, instance: a, tier: qa }\n");
  const err = t.throws(() => syncPipeline({ repo, mode: "update" })) as ProtonkitError;
  const text = err.problems.map((p) => p.toString()).join("\n");
  t.match(text, /pipeline\.yaml:3: template: must be one of/);
  t.match(text, /pipeline\.yaml:4: scm: must be github or gitlab/);
  t.match(text, /pipeline\.yaml:5: account: must be a 12-digit/);
  t.match(text, /pipeline\.yaml:9: stages\[0\]\.tier: must be one of test, staging, production/);
  t.throws(() => syncPipeline({ repo: path.join(repo, "nope"), mode: "update" }), /application repository does not exist/);
  const other = nodeApp(t, false, "other");
  syncPipeline({ repo: other, mode: "init", flags: flagsFor("public-web-service", "github") });
  t.throws(() => syncPipeline({ repo: other, mode: "init", flags: { ...flagsFor("public-web-service", "gitlab") } }), /scm: is "github", the command line says "gitlab"/);
});

t.test("stages: ordered by tier, then environment and instance; several instances of one environment get their own jobs", async (t) => {
  const ordered = orderStages(
    [
      { environment: "prod", instance: "b", tier: "production" },
      { environment: "qa", instance: "z", tier: "test" },
      { environment: "qa", instance: "y", tier: "test" },
      { environment: "pre", instance: "x", tier: "staging" },
    ],
    "f",
  );
  t.same(ordered.map((s) => [s.job, s.after, s.approval]), [
    ["deploy-qa-y", "build", false],
    ["deploy-qa-z", "deploy-qa-y", true],
    ["deploy-pre", "deploy-qa-z", true],
    ["deploy-prod", "deploy-pre", true],
  ]);
  t.throws(() => orderStages([{ environment: "a", instance: "i", tier: "test" }, { environment: "b", instance: "i", tier: "staging" }], "f"), /listed twice/);
});

t.test("protonkit pipeline init and update --check through the CLI", async (t) => {
  const repo = nodeApp(t, true);
  const bin = path.join(__dirname, "..", "..", "bin", "protonkit.js");
  const cli = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync(process.execPath, [bin, "pipeline", ...args], { encoding: "utf8" });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const init = cli("init", "--repo", repo, "--service", "orders", "--scm", "gitlab", "--template", "private-web-service", "--account", "123456789012", "--platform-repository", "acme/platform", "--unit-test", "npm test", "--stage", "prod:orders-prod:production", "--stage", "dev:orders-dev:test");
  t.equal(init.status, 0, init.out);
  t.match(init.out, /created\s+\.gitlab-ci\.yml/);
  t.match(init.out, /build: Dockerfile, language node/);
  t.match(init.out, /promotion: dev -> prod \(approval\)/);
  t.equal(cli("update", "--repo", repo, "--check").status, 0);
  fs.appendFileSync(path.join(repo, ".gitlab-ci.yml"), "# edit\n");
  const check = cli("update", "--repo", repo, "--check");
  t.equal(check.status, 1);
  t.match(check.out, /skipped\s+\.gitlab-ci\.yml \(user-modified/);
  const bad = cli("init", "--repo", path.join(repo, "missing"), "--service", "x");
  t.equal(bad.status, 1);
  t.match(bad.out, /--repo: the application repository does not exist/);
});
