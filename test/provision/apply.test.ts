import t from "tap";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NotifyResourceDeploymentStatusChangeCommand, ProtonClient } from "@aws-sdk/client-proton";
import { applyResource, reportFailure, type ApplyContext } from "../../src/provision/apply";
import { parseProvisioningConfig } from "../../src/provision/config";
import { ConsoleReporter, ProtonReporter } from "../../src/provision/reporter";
import { BACKEND_OVERRIDE_FILE } from "../../src/provision/terraform";
import { startProtonServer, type ProtonServer } from "../support/proton-server";
import { CONFIG, FakeTerraform, applyJson, envArn, errorJson, instanceArn, makeRepo, tmp, writeResource } from "./helpers";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "fake-secret" };
const DEPLOYMENT = "6b9a8c1e-0d4f-4e3a-9b2c-1a2b3c4d5e6f";

let server: ProtonServer;
t.before(async () => {
  server = await startProtonServer();
});
const stateDirs: string[] = [];
t.teardown(async () => {
  await server.close();
  for (const d of stateDirs) fs.rmSync(d, { recursive: true, force: true });
});
t.beforeEach(() => {
  server.requests.length = 0;
});

function context(_t: unknown, repo: string, runner: FakeTerraform, config = CONFIG, retries: number[] = []): ApplyContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    repo,
    loadConfig: () => parseProvisioningConfig(config, ".protonkit/provisioning.yaml"),
    reporterFor: (reporting) =>
      reporting === "none"
        ? new ConsoleReporter((l) => logs.push(l))
        : new ProtonReporter({
            endpoint: server.endpoint,
            credentials,
            log: (l) => logs.push(l),
            retry: { sleep: async (ms) => void retries.push(ms), random: () => 0.5 },
          }),
    runner,
    settings: { binary: "terraform" },
    dryRun: false,
    stateDir: (() => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-provision-state-"));
      stateDirs.push(d);
      return d;
    })(),
    log: (l) => logs.push(l),
    logs,
  };
}

const outputsJson = JSON.stringify({
  vpc_id: { value: "vpc-0abc", type: "string", sensitive: false },
  az_count: { value: 3, type: "number", sensitive: false },
  subnets: { value: ["subnet-a", "subnet-b"], type: ["list", "string"], sensitive: false },
  tags: { value: { team: "pizza" }, type: ["map", "string"], sensitive: false },
  empty: { value: "", type: "string", sensitive: false },
  db_password: { value: "hunter2-secret", type: "string", sensitive: true },
});

function instanceRepo(dir: string, config = CONFIG): string {
  const repo = makeRepo(dir, config);
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod"), deploymentId: DEPLOYMENT });
  return repo;
}

t.test("apply: IN_PROGRESS, then SUCCEEDED with encoded outputs through the real SDK client", async (t) => {
  const repo = instanceRepo(tmp(t));
  let overrideSeen = "";
  const tf = new FakeTerraform({
    init: () => {
      overrideSeen = fs.readFileSync(path.join(repo, "prod/api-web", BACKEND_OVERRIDE_FILE), "utf8");
      return {};
    },
    apply: { stdout: applyJson() },
    output: { stdout: outputsJson },
  });
  const ctx = context(t, repo, tf);
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.ok, true);
  t.equal(r.status, "SUCCEEDED");
  t.same(tf.commands(), ["init", "apply", "output"]);
  t.same(
    tf.calls[0].args.filter((a) => a.startsWith("-backend-config")),
    [
      "-backend-config=bucket=acme-tfstate-prod",
      "-backend-config=key=proton/prod/api-web/terraform.tfstate",
      "-backend-config=region=eu-west-1",
      "-backend-config=encrypt=true",
      "-backend-config=dynamodb_table=tf-locks",
    ],
  );
  t.match(overrideSeen, /backend "s3" \{\}/);
  t.notOk(fs.existsSync(path.join(repo, "prod/api-web", BACKEND_OVERRIDE_FILE)), "override removed afterwards");
  t.equal(tf.calls[1].cwd, path.join(repo, "prod/api-web"));
  t.equal(tf.calls[1].env.TF_IN_AUTOMATION, "1");
  const got = server.accepted();
  t.equal(got.length, 2);
  t.same(got[0], {
    resourceArn: instanceArn("api", "web"),
    status: "IN_PROGRESS",
    deploymentId: DEPLOYMENT,
    statusMessage: "protonkit: apply started for prod/api-web",
  });
  t.same(got[1].outputs, [
    { key: "az_count", valueString: "3" },
    { key: "subnets", valueString: '["subnet-a","subnet-b"]' },
    { key: "tags", valueString: '{"team":"pizza"}' },
    { key: "vpc_id", valueString: "vpc-0abc" },
  ]);
  t.equal(got[1].status, "SUCCEEDED");
  t.equal(got[1].deploymentId, DEPLOYMENT);
  t.match(got[1].statusMessage, /^protonkit: applied prod\/api-web: Apply complete! Resources: 1 added.*; 4 outputs; skipped outputs: sensitive.*db_password.*empty string.*empty/);
  t.notMatch(JSON.stringify(server.requests) + ctx.logs.join("\n"), /hunter2/, "sensitive value neither sent nor logged");
});

t.test("report_sensitive_outputs: true sends sensitive outputs, still never logs them", async (t) => {
  const repo = instanceRepo(tmp(t), CONFIG + "report_sensitive_outputs: true\n");
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: outputsJson } });
  const ctx = context(t, repo, tf, CONFIG + "report_sensitive_outputs: true\n");
  await applyResource("prod/api-web", ctx);
  t.same((server.accepted()[1].outputs as Array<{ key: string }>).find((o) => o.key === "db_password"), { key: "db_password", valueString: "hunter2-secret" });
  t.notMatch(ctx.logs.join("\n"), /hunter2/);
});

t.test("a failing apply reports FAILED with the end of the error, and exits non-zero", async (t) => {
  const repo = instanceRepo(tmp(t));
  const noise = Array.from({ length: 400 }, (_, i) => JSON.stringify({ "@level": "info", "@message": `aws_thing.n[${i}]: Still creating...`, type: "apply_progress" })).join("\n");
  const tf = new FakeTerraform({
    apply: { code: 1, stdout: `${noise}\n${errorJson("creating S3 Bucket (acme): BucketAlreadyExists", "x".repeat(5000) + " THE-USEFUL-END")}` },
  });
  const ctx = context(t, repo, tf);
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.ok, false);
  t.equal(r.status, "FAILED");
  t.same(tf.commands(), ["init", "apply"], "no output step after a failed apply");
  const got = server.accepted();
  t.same(got.map((g) => g.status), ["IN_PROGRESS", "FAILED"]);
  const msg = String(got[1].statusMessage);
  t.ok(msg.length <= 4000, `message within 4000 (${msg.length})`);
  t.match(msg, /^protonkit: apply of prod\/api-web failed: terraform apply failed in prod\/api-web \(exit 1\):/, "keeps the first line");
  t.match(msg, /THE-USEFUL-END$/, "keeps the end");
  t.equal(got[1].outputs, undefined);
  t.notOk(fs.existsSync(path.join(repo, "prod/api-web", BACKEND_OVERRIDE_FILE)));
});

t.test("a failing init and a crashing runner are reported FAILED too", async (t) => {
  const repo = instanceRepo(tmp(t));
  const tf = new FakeTerraform({ init: { code: 1, stderr: "Error: Failed to get existing workspaces: AccessDenied" } });
  await applyResource("prod/api-web", context(t, repo, tf));
  t.match(String(server.accepted()[1].statusMessage), /terraform init failed in prod\/api-web \(exit 1\):\nError: Failed to get existing workspaces: AccessDenied/);

  server.requests.length = 0;
  const crashing = new FakeTerraform({
    apply: () => {
      throw new Error("spawn terraform ENOENT");
    },
  });
  const r = await applyResource("prod/api-web", context(t, repo, crashing));
  t.equal(r.status, "FAILED");
  t.same(server.accepted().map((g) => [g.status, g.statusMessage]), [
    ["IN_PROGRESS", "protonkit: apply started for prod/api-web"],
    ["FAILED", "protonkit: apply of prod/api-web failed: spawn terraform ENOENT"],
  ]);
});

t.test("a transient init failure is retried; a configuration error is not", async (t) => {
  const repo = instanceRepo(tmp(t));
  let inits = 0;
  const tf = new FakeTerraform({
    init: () => (++inits === 1 ? { code: 1, stderr: "Error: error loading state: RequestError: send request failed: read tcp: connection reset by peer" } : {}),
    apply: { stdout: applyJson() },
    output: { stdout: "{}" },
  });
  const waits: number[] = [];
  const ctx = { ...context(t, repo, tf), initRetryWait: async (ms: number) => void waits.push(ms) };
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.status, "SUCCEEDED");
  t.same(tf.commands(), ["init", "init", "apply", "output"]);
  t.same(waits, [2000]);
  t.match(ctx.logs.join("\n"), /terraform init failed \(attempt 1\), looks transient/);
  const bad = new FakeTerraform({ init: { code: 1, stderr: "Error: Unsupported argument" } });
  await applyResource("prod/api-web", { ...context(t, repo, bad), initRetryWait: async () => undefined });
  t.same(bad.commands(), ["init"]);
});

t.test("too many outputs fail the deployment, naming the problem", async (t) => {
  const repo = instanceRepo(tmp(t));
  const many: Record<string, { value: string }> = {};
  for (let i = 0; i < 51; i++) many[`out${i}`] = { value: "v" };
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: JSON.stringify(many) } });
  const r = await applyResource("prod/api-web", context(t, repo, tf));
  t.equal(r.status, "FAILED");
  t.match(String(server.accepted()[1].statusMessage), /cannot report the Terraform outputs to Proton[\s\S]*51 outputs to report; Proton accepts at most 50/);
});

t.test("a deleted resource is destroyed and reported without outputs or the placeholder deploymentId", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "environments/staging", { arn: envArn("staging"), deleted: true, deploymentId: "<proton-resource-deleted>" });
  const tf = new FakeTerraform({ "apply -destroy": { stdout: applyJson("Destroy complete! Resources: 3 destroyed.") } });
  const ctx = context(t, repo, tf);
  const r = await applyResource("environments/staging", ctx);
  t.equal(r.ok, true);
  t.same(tf.commands(), ["init", "apply -destroy"]);
  t.match(tf.calls[0].args.join(" "), /-backend-config=key=environments\/staging\/terraform\.tfstate -backend-config=region=us-west-2 -backend-config=encrypt=true -backend-config=use_lockfile=true/);
  t.same(server.accepted(), [
    { resourceArn: envArn("staging"), status: "IN_PROGRESS", statusMessage: "protonkit: destroy started for environments/staging" },
    { resourceArn: envArn("staging"), status: "SUCCEEDED", statusMessage: "protonkit: destroyed environments/staging: Destroy complete! Resources: 3 destroyed." },
  ]);
});

t.test("Proton no longer knowing a deleted resource is not an error", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-old", { arn: instanceArn("api", "old"), environmentArn: envArn("prod"), deleted: true, deploymentId: "<proton-resource-deleted>" });
  const tf = new FakeTerraform({ "apply -destroy": { stdout: applyJson("Destroy complete! Resources: 1 destroyed.") } });
  server.failNext("ResourceNotFoundException", 400, 2, "Resource not found");
  const ctx = context(t, repo, tf);
  const r = await applyResource("prod/api-old", ctx);
  t.equal(r.ok, true);
  t.same(server.requests.map((q) => [q.body.status, q.answered]), [["IN_PROGRESS", 400], ["SUCCEEDED", 400]]);
  t.match(ctx.logs.join("\n"), /no longer exists \(deleted\); SUCCEEDED not recorded there/);
});

t.test("a throttled report is retried with backoff", async (t) => {
  const repo = instanceRepo(tmp(t));
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: "{}" } });
  const retries: number[] = [];
  server.failNext("ThrottlingException", 400, 1);
  const ctx = context(t, repo, tf, CONFIG, retries);
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.ok, true);
  t.same(server.requests.map((q) => [q.body.status, q.answered]), [
    ["IN_PROGRESS", 400],
    ["IN_PROGRESS", 200],
    ["SUCCEEDED", 200],
  ]);
  t.same(retries, [750]);
  t.match(ctx.logs.join("\n"), /Proton: ThrottlingException on attempt 1, retrying in 750 ms/);

  server.requests.length = 0;
  server.failNext("InternalServerException", 500, 2, "boom");
  await applyResource("prod/api-web", context(t, repo, tf, CONFIG, retries));
  t.same(server.requests.map((q) => q.answered), [500, 500, 200, 200], "5xx retried");
});

t.test("a report Proton rejects is not retried and fails the job, after Terraform ran", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod", { arn: envArn("prod"), deploymentId: "not-a-uuid" });
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: "{}" } });
  server.failNext("ValidationException", 400, 1, "bad");
  const ctx = context(t, repo, tf);
  const r = await applyResource("prod", ctx);
  t.equal(r.status, "SUCCEEDED");
  t.equal(r.ok, false, "an undelivered report fails the job");
  t.same(server.requests.map((q) => q.answered), [400, 200]);
  t.equal(server.requests[1].body.deploymentId, undefined, "a non-UUID deploymentId is not sent");
  t.match(ctx.logs.join("\n"), /could not report IN_PROGRESS to proton: bad/);
  t.equal(await reportFailure("prod", "job failed", ctx), false, "the delivered SUCCEEDED is not overwritten by FAILED");
  t.equal(server.accepted().length, 1);
});

t.test("an undelivered final status is re-sent as it was by report-failure", async (t) => {
  const repo = instanceRepo(tmp(t));
  const tf = new FakeTerraform({
    apply: () => {
      server.failNext("AccessDeniedException", 400, 1, "not authorized");
      return { stdout: applyJson() };
    },
    output: { stdout: outputsJson },
  });
  const ctx = context(t, repo, tf);
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.status, "SUCCEEDED");
  t.equal(r.ok, false);
  t.same(server.requests.map((q) => [q.body.status, q.answered]), [["IN_PROGRESS", 200], ["SUCCEEDED", 400]]);
  t.equal(await reportFailure("prod/api-web", "job failed", ctx), true);
  const resent = server.accepted()[1];
  t.equal(resent.status, "SUCCEEDED", "not FAILED: the apply succeeded");
  t.equal((resent.outputs as unknown[]).length, 4);
  t.equal(await reportFailure("prod/api-web", "job failed", ctx), false, "delivered now");
});

t.test("a missing configuration entry is reported FAILED without running Terraform", async (t) => {
  const noStar = CONFIG.replace(/ {2}"\*":[\s\S]*?reporting/, "reporting");
  const repo = makeRepo(tmp(t), noStar);
  writeResource(repo, "qa", { arn: envArn("qa") });
  const tf = new FakeTerraform();
  const r = await applyResource("qa", context(t, repo, tf, noStar));
  t.equal(r.status, "FAILED");
  t.same(tf.calls, []);
  t.match(String(server.accepted()[1].statusMessage), /\.protonkit\/provisioning\.yaml: environments\.qa: no entry for environment "qa"/);
});

t.test("reporting: none reports nothing to Proton", async (t) => {
  const cfg = CONFIG.replace("reporting: proton", "reporting: none");
  const repo = instanceRepo(tmp(t), cfg);
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: outputsJson } });
  const ctx = context(t, repo, tf, cfg);
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.ok, true);
  t.same(server.requests, []);
  t.match(ctx.logs.join("\n"), /reporting: none|would report SUCCEEDED/);
});

t.test("dry run: local backend, plan instead of apply, nothing sent", async (t) => {
  const repo = instanceRepo(tmp(t));
  const tf = new FakeTerraform({ plan: { stdout: applyJson("Plan: 1 to add, 0 to change, 0 to destroy.") } });
  const logs: string[] = [];
  const ctx = { ...context(t, repo, tf), dryRun: true, reporterFor: () => new ConsoleReporter((l) => logs.push(l), "would notify") };
  const r = await applyResource("prod/api-web", ctx);
  t.equal(r.status, "SUCCEEDED");
  t.same(tf.commands(), ["init", "plan"]);
  t.notOk(tf.calls[0].args.some((a) => a.startsWith("-backend-config")));
  t.ok(tf.calls[0].env.TF_DATA_DIR, "data dir outside the checkout");
  t.same(server.requests, []);
  t.equal(logs.length, 2);
  t.match(logs[1], /^would notify SUCCEEDED: /);
});

t.test("report-failure: reports FAILED unless apply already reported a final status", async (t) => {
  const repo = instanceRepo(tmp(t));
  const tf = new FakeTerraform({ apply: { stdout: applyJson() }, output: { stdout: "{}" } });
  const ctx = context(t, repo, tf);
  t.equal(await reportFailure("prod/api-web", "The job was cancelled", ctx), true);
  t.same(server.accepted().map((g) => [g.status, g.statusMessage, g.deploymentId]), [["FAILED", "The job was cancelled", DEPLOYMENT]]);
  server.requests.length = 0;
  const fresh = instanceRepo(tmp(t));
  const ctx2 = context(t, fresh, tf);
  await applyResource("prod/api-web", ctx2);
  t.equal(await reportFailure("prod/api-web", "step failed", ctx2), false, "apply's own report stands");
  t.equal(server.accepted().length, 2);
  t.equal(await reportFailure("prod/api-web", "x".repeat(6000) + "END", ctx2, { force: true }), true);
  const last = server.accepted()[2];
  t.ok(String(last.statusMessage).length <= 4000);
  t.match(String(last.statusMessage), /END$/);
});

t.test("the fake Proton enforces the API limits against the real client", async (t) => {
  const client = new ProtonClient({ region: "us-east-1", endpoint: server.endpoint, credentials, maxAttempts: 1 });
  const send = (input: ConstructorParameters<typeof NotifyResourceDeploymentStatusChangeCommand>[0]): Promise<unknown> =>
    client.send(new NotifyResourceDeploymentStatusChangeCommand(input));
  const arn = envArn("prod");
  await t.rejects(send({ resourceArn: "a".repeat(201), status: "SUCCEEDED" }), { name: "ValidationException", message: /resourceArn/ });
  await t.rejects(send({ resourceArn: arn, status: "DONE" as "SUCCEEDED" }), { name: "ValidationException", message: /enum/ });
  await t.rejects(send({ resourceArn: arn, deploymentId: "nope" }), { name: "ValidationException", message: /deploymentId/ });
  await t.rejects(send({ resourceArn: arn, deploymentId: DEPLOYMENT.toUpperCase() }), { name: "ValidationException", message: /deploymentId/ });
  await t.rejects(send({ resourceArn: "not-an-arn" }), { name: "ValidationException", message: /resourceArn.*pattern/ });
  await t.rejects(send({ resourceArn: arn, statusMessage: "m".repeat(5001) }), { name: "ValidationException", message: /statusMessage/ });
  await t.rejects(send({ resourceArn: arn, outputs: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, valueString: "v" })) }), { name: "ValidationException", message: /outputs/ });
  await t.rejects(send({ resourceArn: arn, outputs: [{ key: "k", valueString: "" }] }), { name: "ValidationException", message: /valueString/ });
  await t.rejects(send({ resourceArn: arn, outputs: [{ key: "k".repeat(1025), valueString: "v" }] }), { name: "ValidationException", message: /key/ });
  server.failNext("ThrottlingException");
  await t.rejects(send({ resourceArn: arn, status: "SUCCEEDED" }), { name: "ThrottlingException" });
  await send({ resourceArn: arn, status: "SUCCEEDED", deploymentId: DEPLOYMENT, statusMessage: "m".repeat(5000) });
  t.equal(server.accepted().length, 1);
  t.equal(server.requests[0].target, "AwsProton20200720.NotifyResourceDeploymentStatusChange");
});
