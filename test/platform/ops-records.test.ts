import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { RecordsStore, foldEvents, readRecords, recordPath, lastDeployment, RECORDS_BRANCH } from "../../src/platform/records-store";
import { event, git, remoteWithClones, tmp } from "./ops-helpers";

const noSleep = async (): Promise<void> => undefined;

t.test("folds events into deployments and current outputs", async (t) => {
  const r = foldEvents([
    event("prod", "IN_PROGRESS", { deploymentId: "a", at: "2026-01-01T00:00:00Z", commit: "c1", templateVersion: "env:1.0" }),
    event("prod", "SUCCEEDED", { deploymentId: "a", at: "2026-01-01T00:01:00Z", commit: "c1", templateVersion: "env:1.0", outputs: { vpc: "v1" } }),
    event("prod", "IN_PROGRESS", { deploymentId: "b", at: "2026-01-02T00:00:00Z" }),
    event("prod", "FAILED", { deploymentId: "b", at: "2026-01-02T00:05:00Z", error: "boom" }),
  ]);
  t.ok(r);
  t.same(r?.outputs, { vpc: "v1" }, "a failed deployment keeps the last good outputs");
  t.equal(r?.deployments.length, 2);
  t.same(r?.deployments[0], { deploymentId: "a", templateVersion: "env:1.0", commit: "c1", run: undefined, status: "SUCCEEDED", startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T00:01:00Z" });
  t.match(lastDeployment(r), { status: "FAILED", error: "boom", startedAt: "2026-01-02T00:00:00Z", endedAt: "2026-01-02T00:05:00Z" });
  const deleted = foldEvents([event("prod/api-web", "SUCCEEDED", { outputs: { url: "u" } }), event("prod/api-web", "DELETED", { deploymentId: "<proton-resource-deleted>" })]);
  t.same(deleted?.outputs, {}, "a destroy clears the outputs");
  t.equal(lastDeployment(deleted)?.status, "DELETED");
  t.equal(foldEvents([]), undefined);
  t.equal(recordPath("prod/components/alarms"), "records/prod/components/alarms.jsonl");
  t.throws(() => recordPath("../etc"), /not a resource directory/);
});

t.test("appends to a bare remote; reads at a known commit", async (t) => {
  const root = tmp(t);
  const { clones } = remoteWithClones(root, 2);
  const [a, b] = clones;
  const store = new RecordsStore({ repo: a, remote: "origin", sleep: noSleep });
  t.equal(store.fetch(), "", "no records branch yet");
  t.equal(store.read().commit, "");
  const first = await store.append([event("prod", "IN_PROGRESS"), event("prod", "SUCCEEDED", { outputs: { vpc_id: "vpc-1" } })]);
  t.equal(first.attempts, 1);
  const second = await store.append([event("prod/api-web", "SUCCEEDED", { outputs: { url: "https://x" } })]);
  // Another clone reads what was pushed, at the commit it names.
  const other = new RecordsStore({ repo: b, remote: "origin" });
  t.equal(other.fetch(), second.commit);
  const state = other.read();
  t.equal(state.commit, second.commit);
  t.same([...state.resources.keys()], ["prod", "prod/api-web"]);
  t.same(state.resources.get("prod")?.outputs, { vpc_id: "vpc-1" });
  // At the first commit only the environment was recorded.
  const earlier = readRecords(b, first.commit);
  t.same([...earlier.resources.keys()], ["prod"]);
  // The checkout and main are untouched: records live on their own branch only.
  t.equal(git(a, "status", "--porcelain"), "");
  t.equal(git(a, "rev-parse", "--abbrev-ref", "HEAD"), "main");
  t.same(git(a, "ls-tree", "-r", "--name-only", "main").split("\n"), ["README.md"]);
  t.equal(git(a, "log", "--format=%an", "-1", `origin/${RECORDS_BRANCH}`), "protonkit");
  const lines = git(a, "show", `origin/${RECORDS_BRANCH}:records/prod.jsonl`).split("\n");
  t.equal(lines.length, 2, "one line per event, appended");
  t.match(JSON.parse(lines[1]), { status: "SUCCEEDED", outputs: { vpc_id: "vpc-1" } });
});

t.test("a push that lost the race is rebased onto the new tip and retried", async (t) => {
  const root = tmp(t);
  const { clones } = remoteWithClones(root, 2);
  const [a, b] = clones;
  const rival = new RecordsStore({ repo: b, remote: "origin", sleep: noSleep });
  await rival.append([event("prod", "SUCCEEDED", { outputs: { v: "1" } })]);
  let pushedBehind = 0;
  const logs: string[] = [];
  const store = new RecordsStore({
    repo: a,
    remote: "origin",
    sleep: noSleep,
    log: (l) => logs.push(l),
    beforePush: (attempt) => {
      // Twice, someone else pushes between our fetch and our push; once to the same file.
      if (attempt <= 2) {
        pushedBehind++;
        void rival.append([event(attempt === 1 ? "prod" : "test", "SUCCEEDED", { outputs: { v: String(attempt + 1) } })]);
      }
    },
  });
  const res = await store.append([event("prod", "FAILED", { deploymentId: "x", error: "tail of the error" })]);
  t.equal(pushedBehind, 2);
  t.equal(res.attempts, 3);
  t.equal(logs.length, 2);
  t.match(logs[0], /branch moved \(attempt 1\)/);
  const state = readRecords(a, res.commit);
  const prod = state.resources.get("prod");
  t.equal(prod?.deployments.length, 3, "nobody's line was lost");
  t.equal(lastDeployment(prod)?.status, "FAILED");
  t.same(prod?.outputs, { v: "2" });
  t.ok(state.resources.has("test"));
  t.equal(git(a, "rev-list", "--count", res.commit), "4", "linear history: every append is one commit on the previous tip");
});

t.test("gives up after the attempts, naming the fix", async (t) => {
  const root = tmp(t);
  const { clones } = remoteWithClones(root, 2);
  const rival = new RecordsStore({ repo: clones[1], remote: "origin", sleep: noSleep });
  const store = new RecordsStore({ repo: clones[0], remote: "origin", sleep: noSleep, attempts: 2, beforePush: () => void rival.append([event("prod", "SUCCEEDED")]) });
  await t.rejects(store.append([event("prod", "FAILED")]), /could not record 1 event\(s\) on protonkit\/records after 2 attempts.*re-run the job/s);
});

t.test("local branch only (no remote): compare-and-swap on the ref", async (t) => {
  const root = tmp(t);
  const { clones } = remoteWithClones(root, 1);
  const store = new RecordsStore({ repo: clones[0], sleep: noSleep });
  await store.append([event("prod", "SUCCEEDED", { outputs: { a: "1" } })]);
  await store.append([event("prod", "SUCCEEDED", { outputs: { a: "2" } })]);
  t.same(readRecords(clones[0]).resources.get("prod")?.outputs, { a: "2" });
});

t.test("concurrent processes pushing to one remote all land", async (t) => {
  const root = tmp(t);
  const workers = 4;
  const perWorker = 3;
  const { clones } = remoteWithClones(root, workers);
  const script = path.join(root, "worker.js");
  const storeModule = path.resolve(__dirname, "../../src/platform/records-store.ts");
  fs.writeFileSync(
    script,
    `require(${JSON.stringify(require.resolve("sucrase/register/ts"))});
const { RecordsStore } = require(${JSON.stringify(storeModule)});
const [repo, id, n] = process.argv.slice(2);
(async () => {
  const store = new RecordsStore({ repo, remote: "origin", attempts: 40, sleep: (ms) => new Promise((r) => setTimeout(r, ms % 50)) });
  let retried = 0;
  for (let i = 0; i < Number(n); i++) {
    const res = await store.append([{ v: 1, resource: i % 2 ? "shared" : "w" + id, kind: "environment", arn: "arn", deploymentId: id + "-" + i, status: "SUCCEEDED", at: new Date().toISOString() }]);
    retried += res.attempts - 1;
  }
  process.stdout.write(String(retried));
})().catch((e) => { console.error(e.message); process.exit(1); });
`,
  );
  const results = await Promise.all(
    clones.map(
      (c, i) =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          const p = spawn(process.execPath, [script, c, String(i), String(perWorker)], { cwd: path.resolve(__dirname, "../..") });
          let out = "";
          let err = "";
          p.stdout.on("data", (d: Buffer) => (out += d.toString()));
          p.stderr.on("data", (d: Buffer) => (err += d.toString()));
          p.on("close", (code) => resolve({ code, out, err }));
        }),
    ),
  );
  for (const r of results) t.equal(r.code, 0, r.err);
  const reader = new RecordsStore({ repo: clones[0], remote: "origin" });
  reader.fetch();
  const state = reader.read();
  const total = [...state.resources.values()].reduce((n, r) => n + r.deployments.length, 0);
  t.equal(total, workers * perWorker, "every event of every process is recorded");
  t.equal(state.resources.get("shared")?.deployments.length, workers * Math.floor(perWorker / 2), "appends to the same file from several processes all land");
  t.comment(`retries after lost races: ${results.map((r) => r.out).join(", ")}`);
});
