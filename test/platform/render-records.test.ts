// Which records a render reads: in a clone (no local records branch), with the local branch
// behind origin's, and with no records at all while directories are already rendered.
import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DeploymentEvent } from "../../src/platform/records-store";
import { RecordsStore } from "../../src/platform/records-store";
import { ENV_FILE, SERVICE_FILE, cli, commitAll, git, initRepo, initialCatalog, platformConfig, publish, snapshot, tmpDir, writeFiles } from "./fixture";

const base = tmpDir(t, "protonkit-platform-records-ref-");
process.env.PROTONKIT_CACHE_DIR = path.join(base, "cache");
let n = 0;

function event(resource: string, outputs: Record<string, string>): DeploymentEvent {
  const kind: DeploymentEvent["kind"] = resource.includes("/") ? "service-instance" : "environment";
  return { v: 1, resource, kind, arn: `arn:${resource}`, deploymentId: "d", status: "SUCCEEDED", at: "2026-11-30T10:00:00.000Z", outputs };
}

/** A platform rendered with prod applied, pushed (main and the records branch) to a bare origin, and a fresh clone of it. */
async function cloned(): Promise<{ origin: string; author: string; clone: string }> {
  const dir = path.join(base, `case-${n++}`);
  const catalog = path.join(dir, "catalog");
  const author = path.join(dir, "author");
  const origin = path.join(dir, "origin.git");
  const clone = path.join(dir, "clone");
  for (const d of [catalog, author]) fs.mkdirSync(d, { recursive: true });
  initRepo(catalog);
  publish(catalog, initialCatalog(), "catalog 1.0");
  initRepo(author);
  writeFiles(author, { ".protonkit/platform.yaml": platformConfig(catalog), ".gitignore": ".protonkit/cache/\n", "platform/environments/prod.yaml": ENV_FILE, "platform/services/orders.yaml": SERVICE_FILE });
  await new RecordsStore({ repo: author }).append([event("prod", { vpc_id: "vpc-1" })]);
  const res = await cli(author, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  commitAll(author, "render");
  git(dir, "init", "-q", "--bare", "-b", "main", origin);
  git(author, "remote", "add", "origin", origin);
  git(author, "push", "-q", "origin", "main", "protonkit/records");
  git(dir, "clone", "-q", origin, clone);
  git(clone, "config", "user.name", "Test");
  git(clone, "config", "user.email", "test@example.com");
  return { origin, author, clone };
}

const bumpPort = (repo: string): void => writeFiles(repo, { "platform/services/orders.yaml": SERVICE_FILE.replace("port: 8080", "port: 9090") });

t.test("a clone reads origin's records: render, render --check and status agree", async (t) => {
  const { clone } = await cloned();
  t.equal(git(clone, "branch", "--list", "protonkit/records"), "", "a clone has no local records branch");
  let res = await cli(clone, ["platform", "render", "--check"]);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /^catalog at [0-9a-f]{12}, records at [0-9a-f]{12} \(refs\/remotes\/origin\/protonkit\/records\)\n0 files differ/);
  bumpPort(clone);
  res = await cli(clone, ["platform", "render", "--check"]);
  t.equal(res.code, 1, "the change is stale against origin's records");
  t.match(res.err, /prod\/orders-orders-a\/proton\.auto\.tfvars\.json: differs from the desired state \(fix: run `protonkit platform render` and commit the result\)/);
  res = await cli(clone, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /wrote prod\/orders-orders-a\/ \(service_instance orders-a, web:1\.0\)/);
  t.notMatch(res.out, /pending/);
  t.match(fs.readFileSync(path.join(clone, "prod/orders-orders-a/proton.auto.tfvars.json"), "utf8"), /"vpc_id" : "vpc-1"/);
  const status = await cli(clone, ["platform", "status", "--json"]);
  t.equal(status.code, 0, status.err);
  t.equal(JSON.parse(status.out).records, git(clone, "rev-parse", "refs/remotes/origin/protonkit/records"), "status reads the same records");
});

t.test("a local records branch behind origin's: origin's is read", async (t) => {
  const { author, clone } = await cloned();
  git(clone, "branch", "protonkit/records", "refs/remotes/origin/protonkit/records");
  const old = git(clone, "rev-parse", "protonkit/records");
  await new RecordsStore({ repo: author, remote: "origin" }).append([event("prod", { vpc_id: "vpc-2" })]);
  git(clone, "fetch", "-q", "origin", "+refs/heads/protonkit/records:refs/remotes/origin/protonkit/records");
  const res = await cli(clone, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /records at [0-9a-f]{12} \(refs\/remotes\/origin\/protonkit\/records\)/);
  t.match(fs.readFileSync(path.join(clone, "prod/orders-orders-a/proton.auto.tfvars.json"), "utf8"), /"vpc_id" : "vpc-2"/, "the newer outputs");
  t.equal(git(clone, "rev-parse", "protonkit/records"), old, "the local branch is not moved");
});

t.test("no records at all while directories are rendered: refused, naming the ref and the fix", async (t) => {
  const { clone } = await cloned();
  git(clone, "update-ref", "-d", "refs/remotes/origin/protonkit/records");
  bumpPort(clone);
  const before = snapshot(clone);
  let res = await cli(clone, ["platform", "render"]);
  t.equal(res.code, 1);
  const fix = "(fix: fetch the records: `git fetch origin +protonkit/records:protonkit/records`, or pass --records <ref>)";
  t.equal(
    res.err,
    [
      "protonkit: platform render: no records found at protonkit/records (it does not exist in this repository), but 3 rendered directories need recorded outputs; nothing was written",
      `  - --records: orders/pipeline/ is rendered, but would be left pending: it waits until every instance of the service renders ${fix}`,
      `  - --records: prod/orders-orders-a/ is rendered, but would be left pending: it waits for the first apply of environment prod (its outputs are not recorded yet) ${fix}`,
      `  - --records: prod/orders-orders-b/ is rendered, but would be left pending: it waits for the first apply of environment prod (its outputs are not recorded yet) ${fix}`,
      "",
    ].join("\n"),
  );
  t.same(snapshot(clone), before, "nothing written");
  res = await cli(clone, ["platform", "render", "--check"]);
  t.equal(res.code, 1, "--check refuses too");
  res = await cli(clone, ["platform", "render", "--records", "origin/nosuch"]);
  t.equal(res.code, 1);
  t.match(res.err, /no records found at origin\/nosuch [\s\S]*\(fix: pass --records a ref that exists here/);
  // The fix given works.
  git(clone, "fetch", "-q", "origin", "+protonkit/records:protonkit/records");
  res = await cli(clone, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /^catalog at [0-9a-f]{12}, records at [0-9a-f]{12}\n/, "the local branch, not named");
  t.match(res.out, /wrote prod\/orders-orders-a\//);
});

t.test("render --check --records names that ref in its fix", async (t) => {
  const { clone } = await cloned();
  bumpPort(clone);
  const res = await cli(clone, ["platform", "render", "--check", "--records", "origin/protonkit/records"]);
  t.equal(res.code, 1);
  t.match(res.err, /^protonkit: the committed render is stale against the desired state, the catalog at [0-9a-f]{12} and the records at [0-9a-f]{12} \(origin\/protonkit\/records\): \d+ paths differ\n/);
  t.match(res.err, /\(fix: run `protonkit platform render --records origin\/protonkit\/records` and commit the result\)/);
});
