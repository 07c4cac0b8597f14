import t from "tap";
import * as net from "node:net";
import { parseProvisioningConfig } from "../../src/provision/config";
import { isUuid, parseDeploymentMetadata, parseProtonArn } from "../../src/provision/metadata";
import { ProtonReporter, buildNotifyInput, tailText } from "../../src/provision/reporter";
import { backendConfigArgs, backendKey, environmentFromDir, identifyResource, normalizeDir, resolveIdentity } from "../../src/provision/resource";
import { HttpStatusError, isTransientError, withRetry } from "../../src/provision/retry";
import { CONFIG, envArn, instanceArn, pipelineArn } from "./helpers";

const config = parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml");

t.test("ARNs: every resource kind, and what is not one", async (t) => {
  t.match(parseProtonArn(envArn("prod")), { kind: "environment", name: "prod", service: "", region: "us-east-1", account: "123456789012" });
  t.match(parseProtonArn(instanceArn("api", "web-prod")), { kind: "service-instance", name: "web-prod", service: "api" });
  t.match(parseProtonArn(pipelineArn("api")), { kind: "pipeline", name: "api", service: "api" });
  t.match(parseProtonArn("arn:aws:proton:eu-west-1:123456789012:component/cache"), { kind: "component", name: "cache", region: "eu-west-1" });
  t.match(parseProtonArn("arn:aws-cn:proton:cn-north-1:123456789012:environment/x"), { kind: "environment" });
  t.match(parseProtonArn("arn:aws:proton:us-east-1:123456789012:environment-template/t"), /names no resource protonkit provisions/);
  t.match(parseProtonArn("arn:aws:s3:::b"), /is not a Proton ARN/);
});

t.test("environment name: ARN first, then the directory layout", async (t) => {
  const meta = (o: object): ReturnType<typeof parseDeploymentMetadata> => parseDeploymentMetadata(JSON.stringify(o), "m.json");
  t.equal(identifyResource("environments/qa/web", meta({ resourceMetadata: { arn: instanceArn("api", "web") } })).environment, "qa", "no environmentArn: from the directory");
  t.equal(identifyResource("qa/api-web", meta({ resourceMetadata: { arn: instanceArn("api", "web") } })).environment, "qa");
  t.equal(identifyResource("x/y", meta({ resourceMetadata: { arn: instanceArn("api", "web"), environmentArn: envArn("prod") } })).environment, "prod");
  t.equal(identifyResource("api/pipeline", meta({ resourceMetadata: { arn: pipelineArn("api") } })).environment, "");
  t.equal(environmentFromDir("environments"), "environments");
  const comp = identifyResource("prod/components/c", meta({ componentMetadata: { arn: "arn:aws:proton:us-east-1:123456789012:component/c", environmentArn: envArn("prod"), componentType: "default" } }));
  t.match(comp, { kind: "component", name: "c", environment: "prod", action: "apply", deleted: false });
  t.throws(() => meta({ resourceMetadata: { arn: instanceArn("a", "b"), environmentArn: instanceArn("a", "c") } }), { message: /environmentArn: .* is not an environment ARN/ });
  t.throws(() => meta([]), { message: /m\.json: must be a JSON object/ });
  t.throws(() => meta({}), { message: /resourceMetadata: is missing/ });
});

t.test("backend: stable key from the directory, lock table or lock file", async (t) => {
  t.equal(backendKey("prod/api-web"), "prod/api-web/terraform.tfstate");
  t.equal(backendKey("prod/api-web", "a/b"), "a/b/prod/api-web/terraform.tfstate");
  const id = identifyResource("prod", parseDeploymentMetadata(JSON.stringify({ resourceMetadata: { arn: envArn("prod") } }), "m"));
  const r = resolveIdentity("/repo", id, config);
  t.same(r.backend, { bucket: "acme-tfstate-prod", key: "proton/prod/terraform.tfstate", region: "eu-west-1", encrypt: true, dynamodb_table: "tf-locks" });
  t.equal(r.absDir, "/repo/prod");
  t.same(backendConfigArgs({ bucket: "b", key: "k", region: "r", encrypt: true, use_lockfile: true }), [
    "-backend-config=bucket=b",
    "-backend-config=key=k",
    "-backend-config=region=r",
    "-backend-config=encrypt=true",
    "-backend-config=use_lockfile=true",
  ]);
  t.equal(normalizeDir("/repo", "prod/api-web/"), "prod/api-web");
  t.equal(normalizeDir("/repo", "/repo/prod"), "prod");
  t.throws(() => normalizeDir("/repo", "../other"), { message: /--dir: "\.\.\/other" is not a directory inside the repository/ });
  t.throws(() => normalizeDir("/repo", "."), { message: /--dir/ });
});

t.test("retry: transient errors only, bounded, exponential", async (t) => {
  const transient: unknown[] = [
    Object.assign(new Error("x"), { name: "ThrottlingException" }),
    Object.assign(new Error("x"), { $metadata: { httpStatusCode: 503 } }),
    Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }),
    new HttpStatusError("x", 429),
    new HttpStatusError("x", 502),
  ];
  for (const e of transient) t.ok(isTransientError(e), String((e as Error).name));
  for (const e of [Object.assign(new Error("x"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } }), new HttpStatusError("x", 404), "str", null]) {
    t.notOk(isTransientError(e));
  }
  const delays: number[] = [];
  let calls = 0;
  await t.rejects(
    withRetry(
      async () => {
        calls++;
        throw new HttpStatusError("down", 503);
      },
      { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000, sleep: async (ms) => void delays.push(ms), random: () => 0.999999 },
    ),
    { message: "down" },
  );
  t.equal(calls, 6);
  t.same(delays, [100, 200, 400, 800, 1000]);
  calls = 0;
  await t.rejects(withRetry(async () => { calls++; throw new HttpStatusError("nope", 400); }, { sleep: async () => undefined }));
  t.equal(calls, 1, "not retried");
});

t.test("reporter: network errors are retried, then fail; messages are cut at the front", async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const retries: number[] = [];
  const reporter = new ProtonReporter({
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" },
    retry: { attempts: 3, sleep: async (ms) => void retries.push(ms) },
  });
  await t.rejects(reporter.report({ arn: envArn("prod") }, "FAILED", { statusMessage: "x" }));
  t.equal(retries.length, 2, "connection refused retried");
  t.equal(tailText("abcdef", 4), "cdef");
  t.equal(tailText("abc", 4), "abc");
  t.equal(tailText("0123456789".repeat(10), 20).length, 20);
  t.match(tailText("0123456789".repeat(10), 20), /^\[\.\.\.\] .*9$/);
  t.same(buildNotifyInput({ arn: "a", deploymentId: "<proton-resource-deleted>" }, "SUCCEEDED", { outputs: [] }), { resourceArn: "a", status: "SUCCEEDED" });
  t.ok(isUuid("6b9a8c1e-0d4f-4e3a-9b2c-1a2b3c4d5e6f"));
  t.notOk(isUuid("6B9A8C1E-0D4F-4E3A-9B2C-1A2B3C4D5E6F"), "the API pattern is lowercase");
  t.notOk(isUuid("<proton-resource-deleted>"));
  t.equal(buildNotifyInput({ arn: "a" }, "FAILED", { statusMessage: "m".repeat(6000) }).statusMessage?.length, 5000);
});
