import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { applyResource, type ApplyContext } from "../../src/provision/apply";
import { parseProvisioningConfig } from "../../src/provision/config";
import { createReporter } from "../../src/provision/reporter";
import { readRecords, lastDeployment, RecordsStore } from "../../src/platform/records-store";
import { startFakeGitHub, type FakeGitHub } from "../provision/github-fake";
import { startProtonServer, type ProtonServer } from "../support/proton-server";
import { CONFIG, FakeTerraform, applyJson, envArn, errorJson, instanceArn, makeRepo, writeResource, commit } from "../provision/helpers";
import { git, tmp } from "./ops-helpers";

const DEPLOYMENT = "6b9a8c1e-0d4f-4e3a-9b2c-1a2b3c4d5e6f";
const outputsJson = JSON.stringify({
  vpc_id: { value: "vpc-0abc", type: "string", sensitive: false },
  az_count: { value: 3, type: "number", sensitive: false },
  db_password: { value: "hunter2-secret", type: "string", sensitive: true },
});

let github: FakeGitHub;
let proton: ProtonServer;
t.before(async () => {
  github = await startFakeGitHub();
  proton = await startProtonServer();
});
t.teardown(async () => {
  await github.close();
  await proton.close();
});

/** A provisioning repository cloned from a bare remote, so records are pushed for real. */
function provisioningRepo(root: string, config: string): { repo: string; remote: string; head: string } {
  const seed = makeRepo(path.join(root, "seed"), config);
  writeResource(seed, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: DEPLOYMENT });
  commit(seed, "instance");
  const remote = path.join(root, "remote.git");
  execFileSync("git", ["clone", "-q", "--bare", seed, remote]);
  const repo = path.join(root, "checkout");
  execFileSync("git", ["clone", "-q", remote, repo]);
  return { repo, remote, head: git(repo, "rev-parse", "HEAD") };
}

function context(repo: string, runner: FakeTerraform, config: string, env: NodeJS.ProcessEnv): ApplyContext & { logs: string[] } {
  const logs: string[] = [];
  // Beside the checkout, inside the test's temporary root (removed at teardown).
  const stateDir = fs.mkdtempSync(path.join(path.dirname(repo), "state-"));
  return {
    repo,
    loadConfig: () => parseProvisioningConfig(config, ".protonkit/provisioning.yaml"),
    reporterFor: (reporting) => createReporter({ reporting, dryRun: false, repo, env, log: (l) => logs.push(l), retry: { sleep: async () => undefined } }),
    runner,
    settings: { binary: "terraform" },
    dryRun: false,
    stateDir,
    log: (l) => logs.push(l),
    logs,
  };
}

const githubEnv = (): NodeJS.ProcessEnv => ({ GITHUB_TOKEN: "ghs_test", GITHUB_REPOSITORY: "acme/provisioning", GITHUB_API_URL: github.url, GITHUB_RUN_ID: "77" });

t.test("reporting: git records IN_PROGRESS then SUCCEEDED with outputs on the records branch, and mirrors to GitHub", async (t) => {
  const { repo, remote, head } = provisioningRepo(tmp(t), CONFIG.replace("reporting: proton", "reporting: git"));
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: outputsJson } });
  const ctx = context(repo, tf, CONFIG.replace("reporting: proton", "reporting: git"), githubEnv());
  const res = await applyResource("prod/api-web", ctx);
  t.equal(res.ok, true, ctx.logs.join("\n"));
  // Read from the remote, as another job would.
  const state = readRecords(remote, "protonkit/records");
  const rec = state.resources.get("prod/api-web");
  t.same(rec?.outputs, { az_count: "3", vpc_id: "vpc-0abc" }, "sensitive outputs never go to git");
  t.match(lastDeployment(rec), { deploymentId: DEPLOYMENT, status: "SUCCEEDED", commit: head, run: "77", templateVersion: "t:1.0" });
  t.ok(lastDeployment(rec)?.startedAt && lastDeployment(rec)?.endedAt);
  t.equal(proton.requests.length, 0, "Proton is not called");
  t.equal(git(repo, "status", "--porcelain"), "", "the checkout stays clean");
  // GitHub: one deployment for the resource at the commit, with in_progress then success; commit statuses.
  const dep = github.deployments.find((d) => d.environment === "prod/api-web" && d.ref === head);
  t.ok(dep);
  t.same(dep?.statuses.map((s) => s.state), ["in_progress", "success"]);
  t.same(dep?.payload, { deploymentId: DEPLOYMENT, resource: "prod/api-web" });
  const statuses = github.statuses.filter((s) => s.sha === head);
  t.same(statuses.map((s) => [s.context, s.state]), [["protonkit/prod/api-web", "pending"], ["protonkit/prod/api-web", "success"]]);
  t.ok(statuses.every((s) => s.description.length <= 140));
});

t.test("a failed apply records FAILED with the end of the error; GitHub down does not fail the deployment record", async (t) => {
  const config = CONFIG.replace("reporting: proton", "reporting: git");
  const { repo, remote } = provisioningRepo(tmp(t), config);
  const tf = new FakeTerraform({ apply: { code: 1, stdout: errorJson("creating VPC: UnauthorizedOperation", "x".repeat(5000) + " the end") } });
  github.failNext(500, 10); // five attempts at each of the two mirrored statuses
  const ctx = context(repo, tf, config, { ...githubEnv() });
  const res = await applyResource("prod/api-web", ctx);
  t.equal(res.status, "FAILED");
  const rec = readRecords(remote, "protonkit/records").resources.get("prod/api-web");
  const last = lastDeployment(rec);
  t.equal(last?.status, "FAILED");
  t.match(last?.error, /the end$/);
  t.ok((last?.error ?? "").length <= 2000);
  t.match(ctx.logs.join("\n"), /could not mirror .* to GitHub \(the record in git stands\)/);
});

t.test("a destroy is recorded as DELETED and clears the outputs; GitHub deployment goes inactive", async (t) => {
  const config = CONFIG.replace("reporting: proton", "reporting: git");
  const { repo, remote } = provisioningRepo(tmp(t), config);
  await new RecordsStore({ repo, remote: "origin" }).append([
    { v: 1, resource: "prod/api-web", kind: "service-instance", arn: instanceArn("api", "web"), deploymentId: "old", status: "SUCCEEDED", at: "2026-01-01T00:00:00Z", outputs: { url: "u" } },
  ]);
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: "<proton-resource-deleted>", deleted: true });
  git(repo, "commit", "-qam", "delete");
  const head = git(repo, "rev-parse", "HEAD");
  const tf = new FakeTerraform({ apply: { stdout: applyJson("Destroy complete! Resources: 1 destroyed.") } });
  const ctx = context(repo, tf, config, githubEnv());
  t.equal((await applyResource("prod/api-web", ctx)).ok, true, ctx.logs.join("\n"));
  const rec = readRecords(remote, "protonkit/records").resources.get("prod/api-web");
  t.equal(lastDeployment(rec)?.status, "DELETED");
  t.same(rec?.outputs, {});
  t.same(github.deployments.find((d) => d.ref === head)?.statuses.map((s) => s.state), ["in_progress", "inactive"]);
});

t.test("reporting: proton still notifies Proton unchanged, and records in git beside it", async (t) => {
  const { repo, remote } = provisioningRepo(tmp(t), CONFIG);
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: outputsJson } });
  proton.requests.length = 0;
  const env = { PROTONKIT_PROTON_ENDPOINT: proton.endpoint, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "fake" };
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "fake", AWS_EC2_METADATA_DISABLED: "true" });
  t.teardown(() => {
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED"]) if (saved[k] === undefined) delete process.env[k];
  });
  const ctx = context(repo, tf, CONFIG, env);
  const res = await applyResource("prod/api-web", ctx);
  t.equal(res.ok, true, ctx.logs.join("\n"));
  t.same(proton.requests.map((r) => (r.body as { status: string }).status), ["IN_PROGRESS", "SUCCEEDED"]);
  t.equal(lastDeployment(readRecords(remote, "protonkit/records").resources.get("prod/api-web"))?.status, "SUCCEEDED");
  // Without the records remote (a local run), Proton alone, as before.
  const local = makeRepo(path.join(tmp(t), "local"));
  writeResource(local, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: DEPLOYMENT });
  const ctx2 = context(local, new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: "{}" } }), CONFIG, env);
  t.equal((await applyResource("prod/api-web", ctx2)).ok, true);
  t.match(ctx2.logs.join("\n"), /no remote "origin" .* deployment records are not written/);
  // A records remote that cannot be pushed to (a read-only token): Proton is told, the apply succeeds.
  const readOnly = makeRepo(path.join(tmp(t), "readonly"));
  writeResource(readOnly, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: DEPLOYMENT });
  execFileSync("git", ["-C", readOnly, "remote", "add", "origin", path.join(tmp(t), "no-such-remote.git")]);
  const ctx3 = context(readOnly, new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: "{}" } }), CONFIG, env);
  t.equal((await applyResource("prod/api-web", ctx3)).ok, true, ctx3.logs.join("\n"));
  t.match(ctx3.logs.join("\n"), /git: could not record SUCCEEDED \(Proton was told; the record in git is missing\)/);
});

t.test("a failed environment apply, recorded in git, stops its instances: they are skipped and have no record", async (t) => {
  const root = tmp(t);
  const config = CONFIG.replace("reporting: proton", "reporting: git");
  const seed = makeRepo(path.join(root, "seed"), config);
  const base = git(seed, "rev-parse", "HEAD");
  writeResource(seed, "prod", { arn: envArn("prod"), deploymentId: "11111111-2222-4333-8444-555555555555" });
  writeResource(seed, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: DEPLOYMENT });
  const head = commit(seed, "environment and instance");
  const remote = path.join(root, "remote.git");
  execFileSync("git", ["clone", "-q", "--bare", seed, remote]);
  const repo = path.join(root, "checkout");
  execFileSync("git", ["clone", "-q", remote, repo]);

  // Stage 1: the environment's apply fails; the git reporter records it.
  const tf = new FakeTerraform({ apply: { code: 1, stdout: errorJson("creating VPC: VpcLimitExceeded", "The maximum number of VPCs has been reached.") } });
  const ctx = context(repo, tf, config, {});
  t.equal((await applyResource("prod", ctx)).status, "FAILED");

  // Stage 2, in another job: the order reads the records and skips the instance.
  const { runCli } = await import("./ops-helpers");
  const res = await runCli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "instances-apply", "--fetch", "origin"]);
  t.equal(res.code, 0, res.err);
  const stage = JSON.parse(res.out);
  t.same(stage.include, []);
  t.same(stage.skipped, [{ dir: "prod/api-web", kind: "service-instance", reason: "skipped: environment prod failed in this deployment" }]);
  const state = readRecords(remote, "protonkit/records");
  t.equal(stage.records, state.commit, "the order says which records commit it read");
  t.same([...state.resources.keys()], ["prod"], "the skipped instance has no record");
  t.same(state.resources.get("prod")?.deployments.map((d) => d.status), ["FAILED"]);
});
