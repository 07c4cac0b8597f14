/** `protonkit platform order --wave` and the per-step counts, on a real repository with tiers. */
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { RecordsStore } from "../../src/platform/records-store";
import { cli, commit, envArn, instanceArn, makeRepo, writeResource } from "../provision/helpers";
import { event, tmp } from "./ops-helpers";

function envFile(repo: string, name: string, tier: string): void {
  const file = path.join(repo, "platform", "environments", `${name}.yaml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `template: vpc-ecs-environment\nversion: "1"\ntier: ${tier}\nspec: { proton: EnvironmentSpec }\n`);
}

t.test("order counts each step by tier, and --wave keeps one tier's resources", async (t) => {
  const repo = makeRepo(tmp(t));
  const base = commit(repo, "empty");
  envFile(repo, "dev", "test");
  envFile(repo, "prod", "production");
  writeResource(repo, "dev", { arn: envArn("dev"), deploymentId: "11111111-1111-4111-8111-111111111111" });
  writeResource(repo, "prod", { arn: envArn("prod"), deploymentId: "22222222-2222-4222-8222-222222222222" });
  writeResource(repo, "dev/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("dev") });
  writeResource(repo, "prod/api-web2", { arn: instanceArn("api", "web2"), environmentArn: envArn("prod") });
  const head = commit(repo, "resources");

  const output = path.join(tmp(t), "github-output");
  fs.writeFileSync(output, "");
  const all = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--no-config", "--github-output"], { GITHUB_OUTPUT: output });
  t.equal(all.code, 0, all.stderr);
  const counts = Object.fromEntries(
    fs
      .readFileSync(output, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split("=")),
  );
  t.match(counts, {
    base,
    head,
    count: "4",
    "environments-apply-test-count": "1",
    "instances-apply-test-count": "1",
    "environments-apply-staging-count": "0",
    "environments-apply-production-count": "1",
    "instances-apply-production-count": "1",
    "pipelines-apply-count": "0",
  });

  // The production environment's apply failed: the production wave's instance is skipped; the test wave is not affected.
  await new RecordsStore({ repo }).append([
    event("dev", "SUCCEEDED", { deploymentId: "11111111-1111-4111-8111-111111111111", commit: head }),
    event("prod", "FAILED", { deploymentId: "22222222-2222-4222-8222-222222222222", commit: head, error: "boom" }),
  ]);
  const test = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "instances-apply", "--wave", "test", "--batch", "0"]);
  t.equal(test.code, 0, test.stderr);
  const testPlan = JSON.parse(test.stdout);
  t.same(testPlan.include.map((e: { dir: string; apply_environment: string }) => [e.dir, e.apply_environment]), [["dev/api-web", "dev"]], "entries carry the GitHub environment the apply job runs in");
  t.same(testPlan.skipped, []);
  const prod = JSON.parse((await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "instances-apply", "--wave", "production"])).stdout);
  t.same(prod.include, []);
  t.same(prod.skipped.map((s: { dir: string }) => s.dir), ["prod/api-web2"]);

  const bad = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "instances-apply", "--wave", "canary"]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--wave: unknown wave "canary" \(fix: use one of test, staging, production\)/);
});
