import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import { GitHubIssues, driftResultsFromSections, driftIssueBody, driftMarker, nextDriftRecords, parseDriftResults, readDriftRecords, reconcileDrift } from "../../src/provision/drift";
import { ProtonkitError } from "../../src/errors";
import { startFakeGitHub } from "./github-fake";
import { cli, tmp } from "./helpers";

const DIR = "environments/dev/services/api/instances/web";
const OTHER = "environments/dev";

async function setup(t: { teardown(fn: () => unknown): void }) {
  const gh = await startFakeGitHub();
  t.teardown(() => gh.close());
  const api = new GitHubIssues({ token: "ghs_test", repository: "acme/provisioning", apiUrl: gh.url, retry: { attempts: 1 } });
  return { gh, api };
}

t.test("open, update, leave unchanged, then close one issue per drifted resource", async (t) => {
  const { gh, api } = await setup(t);
  const first = await reconcileDrift([{ dir: DIR, exitCode: 2, summary: "~ aws_s3_bucket.b (tags)" }, { dir: OTHER, exitCode: 0 }], { api });
  t.same(first.map((o) => [o.dir, o.status, o.issueAction]), [[OTHER, "in-sync", "none"], [DIR, "drifted", "opened"]]);
  t.equal(gh.issues.size, 1);
  const issue = [...gh.issues.values()][0];
  t.equal(issue?.title, `Drift: ${DIR}`);
  t.ok(issue?.body.startsWith(driftMarker(DIR)));
  t.same(issue?.labels, ["protonkit-drift"]);

  const again = await reconcileDrift([{ dir: DIR, exitCode: 2, summary: "~ aws_s3_bucket.b (tags)" }], { api });
  t.same(again.map((o) => [o.issueAction, o.issue]), [["unchanged", issue?.number]], "same drift: no write");
  const updated = await reconcileDrift([{ dir: DIR, exitCode: 2, summary: "~ aws_s3_bucket.b (tags, versioning)" }], { api });
  t.same(updated.map((o) => [o.issueAction, o.issue]), [["updated", issue?.number]]);
  t.equal(gh.issues.size, 1, "still one issue");
  t.match(issue?.body, /tags, versioning/);

  const failed = await reconcileDrift([{ dir: DIR, exitCode: 1 }], { api });
  t.same(failed.map((o) => [o.status, o.issueAction]), [["error", "none"]]);
  t.equal(issue?.state, "open", "an error leaves the issue open");

  const gone = await reconcileDrift([{ dir: DIR, exitCode: 0 }], { api });
  t.same(gone.map((o) => [o.status, o.issueAction, o.issue]), [["in-sync", "closed", issue?.number]]);
  t.equal(issue?.state, "closed");
  t.equal(issue?.stateReason, "completed");
  t.match([...gh.comments.values()].filter((c) => c.issue === issue?.number).map((c) => c.body), [/drift is gone/]);

  const back = await reconcileDrift([{ dir: DIR, exitCode: 2 }], { api });
  t.equal(back[0]?.issueAction, "opened", "drift that returns opens a new issue");
  t.equal(gh.issues.size, 2);
});

t.test("a forged issue by another user with our marker is ignored", async (t) => {
  const { gh, api } = await setup(t);
  const forged = gh.addIssue(`Drift: ${DIR}`, driftIssueBody(DIR, "forged"), "mallory");
  const out = await reconcileDrift([{ dir: DIR, exitCode: 2, summary: "real" }], { api });
  t.equal(out[0]?.issueAction, "opened");
  t.not(out[0]?.issue, forged);
  t.equal(gh.issues.get(forged)?.body, driftIssueBody(DIR, "forged"), "the forged issue is not updated");
  await reconcileDrift([{ dir: DIR, exitCode: 0 }], { api });
  t.equal(gh.issues.get(forged)?.state, "open", "nor closed");
  t.equal(gh.issues.get(out[0]?.issue ?? 0)?.state, "closed");
  // our marker for another directory, or a marker later in the body, is not ours either
  const prefixed = gh.addIssue("x", `hello\n${driftMarker(DIR)}`, "github-actions[bot]");
  const again = await reconcileDrift([{ dir: DIR, exitCode: 2 }], { api });
  t.not(again[0]?.issue, prefixed);
});

t.test("a duplicate of our own issue is closed, the oldest kept", async (t) => {
  const { gh, api } = await setup(t);
  const a = gh.addIssue(`Drift: ${DIR}`, driftIssueBody(DIR, "s"), "github-actions[bot]");
  const b = gh.addIssue(`Drift: ${DIR}`, driftIssueBody(DIR, "s"), "github-actions[bot]");
  const out = await reconcileDrift([{ dir: DIR, exitCode: 2, summary: "s" }], { api });
  t.same(out.map((o) => [o.issueAction, o.issue]), [["unchanged", a]]);
  t.equal(gh.issues.get(a)?.state, "open");
  t.equal(gh.issues.get(b)?.state, "closed");
});

t.test("drift records: since is kept while drift lasts, errors keep what was known", async (t) => {
  const t0 = new Date("2026-01-01T00:00:00Z");
  const t1 = new Date("2026-01-02T00:00:00Z");
  const t2 = new Date("2026-01-03T00:00:00Z");
  const a = nextDriftRecords(undefined, [{ dir: DIR, status: "drifted", issueAction: "opened", issue: 7 }, { dir: OTHER, status: "in-sync", issueAction: "none" }], t0);
  t.same(a, { v: 1, resources: { [OTHER]: { status: "in-sync", checkedAt: t0.toISOString() }, [DIR]: { status: "drifted", checkedAt: t0.toISOString(), since: t0.toISOString(), issue: 7 } } });
  const b = nextDriftRecords(a, [{ dir: DIR, status: "error", issueAction: "none", issue: 7 }], t1);
  t.same(b.resources[DIR], { status: "error", checkedAt: t1.toISOString(), since: t0.toISOString(), issue: 7 });
  const c = nextDriftRecords(b, [{ dir: DIR, status: "drifted", issueAction: "unchanged", issue: 7 }], t2);
  t.equal(c.resources[DIR]?.since, t0.toISOString());
  const d = nextDriftRecords(c, [{ dir: DIR, status: "in-sync", issueAction: "closed", issue: 7 }], t2);
  t.same(d.resources[DIR], { status: "in-sync", checkedAt: t2.toISOString() });
});

t.test("drift results from provision plan's section file", async (t) => {
  const summary = (changes: { address: string; kind: "update"; attributes: { name: string; before: string; after: string; forcesReplacement: boolean }[]; moreAttributes: number }[]) => ({ add: 0, change: changes.length, destroy: 0, replaced: 0, changes, outputs: [] });
  const out = driftResultsFromSections([
    { dir: "a", sha: "s", title: "a", action: "apply", summary: summary([{ address: "aws_s3_bucket.b", kind: "update", attributes: [{ name: "tags", before: "{}", after: "{}", forcesReplacement: false }], moreAttributes: 0 }]) },
    { dir: "b", sha: "s", title: "b", action: "apply", summary: summary([]) },
    { dir: "c", sha: "s", title: "c", action: "apply", error: "Error: boom" },
    { dir: "d", sha: "s", title: "d", action: "destroy", summary: summary([]) },
  ]);
  t.same(out, [
    { dir: "a", exitCode: 2, summary: "0 to add, 1 to change, 0 to destroy\nupdate aws_s3_bucket.b (tags)" },
    { dir: "b", exitCode: 0, summary: "0 to add, 0 to change, 0 to destroy" },
    { dir: "c", exitCode: 1, summary: "Error: boom" },
  ]);
});

t.test("results are validated", async (t) => {
  t.same(parseDriftResults('[{"dir":"a","exitCode":2,"summary":"s"}]', "r.json"), [{ dir: "a", exitCode: 2, summary: "s" }]);
  t.throws(() => parseDriftResults('[{"dir":"a","exitCode":3}]', "r.json"), /r\.json: \[0\]\.exitCode: exitCode must be 0, 1 or 2/);
  t.throws(() => parseDriftResults("{", "r.json"), ProtonkitError);
});

t.test("provision drift: issues through the CLI, records written, exit 1 on an error", async (t) => {
  const { gh } = await setup(t);
  const dir = tmp(t);
  const results = path.join(dir, "results.json");
  const records = path.join(dir, "drift.json");
  const env = { GITHUB_TOKEN: "ghs_test", GITHUB_REPOSITORY: "acme/provisioning", GITHUB_API_URL: gh.url };
  fs.writeFileSync(results, JSON.stringify([{ dir: DIR, exitCode: 2, summary: "~ 1 to change" }, { dir: OTHER, exitCode: 1 }]));
  const r1 = await cli(["provision", "drift", "--results", results, "--records", records], env);
  t.equal(r1.code, 1, r1.stderr);
  t.match(r1.stdout, new RegExp(`${DIR}\`: drifted \\(issue #\\d+ opened\\)`));
  const rec = readDriftRecords(records);
  t.same(Object.keys(rec?.resources ?? {}), [OTHER, DIR]);
  t.equal(rec?.resources[DIR]?.status, "drifted");
  fs.writeFileSync(results, JSON.stringify([{ dir: DIR, exitCode: 0 }]));
  const r2 = await cli(["provision", "drift", "--results", results, "--records", records], env);
  t.equal(r2.code, 0, r2.stderr);
  t.equal([...gh.issues.values()][0]?.state, "closed");
  t.equal(readDriftRecords(records)?.resources[DIR]?.status, "in-sync");
});
