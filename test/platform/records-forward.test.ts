/**
 * The records outbox: an apply job records into a local bare repository seeded with the records
 * branch tip (exactly as the generated workflow's shell step seeds it), and a job without AWS
 * credentials forwards the new events to the real branch.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { forwardRecords, outboxEvents } from "../../src/platform/records-forward";
import { RECORDS_BRANCH, RecordsStore } from "../../src/platform/records-store";
import { event, git, remoteWithClones, tmp } from "./ops-helpers";

const noSleep = async (): Promise<void> => undefined;

/** Seeds an outbox from `clone`'s fetched records branch, as the apply job's step does. */
function seedOutbox(clone: string, outbox: string): void {
  git(clone, "fetch", "--quiet", "origin", `+refs/heads/${RECORDS_BRANCH}:refs/remotes/origin/${RECORDS_BRANCH}`);
  const base = git(clone, "rev-parse", `refs/remotes/origin/${RECORDS_BRANCH}`).trim();
  fs.mkdirSync(outbox, { recursive: true });
  git(outbox, "init", "--quiet", "--bare", "repo.git");
  git(clone, "push", "--quiet", path.join(outbox, "repo.git"), `${base}:refs/heads/${RECORDS_BRANCH}`);
  fs.writeFileSync(path.join(outbox, "base"), `${base}\n`);
  git(clone, "remote", "add", "protonkit-outbox", path.join(outbox, "repo.git"));
}

t.test("events recorded into the outbox reach the records branch, after others pushed in between", async (t) => {
  const root = tmp(t);
  const { clones } = remoteWithClones(root, 3);
  const [applier, recorder, other] = clones;
  await new RecordsStore({ repo: other, remote: "origin", sleep: noSleep }).append([event("prod", "SUCCEEDED", { outputs: { vpc: "v1" } })]);
  const outbox = path.join(root, "outbox");
  seedOutbox(applier, outbox);
  // The apply records IN_PROGRESS then SUCCEEDED into the outbox (no write token needed).
  const local = new RecordsStore({ repo: applier, remote: "protonkit-outbox", sleep: noSleep });
  await local.append([event("prod/api-web", "IN_PROGRESS")]);
  await local.append([event("prod/api-web", "SUCCEEDED", { outputs: { url: "https://x" } })]);
  // Meanwhile another job records another resource on the real branch.
  await new RecordsStore({ repo: other, remote: "origin", sleep: noSleep }).append([event("test", "SUCCEEDED")]);
  t.equal(outboxEvents(recorder, outbox).length, 2, "the two events since the seed");
  const res = await forwardRecords({ repo: recorder, outbox, store: new RecordsStore({ repo: recorder, remote: "origin", sleep: noSleep }), resource: "prod/api-web" });
  t.equal(res.events.length, 2);
  const state = new RecordsStore({ repo: other, remote: "origin" });
  state.fetch();
  const read = state.read();
  t.same([...read.resources.keys()].sort(), ["prod", "prod/api-web", "test"], "nothing recorded in between was lost");
  t.same(read.resources.get("prod/api-web")?.outputs, { url: "https://x" });
  t.equal(read.resources.get("prod/api-web")?.deployments[0].status, "SUCCEEDED");
});

t.test("an empty outbox forwards nothing; events about another resource are refused", async (t) => {
  const root = tmp(t);
  const { clones } = remoteWithClones(root, 2);
  const [applier, recorder] = clones;
  await new RecordsStore({ repo: recorder, remote: "origin", sleep: noSleep }).append([event("prod", "SUCCEEDED", { outputs: { vpc: "v1" } })]);
  const outbox = path.join(root, "outbox");
  seedOutbox(applier, outbox);
  const store = new RecordsStore({ repo: recorder, remote: "origin", sleep: noSleep });
  const before = store.fetch();
  t.same((await forwardRecords({ repo: recorder, outbox, store, resource: "prod/api-web" })).events, []);
  // A compromised apply of prod/api-web forges the environment's outputs.
  await new RecordsStore({ repo: applier, remote: "protonkit-outbox", sleep: noSleep }).append([event("prod", "SUCCEEDED", { outputs: { vpc: "evil" } })]);
  await t.rejects(forwardRecords({ repo: recorder, outbox, store, resource: "prod/api-web" }), /holds events about other resources \(prod\): nothing was forwarded/);
  t.equal(store.fetch(), before, "the records branch did not move");
  await t.rejects(forwardRecords({ repo: recorder, outbox: path.join(root, "nope"), store }), /is not a records outbox/);
});

t.test("an outbox seeded before the records branch existed", async (t) => {
  const root = tmp(t);
  const { clones } = remoteWithClones(root, 2);
  const [applier, recorder] = clones;
  const outbox = path.join(root, "outbox");
  fs.mkdirSync(outbox);
  git(outbox, "init", "--quiet", "--bare", "repo.git");
  fs.writeFileSync(path.join(outbox, "base"), "\n");
  git(applier, "remote", "add", "protonkit-outbox", path.join(outbox, "repo.git"));
  await new RecordsStore({ repo: applier, remote: "protonkit-outbox", sleep: noSleep }).append([event("test", "FAILED", { error: "boom" })]);
  const res = await forwardRecords({ repo: recorder, outbox, store: new RecordsStore({ repo: recorder, remote: "origin", sleep: noSleep }), resource: "test" });
  t.equal(res.events.length, 1);
  t.match(JSON.parse(git(recorder, "show", `origin/${RECORDS_BRANCH}:records/test.jsonl`)), { status: "FAILED", error: "boom" });
});
