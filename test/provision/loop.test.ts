import t from "tap";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PLAN_COMMENT_MARKER } from "../../src/provision/comment";
import { startProtonServer } from "../support/proton-server";
import { startFakeGitHub } from "./github-fake";
import { startFakeS3 } from "./s3-fake";
import { CONFIG, cli, commit, envArn, git, instanceArn, makeRepo, tmp, write, writeResource } from "./helpers";

const terraformAvailable = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const DEPLOYMENT = "9c1f0e2a-3b4d-4e5f-8a6b-7c8d9e0f1a2b";

const VARIABLES = `variable "environment" {
  type = object({ account_id = string, name = string, outputs = map(string) })
  default = null
}
variable "service" {
  type = object({ name = string, branch_name = string, repository_connection_arn = string, repository_id = string })
}
variable "service_instance" {
  type = object({ name = string, inputs = any, components = map(any) })
  default = null
}
variable "proton_tags" {
  type    = map(string)
  default = null
}
`;

const MAIN = `resource "terraform_data" "app" {
  input = { name = var.service_instance.name, port = var.service_instance.inputs.port }
}
output "url" { value = "https://\${var.service_instance.name}.\${var.environment.outputs.domain}" }
output "port" { value = var.service_instance.inputs.port }
output "subnets" { value = ["subnet-a", "subnet-b"] }
output "tags" { value = var.proton_tags }
output "enabled" { value = true }
output "empty" { value = "" }
output "token" {
  value     = "tok-\${terraform_data.app.id}"
  sensitive = true
}
`;

function tfvars(): string {
  return JSON.stringify(
    {
      environment: { account_id: "123456789012", name: "prod", outputs: { domain: "pizza.example" } },
      service: { name: "api", branch_name: "", repository_connection_arn: "", repository_id: "" },
      service_instance: { name: "web", inputs: { port: 8080 }, components: {} },
      proton_tags: { "proton:account": "123456789012", "proton:service": "api" },
      "//": instanceArn("api", "web"),
    },
    null,
    2,
  );
}

t.test(
  "the whole loop with the real Terraform: detect, plan with comment, merge, apply to S3, report, delete, destroy",
  { skip: terraformAvailable ? false : "terraform not on PATH" },
  async (t) => {
    const [s3, proton, gh] = await Promise.all([startFakeS3(), startProtonServer(), startFakeGitHub()]);
    t.teardown(async () => {
      await Promise.all([s3.close(), proton.close(), gh.close()]);
    });
    const dir = tmp(t);
    // S3 native locking (use_lockfile): a lock table would need DynamoDB, which is not faked here.
    const repo = makeRepo(path.join(dir, "repo"), CONFIG.replace("    lock_table: tf-locks\n", ""));
    const main0 = git(repo, "rev-parse", "HEAD");
    const env = {
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "fake",
      PROTONKIT_S3_ENDPOINT: s3.endpoint,
      PROTONKIT_PROTON_ENDPOINT: proton.endpoint,
      GITHUB_TOKEN: "ghs_test",
      GITHUB_REPOSITORY: "acme/provisioning",
      GITHUB_API_URL: gh.url,
      RUNNER_TEMP: path.join(dir, "runner"),
    };

    // Proton opens a pull request with a new service instance.
    git(repo, "checkout", "-q", "-b", `proton--proton-service-instance-${DEPLOYMENT}`);
    writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: DEPLOYMENT, tf: MAIN });
    write(repo, "prod/api-web/proton.service_instance.variables.tf", VARIABLES);
    write(repo, "prod/api-web/proton.auto.tfvars.json", tfvars());
    const prHead = commit(repo, "Update requested for Proton - service/api/service-instance/web");

    const detected = await cli(["provision", "detect", "--base", main0, "--head", prHead, "--repo", repo], env);
    t.equal(detected.code, 0, detected.stderr);
    const matrix = JSON.parse(detected.stdout) as { include: Array<{ dir: string; action: string }> };
    t.same(matrix.include.map((e) => [e.dir, e.action]), [["prod/api-web", "apply"]]);

    const event = path.join(dir, "event.json");
    fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 3, head: { sha: prHead } } }));
    const plan = await cli(["provision", "plan", "--dir", "prod/api-web", "--repo", repo], { ...env, GITHUB_EVENT_PATH: event });
    t.equal(plan.code, 0, plan.stderr);
    const comment = [...gh.comments.values()][0]?.body ?? "";
    t.ok(comment.startsWith(PLAN_COMMENT_MARKER));
    t.match(comment, /\*\*Plan:\*\* 1 to add, 0 to change, 0 to destroy/);
    t.match(comment, /\+ output\.token \(create, sensitive\)/);
    t.notOk([...s3.objects.keys()].some((k) => k.endsWith(".tfstate")), "a plan writes no state");
    t.equal(git(repo, "status", "--porcelain"), "", "the override file is gone after the plan");

    // Merged: the push to main applies.
    git(repo, "checkout", "-q", "main");
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge pull request #3", `proton--proton-service-instance-${DEPLOYMENT}`);
    const merged = git(repo, "rev-parse", "HEAD");
    const onPush = await cli(["provision", "detect", "--base", main0, "--head", merged, "--repo", repo], env);
    t.same((JSON.parse(onPush.stdout) as { include: Array<{ dir: string }> }).include.map((e) => e.dir), ["prod/api-web"]);

    const applied = await cli(["provision", "apply", "--dir", "prod/api-web", "--repo", repo], env);
    t.equal(applied.code, 0, applied.stderr);
    const stateKey = "acme-tfstate-prod/proton/prod/api-web/terraform.tfstate";
    t.same([...s3.objects.keys()], [stateKey], "state at the stable key, lock file released");
    const state = JSON.parse(s3.objects.get(stateKey)?.toString("utf8") ?? "{}") as { resources: unknown[] };
    t.equal(state.resources.length, 1);
    const reports = proton.accepted();
    t.same(reports.map((r) => r.status), ["IN_PROGRESS", "SUCCEEDED"]);
    t.equal(reports[1].deploymentId, DEPLOYMENT);
    t.same(reports[1].outputs, [
      { key: "enabled", valueString: "true" },
      { key: "port", valueString: "8080" },
      { key: "subnets", valueString: '["subnet-a","subnet-b"]' },
      { key: "tags", valueString: '{"proton:account":"123456789012","proton:service":"api"}' },
      { key: "url", valueString: "https://web.pizza.example" },
    ]);
    t.match(String(reports[1].statusMessage), /Apply complete! Resources: 1 added, 0 changed, 0 destroyed\.; 5 outputs; skipped outputs: sensitive.*token.*empty string.*empty/);
    t.notMatch(applied.stderr, /tok-/, "the sensitive output never reaches the log");
    t.equal(git(repo, "status", "--porcelain"), "");

    // Proton deletes the instance: the files stay, the metadata says so, the loop destroys.
    writeResource(repo, "prod/api-web", {
      arn: instanceArn("api", "web"),
      environmentArn: envArn("prod"),
      deleted: true,
      deploymentId: "<proton-resource-deleted>",
      tf: `# This file is no longer managed by AWS Proton. The associated resource has been deleted in Proton.\n${MAIN}`,
    });
    const deleted = commit(repo, "Update requested for Proton - service/api/service-instance/web");
    const onDelete = await cli(["provision", "detect", "--base", merged, "--head", deleted, "--repo", repo], env);
    t.same((JSON.parse(onDelete.stdout) as { include: Array<{ dir: string; action: string }> }).include.map((e) => [e.dir, e.action]), [["prod/api-web", "destroy"]]);
    const destroyed = await cli(["provision", "apply", "--dir", "prod/api-web", "--repo", repo], env);
    t.equal(destroyed.code, 0, destroyed.stderr);
    const after = JSON.parse(s3.objects.get(stateKey)?.toString("utf8") ?? "{}") as { resources: unknown[] };
    t.same(after.resources, [], "destroyed");
    const last = proton.accepted().slice(2);
    t.same(last.map((r) => [r.status, r.deploymentId, r.outputs]), [
      ["IN_PROGRESS", undefined, undefined],
      ["SUCCEEDED", undefined, undefined],
    ]);
    t.match(String(last[1].statusMessage), /^protonkit: destroyed prod\/api-web: Apply complete! Resources: 0 added, 0 changed, 1 destroyed\.$/);
  },
);
