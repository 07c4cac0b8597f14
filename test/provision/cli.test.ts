import t from "tap";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startProtonServer, type ProtonServer } from "../support/proton-server";
import { startFakeGitHub } from "./github-fake";
import { cli, envArn, git, instanceArn, makeRepo, commit, pipelineArn, write, writeResource, tmp } from "./helpers";

const DEPLOYMENT = "11111111-2222-4333-8444-555555555555";

/** A stand-in Terraform: a shell script answering from files named in the environment. */
function fakeTerraform(dir: string): string {
  const file = path.join(dir, "fake-terraform.sh");
  fs.writeFileSync(
    file,
    [
      "#!/bin/sh",
      'echo "$*" >> "$FAKE_TF_LOG"',
      'case "$1" in',
      '  init) echo "Terraform has been successfully initialized!" ;;',
      '  apply) if [ -n "$FAKE_TF_HANG" ]; then sleep 30 & SP=$!; trap \'kill $SP; echo "Interrupt received." >&2; exit 1\' INT; echo hanging > "$FAKE_TF_HANG"; wait; fi',
      '    cat "$FAKE_TF_APPLY"; exit "${FAKE_TF_APPLY_CODE:-0}" ;;',
      '  output) cat "$FAKE_TF_OUTPUT" ;;',
      '  plan) cat "$FAKE_TF_PLAN"; exit "${FAKE_TF_PLAN_CODE:-0}" ;;',
      '  show) cat "$FAKE_TF_SHOW" ;;',
      "esac",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return file;
}

let proton: ProtonServer;
t.before(async () => {
  proton = await startProtonServer();
});
t.teardown(() => proton.close());

t.test("detect prints the matrix and writes matrix= and count= to $GITHUB_OUTPUT", async (t) => {
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"));
  const base = git(repo, "rev-parse", "HEAD");
  writeResource(repo, "prod", { arn: envArn("prod") });
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "api/pipeline", { arn: pipelineArn("api") });
  const head = commit(repo, "three");
  const out = path.join(dir, "github_output");
  fs.writeFileSync(out, "");
  const r = await cli(["provision", "detect", "--base", base, "--head", head, "--repo", repo], { GITHUB_OUTPUT: out });
  t.equal(r.code, 0, r.stderr);
  const matrix = JSON.parse(r.stdout) as { include: Array<Record<string, string>> };
  t.same(matrix.include.map((e) => e.dir), ["prod", "prod/api-web", "api/pipeline"]);
  t.same(matrix.include[1], {
    dir: "prod/api-web",
    kind: "service-instance",
    name: "web",
    service: "api",
    environment: "prod",
    action: "apply",
    arn: instanceArn("api", "web"),
    plan_environment: "protonkit-plan-prod",
    apply_environment: "prod",
    plan_role_arn: "arn:aws:iam::123456789012:role/protonkit-plan",
    apply_role_arn: "arn:aws:iam::123456789012:role/protonkit-apply",
    region: "eu-west-1",
  });
  t.equal(fs.readFileSync(out, "utf8"), `matrix=${r.stdout.trim()}\ncount=3\n`);
  t.match(r.stderr, /3 changed resources/);

  const none = await cli(["provision", "detect", "--base", head, "--head", head, "--repo", repo, "--no-config"], { GITHUB_OUTPUT: out });
  t.equal(none.stdout, '{"include":[]}\n');
  t.match(fs.readFileSync(out, "utf8"), /count=0\n$/);

  write(repo, "prod/.proton/deployment-metadata.json", '{"deploymentId": ');
  const bad = commit(repo, "broken");
  const failed = await cli(["provision", "detect", "--base", head, "--head", bad, "--repo", repo]);
  t.equal(failed.code, 1);
  t.equal(failed.stdout, "");
  t.match(failed.stderr, /^protonkit: cannot build the deployment matrix: 1 problem\n {2}- prod\/\.proton\/deployment-metadata\.json: not valid JSON/);
});

t.test("resolve prints the derived settings and writes step outputs", async (t) => {
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"));
  writeResource(repo, "environments/staging/web", { arn: instanceArn("api", "web"), environmentArn: envArn("staging") });
  const out = path.join(dir, "github_output");
  const r = await cli(["provision", "resolve", "--dir", "environments/staging/web", "--github-output"], { GITHUB_OUTPUT: out }, repo);
  t.equal(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as Record<string, unknown>;
  t.equal(shown.environment, "staging");
  t.same(shown.backend, { bucket: "acme-tfstate-any", key: "environments/staging/web/terraform.tfstate", region: "us-west-2", encrypt: true, use_lockfile: true });
  t.equal(
    fs.readFileSync(out, "utf8"),
    [
      "kind=service-instance",
      "environment=staging",
      "action=apply",
      "region=us-west-2",
      "plan_role_arn=arn:aws:iam::123456789012:role/protonkit-plan-any",
      "apply_role_arn=arn:aws:iam::123456789012:role/protonkit-apply-any",
      "backend_bucket=acme-tfstate-any",
      "backend_key=environments/staging/web/terraform.tfstate",
      "",
    ].join("\n"),
  );
  const missing = await cli(["provision", "resolve", "--dir", "nowhere"], {}, repo);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /nowhere is not a resource directory: nowhere\/\.proton\/deployment-metadata\.json is missing/);
});

t.test("apply and report-failure through the CLI: real SDK client against the fake Proton", async (t) => {
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: DEPLOYMENT });
  commit(repo, "instance");
  const files = {
    FAKE_TF_LOG: path.join(dir, "tf.log"),
    FAKE_TF_APPLY: path.join(dir, "apply.json"),
    FAKE_TF_OUTPUT: path.join(dir, "output.json"),
  };
  fs.writeFileSync(files.FAKE_TF_APPLY, JSON.stringify({ "@message": "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.", type: "change_summary" }) + "\n");
  fs.writeFileSync(files.FAKE_TF_OUTPUT, JSON.stringify({ url: { value: "https://x", type: "string", sensitive: false }, key: { value: "k-secret", type: "string", sensitive: true } }));
  const env = {
    ...files,
    PROTONKIT_PROTON_ENDPOINT: proton.endpoint,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake",
    RUNNER_TEMP: path.join(dir, "runner-temp"),
  };
  const tfBin = fakeTerraform(dir);
  const ok = await cli(["provision", "apply", "--dir", "prod/api-web", "--repo", repo, "--terraform", tfBin], env);
  t.equal(ok.code, 0, ok.stderr);
  t.same(proton.accepted().map((b) => b.status), ["IN_PROGRESS", "SUCCEEDED"]);
  t.same(proton.accepted()[1].outputs, [{ key: "url", valueString: "https://x" }]);
  t.notMatch(ok.stderr, /k-secret/);
  t.match(fs.readFileSync(files.FAKE_TF_LOG, "utf8"), /^init -input=false -no-color -reconfigure -backend-config=bucket=acme-tfstate-prod .*\nversion -json\napply -input=false -no-color -json -auto-approve -lock-timeout=10m\noutput -json -no-color\n$/);
  t.equal(git(repo, "status", "--porcelain"), "", "the checkout is left clean");

  const skipped = await cli(["provision", "report-failure", "--dir", "prod/api-web", "--repo", repo, "--message", "step failed"], env);
  t.equal(skipped.code, 0);
  t.match(skipped.stderr, /already reported/);
  t.equal(proton.accepted().length, 2);

  fs.writeFileSync(files.FAKE_TF_APPLY, JSON.stringify({ type: "diagnostic", diagnostic: { severity: "error", summary: "AccessDenied", detail: "not authorized to perform: ec2:CreateVpc" } }) + "\n");
  const failed = await cli(["provision", "apply", "--dir", "prod/api-web", "--repo", repo, "--terraform", tfBin], { ...env, FAKE_TF_APPLY_CODE: "1", RUNNER_TEMP: path.join(dir, "rt2") });
  t.equal(failed.code, 1);
  const last = proton.accepted()[3];
  t.equal(last.status, "FAILED");
  t.match(String(last.statusMessage), /Error: AccessDenied\nnot authorized to perform: ec2:CreateVpc$/);

  const cancelled = await cli(["provision", "report-failure", "--dir", "prod/api-web", "--repo", repo, "--message", "cancelled"], { ...env, RUNNER_TEMP: path.join(dir, "rt3") });
  t.equal(cancelled.code, 0, cancelled.stderr);
  t.same(proton.accepted()[4], { resourceArn: instanceArn("api", "web"), status: "FAILED", deploymentId: DEPLOYMENT, statusMessage: "cancelled" });

  const dry = await cli(["provision", "report-failure", "--dir", "prod/api-web", "--repo", repo, "--message", "x", "--dry-run"], { ...env, RUNNER_TEMP: path.join(dir, "rt4") });
  t.equal(dry.code, 0);
  t.match(dry.stderr, /dry run: would notify Proton FAILED/);
  t.equal(proton.accepted().length, 5, "dry run sends nothing");
});

t.test("a cancelled apply interrupts Terraform and still reports FAILED", async (t) => {
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"));
  writeResource(repo, "prod", { arn: envArn("prod"), deploymentId: DEPLOYMENT });
  commit(repo, "env");
  const hang = path.join(dir, "hanging");
  const env = {
    FAKE_TF_LOG: path.join(dir, "tf.log"),
    FAKE_TF_APPLY: path.join(dir, "none"),
    FAKE_TF_HANG: hang,
    PROTONKIT_PROTON_ENDPOINT: proton.endpoint,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake",
    RUNNER_TEMP: path.join(dir, "rt"),
  };
  const before = proton.accepted().length;
  const r = await cli(["provision", "apply", "--dir", "prod", "--repo", repo, "--terraform", fakeTerraform(dir)], env, undefined, (child) => {
    const timer = setInterval(() => {
      if (fs.existsSync(hang)) {
        clearInterval(timer);
        child.kill("SIGINT");
      }
    }, 50);
  });
  t.equal(r.code, 1);
  t.match(r.stderr, /SIGINT received; interrupted 1 Terraform process/);
  const got = proton.accepted().slice(before);
  t.same(got.map((b) => b.status), ["IN_PROGRESS", "FAILED"]);
  t.match(String(got[1].statusMessage), /^protonkit: apply of prod was cancelled \(SIGINT\); Terraform was interrupted: terraform apply failed in prod \(exit 1\):\nInterrupt received\.$/);
  const again = await cli(["provision", "report-failure", "--dir", "prod", "--repo", repo, "--message", "cancelled"], env);
  t.match(again.stderr, /already reported/);
});

t.test("plan through the CLI: a failing plan updates the PR comment and exits 1", async (t) => {
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "prod", { arn: envArn("prod") });
  commit(repo, "two");
  const gh = await startFakeGitHub();
  t.teardown(() => gh.close());
  const event = path.join(dir, "event.json");
  fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 12, head: { sha: "c".repeat(40) } } }));
  const files = {
    FAKE_TF_LOG: path.join(dir, "tf.log"),
    FAKE_TF_PLAN: path.join(dir, "plan.out"),
    FAKE_TF_SHOW: path.join(dir, "show.json"),
  };
  fs.writeFileSync(files.FAKE_TF_PLAN, JSON.stringify({ type: "diagnostic", diagnostic: { severity: "error", summary: "Unsupported argument", detail: 'An argument named "bucket_prefixx" is not expected here.' } }) + "\n");
  fs.writeFileSync(files.FAKE_TF_SHOW, JSON.stringify({ resource_changes: [{ address: "aws_s3_bucket.b", change: { actions: ["create"] } }] }));
  const env = {
    ...files,
    GITHUB_TOKEN: "ghs_test",
    GITHUB_REPOSITORY: "acme/provisioning",
    GITHUB_API_URL: gh.url,
    GITHUB_EVENT_PATH: event,
    GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"),
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake",
  };
  const tfBin = fakeTerraform(dir);
  const okRun = await cli(["provision", "plan", "--dir", "prod", "--repo", repo, "--terraform", tfBin], env);
  t.equal(okRun.code, 0, okRun.stderr);
  const failRun = await cli(["provision", "plan", "--dir", "prod/api-web", "--repo", repo, "--terraform", tfBin, "--comment-file", path.join(dir, "comment.md")], { ...env, FAKE_TF_PLAN_CODE: "1" });
  t.equal(failRun.code, 1);
  const comments = [...gh.comments.values()];
  t.equal(comments.length, 1);
  t.match(comments[0].body, /### 📝 `prod` — environment prod \(prod\)\n\n\*\*Plan:\*\* 1 to add, 0 to change, 0 to destroy at `cccccccccccc`/);
  t.match(comments[0].body, /### ❌ `prod\/api-web`[\s\S]*Unsupported argument[\s\S]*bucket_prefixx/);
  t.equal(fs.readFileSync(path.join(dir, "comment.md"), "utf8"), comments[0].body);
  t.match(fs.readFileSync(env.GITHUB_STEP_SUMMARY, "utf8"), /protonkit plan/);
  t.match(fs.readFileSync(files.FAKE_TF_LOG, "utf8"), /^plan .*-lock=false -out=\S+tfplan$/m);
});

const terraformAvailable = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

t.test("dry runs with the real Terraform: local backend, nothing left behind, secrets hidden", { skip: terraformAvailable ? false : "terraform not on PATH" }, async (t) => {
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"));
  writeResource(repo, "prod/api-web", {
    arn: instanceArn("api", "web"),
    environmentArn: envArn("prod"),
    tf: [
      'variable "db_password" {',
      "  type      = string",
      '  default   = "hunter2-real-tf"',
      "  sensitive = true",
      "}",
      'resource "terraform_data" "db" {',
      "  input = { name = \"pizza\", password = var.db_password }",
      "}",
      'output "name" { value = terraform_data.db.output.name }',
      'output "password" {',
      "  value     = var.db_password",
      "  sensitive = true",
      "}",
      "",
    ].join("\n"),
  });
  commit(repo, "instance");
  const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "fake", PROTONKIT_PROTON_ENDPOINT: proton.endpoint };
  const before = proton.requests.length;
  const plan = await cli(["provision", "plan", "--dir", "prod/api-web", "--repo", repo, "--dry-run", "--comment-file", path.join(dir, "c.md")], env);
  t.equal(plan.code, 0, plan.stderr);
  const body = fs.readFileSync(path.join(dir, "c.md"), "utf8");
  t.match(body, /\*\*Plan:\*\* 1 to add, 0 to change, 0 to destroy/);
  t.match(body, /\+ terraform_data\.db \(create\)/);
  t.match(body, /\+ output\.password \(create, sensitive\)/);
  t.notMatch(body + plan.stderr, /hunter2/);
  const apply = await cli(["provision", "apply", "--dir", "prod/api-web", "--repo", repo, "--dry-run"], env);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stderr, /dry run: Plan: 1 to add, 0 to change, 0 to destroy\.; would run terraform apply -auto-approve/);
  t.match(apply.stderr, /dry run: would notify Proton SUCCEEDED/);
  t.notMatch(apply.stderr, /hunter2/);
  t.equal(proton.requests.length, before, "no Proton call");
  t.equal(git(repo, "status", "--porcelain", "--ignored"), "", "no override file, .terraform or state left in the checkout");
});
