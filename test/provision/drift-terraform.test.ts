import t from "tap";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GitHubIssues, reconcileDrift, type DriftResult } from "../../src/provision/drift";
import { startFakeGitHub } from "./github-fake";
import { tmp } from "./helpers";

// Real Terraform, built-in terraform_data (no provider): apply, remove the resource behind
// Terraform's back (state rm), and let `plan -detailed-exitcode` see it.
const available = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

t.test("a drift run opens an issue, and one after the repair closes it", { skip: available ? false : "terraform not on PATH", timeout: 120_000 }, async (t) => {
  const gh = await startFakeGitHub();
  t.teardown(() => gh.close());
  const api = new GitHubIssues({ token: "ghs_test", repository: "acme/provisioning", apiUrl: gh.url, retry: { attempts: 1 } });
  const dir = tmp(t);
  fs.writeFileSync(path.join(dir, "main.tf"), 'resource "terraform_data" "app" {\n  input = "v1"\n}\n');
  const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
  const tf = (args: string[]): number => {
    const r = spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8" });
    if (r.status === 1) throw new Error(`terraform ${args[0]}: ${r.stderr}`);
    return r.status ?? 1;
  };
  const check = (): DriftResult => ({ dir: "environments/dev", exitCode: tf(["plan", "-input=false", "-lock=false", "-detailed-exitcode", "-no-color"]), summary: "terraform_data.app" });
  tf(["init", "-input=false", "-backend=false"]);
  tf(["apply", "-input=false", "-auto-approve"]);

  const clean = check();
  t.equal(clean.exitCode, 0);
  t.same((await reconcileDrift([clean], { api })).map((o) => o.issueAction), ["none"]);

  tf(["state", "rm", "terraform_data.app"]);
  const drifted = check();
  t.equal(drifted.exitCode, 2, "plan -detailed-exitcode reports the drift");
  const opened = await reconcileDrift([drifted], { api });
  t.same(opened.map((o) => [o.status, o.issueAction]), [["drifted", "opened"]]);

  tf(["apply", "-input=false", "-auto-approve"]);
  const repaired = check();
  t.equal(repaired.exitCode, 0);
  const closed = await reconcileDrift([repaired], { api });
  t.same(closed.map((o) => [o.status, o.issueAction, o.issue]), [["in-sync", "closed", opened[0]?.issue]]);
  t.equal(gh.issues.get(opened[0]?.issue ?? 0)?.state, "closed");
});
