import t from "tap";
import { formatAge } from "../../src/platform/status";
import * as fs from "node:fs";
import * as path from "node:path";
import { IMAGE_DIGEST, NOW, runCli, statusFixture, tmp } from "./ops-helpers";

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
    `RESOURCE                KIND              TEMPLATE     VERSION  LATEST     DEPLOYED  STATUS          AGE  DRIFT                                                ARTIFACT
prod/orders-web         service-instance  pizza-svc    1 (1.1)  1.1        1.1       FAILED          10m  -                                                    orders@sha256:0123456789ab
prod                    environment       pizza-env    1 (1.1)  1.1 (2.0)  1.1       SUCCEEDED       2h   drifted 1h #12                                       -
prod/billing-api        service-instance  pizza-svc    1 (1.1)  1.1        1.1       IN_PROGRESS     45s  check failed                                         -
prod/components/alarms  component         pizza-alarm  1 (1.0)  1.0        -         never deployed  -    -                                                    -
prod/legacy-api         service-instance  pizza-svc    -        -          1.0       SUCCEEDED       40d  -                                                    -
orders/pipeline         pipeline          pizza-svc    1 (1.1)  1.1        1.0       SUCCEEDED       1d   drifted 2d #13 (checked before the last deployment)  -
test                    environment       pizza-env    1.0      1.1 (2.0)  1.0       SUCCEEDED       3d   -                                                    -
test/orders-web-test    service-instance  pizza-svc    1 (1.1)  1.1        1.1       SUCCEEDED       5h   in sync                                              s3://acme-artifacts/orders/cccc/function.zip
prod/orders-web: AccessDeniedException: not authorized to perform ecs:CreateService

8 resources: 1 failed, 1 drifted, 1 in-progress, 1 never-deployed, 1 removed, 2 outdated, 1 ok
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
    artifact: { artifact: IMAGE_DIGEST, source: `https://github.com/acme/orders/commit/${"c".repeat(40)}` },
    health: "failed",
  });
  const byDir = (dir: string): { drift?: unknown; artifact?: unknown; health: string } => status.resources.find((r: { dir: string }) => r.dir === dir);
  t.same(byDir("prod").drift, { status: "drifted", checkedAt: "2026-11-30T11:00:00.000Z", ageSeconds: 3600, since: "2026-11-30T09:00:00.000Z", issue: 12, stale: false });
  t.equal(byDir("prod").health, "drifted", "drift found after the last apply");
  t.same(byDir("orders/pipeline").drift, { status: "drifted", checkedAt: "2026-11-28T12:00:00.000Z", ageSeconds: 172800, since: "2026-11-27T12:00:00.000Z", issue: 13, stale: true });
  t.equal(byDir("orders/pipeline").health, "outdated", "drift checked before the last apply does not count");
  t.same(byDir("test/orders-web-test").artifact, { artifact: "s3://acme-artifacts/orders/cccc/function.zip", codeSha256: "q0Vx=", source: `https://github.com/acme/orders/commit/${"c".repeat(40)}` });
  t.same(status.resources.find((r: { dir: string }) => r.dir === "test").newestMajor, "2.0");
  t.same(status.imports, [{ from: "prod/orders-web", to: "prod/billing-api", spec: "billing/api=BILLING" }]);
  // The same status twice: deterministic.
  t.equal((await runCli(["platform", "status", "--repo", repo, "--now", NOW, "--json"])).out, res.out);
  const bad = await runCli(["platform", "status", "--repo", repo, "--now", "yesterday"]);
  t.equal(bad.code, 1);
  t.match(bad.err, /--now: expected an ISO 8601 time, found "yesterday"/);
});

t.test("provision drift --records-branch records drift where platform status reads it", async (t) => {
  const repo = await statusFixture(t);
  const dir = tmp(t);
  const results = path.join(dir, "results.json");
  const drift = async (list: Array<{ dir: string; exitCode: number }>): Promise<{ code: number; err: string }> => {
    fs.writeFileSync(results, JSON.stringify(list));
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      return await runCli(["provision", "drift", "--results", results, "--dry-run", "--records-branch"]);
    } finally {
      process.chdir(cwd);
    }
  };
  const first = await drift([{ dir: "prod/billing-api", exitCode: 2 }, { dir: "prod", exitCode: 0 }]);
  t.equal(first.code, 0, first.err);
  t.match(first.err, /recorded the drift of 2 resource\(s\) on protonkit\/records at [0-9a-f]{40}/);
  const status = JSON.parse((await runCli(["platform", "status", "--repo", repo, "--json"])).out);
  const byDir = (s: { resources: Array<{ dir: string; drift?: { status: string; since?: string } }> }, d: string): { status: string; since?: string } | undefined => s.resources.find((r) => r.dir === d)?.drift;
  t.equal(byDir(status, "prod")?.status, "in-sync", "this run's check replaces the older one");
  t.equal(byDir(status, "prod/billing-api")?.status, "drifted");
  t.equal(byDir(status, "orders/pipeline")?.status, "drifted", "resources not checked this run keep their record");
  const since = byDir(status, "prod/billing-api")?.since;
  t.match(since, /^\d{4}-\d\d-\d\dT/);
  // A second run that still finds the drift keeps when it was first seen.
  await drift([{ dir: "prod/billing-api", exitCode: 2 }]);
  const again = JSON.parse((await runCli(["platform", "status", "--repo", repo, "--json"])).out);
  t.equal(byDir(again, "prod/billing-api")?.since, since);

  // --drift reads a file instead (what `provision drift --records <file>` writes).
  const file = path.join(dir, "drift.json");
  fs.writeFileSync(file, JSON.stringify({ v: 1, resources: { test: { status: "drifted", checkedAt: "2026-11-30T11:59:00.000Z", issue: 7 } } }));
  const table = await runCli(["platform", "status", "--repo", repo, "--now", NOW, "--drift", file]);
  t.match(table.out, /\ntest +environment .* drifted 1m #7 /);
  t.notMatch(table.out, /#12/, "the file replaces the branch's drift records");
  const missing = await runCli(["platform", "status", "--repo", repo, "--drift", path.join(dir, "nope.json")]);
  t.equal(missing.code, 1);
  t.match(missing.err, /nope\.json: --drift: does not exist/);
});

t.test("an instance whose environment was never applied is pending, as the render says", async (t) => {
  const repo = await statusFixture(t);
  fs.writeFileSync(path.join(repo, "platform/environments/staging.yaml"), "template: pizza-env\nversion: \"1\"\ntier: staging\nspec:\n  proton: EnvironmentSpec\n  spec:\n    vpc_cidr: 10.2.0.0/16\n");
  fs.writeFileSync(
    path.join(repo, "platform/services/menu.yaml"),
    "template: pizza-svc\nversion: \"1\"\nowner: menu\nrepository: { id: acme/menu, branch: main }\nspec:\n  proton: ServiceSpec\n  pipeline:\n    dockerfile: Dockerfile\n  instances:\n    - name: web\n      environment: staging\n      spec:\n        image: menu:1\n",
  );
  const res = await runCli(["platform", "status", "--repo", repo, "--now", NOW]);
  t.equal(res.code, 0, res.err);
  const row = (dir: string): string => res.out.split("\n").find((l) => l.startsWith(`${dir} `)) ?? "";
  t.match(row("staging/menu-web"), /pending \(waits for environment staging\)/);
  t.match(row("menu/pipeline"), /pending \(waits for the instances of service menu\)/);
  t.match(row("staging"), /never deployed/, "the environment itself is simply not deployed yet");
  t.match(res.out, /\n11 resources: 1 failed, 1 drifted, 1 in-progress, 2 pending, 2 never-deployed, 1 removed, 2 outdated, 1 ok\n/);
  const json = JSON.parse((await runCli(["platform", "status", "--repo", repo, "--now", NOW, "--json"])).out);
  const web = json.resources.find((r: { dir: string }) => r.dir === "staging/menu-web");
  t.same([web.health, web.waitingFor], ["pending", "environment staging"]);
});
