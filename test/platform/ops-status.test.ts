import t from "tap";
import { formatAge } from "../../src/platform/status";
import { NOW, runCli, statusFixture } from "./ops-helpers";

t.test("ages", async (t) => {
  t.same([0, 59, 60, 3599, 3600, 86399, 86400, 40 * 86400].map(formatAge), ["0s", "59s", "1m", "59m", "1h", "23h", "1d", "40d"]);
});

t.test("protonkit platform status: golden table, failures first", async (t) => {
  const repo = await statusFixture(t);
  const res = await runCli(["platform", "status", "--repo", repo, "--now", NOW]);
  t.equal(res.code, 0, res.err);
  const records = res.out.match(/records at ([0-9a-f]{12})/)?.[1] ?? "";
  t.equal(
    res.out.replace(records, "<records>"),
    `RESOURCE                KIND              TEMPLATE     VERSION  LATEST     DEPLOYED  STATUS          AGE
prod/orders-web         service-instance  pizza-svc    1 (1.1)  1.1        1.1       FAILED          10m
prod/billing-api        service-instance  pizza-svc    1 (1.1)  1.1        1.1       IN_PROGRESS     45s
prod/components/alarms  component         pizza-alarm  1 (1.0)  1.0        -         never deployed  -
prod/legacy-api         service-instance  pizza-svc    -        -          1.0       SUCCEEDED       40d
orders/pipeline         pipeline          pizza-svc    1 (1.1)  1.1        1.0       SUCCEEDED       1d
test                    environment       pizza-env    1.0      1.1 (2.0)  1.0       SUCCEEDED       3d
prod                    environment       pizza-env    1 (1.1)  1.1 (2.0)  1.1       SUCCEEDED       2h
test/orders-web-test    service-instance  pizza-svc    1 (1.1)  1.1        1.1       SUCCEEDED       5h
prod/orders-web: AccessDeniedException: not authorized to perform ecs:CreateService

8 resources: 1 failed, 1 in-progress, 1 never-deployed, 1 removed, 2 outdated, 2 ok
records at <records>, as of 2026-11-30T12:00:00.000Z
`,
  );
});

t.test("protonkit platform status --json", async (t) => {
  const repo = await statusFixture(t);
  const res = await runCli(["platform", "status", "--repo", repo, "--now", NOW, "--json"]);
  t.equal(res.code, 0, res.err);
  const status = JSON.parse(res.out);
  t.equal(status.now, "2026-11-30T12:00:00.000Z");
  t.match(status.records, /^[0-9a-f]{40}$/);
  t.same(status.resources[0], {
    dir: "prod/orders-web",
    kind: "service-instance",
    name: "web",
    environment: "prod",
    service: "orders",
    template: "pizza-svc",
    requested: "1",
    version: "1.1",
    latest: "1.1",
    deployment: {
      id: "i1",
      version: "1.1",
      status: "FAILED",
      startedAt: "2026-11-30T11:50:00.000Z",
      endedAt: "2026-11-30T11:50:00.000Z",
      ageSeconds: 600,
      error: "Error: creating ECS Service (orders-web)\nAccessDeniedException: not authorized to perform ecs:CreateService",
    },
    health: "failed",
  });
  t.same(status.resources.find((r: { dir: string }) => r.dir === "test").newestMajor, "2.0");
  t.same(status.imports, [{ from: "prod/orders-web", to: "prod/billing-api", spec: "billing/api=BILLING" }]);
  // The same status twice: deterministic.
  t.equal((await runCli(["platform", "status", "--repo", repo, "--now", NOW, "--json"])).out, res.out);
  const bad = await runCli(["platform", "status", "--repo", repo, "--now", "yesterday"]);
  t.equal(bad.code, 1);
  t.match(bad.err, /--now: expected an ISO 8601 time, found "yesterday"/);
});
