// Apply only what was reviewed, with the real Terraform (terraform_data: no provider), the
// loopback S3, Proton and GitHub: the pull request's plan comment carries the digest, and the
// apply on main finds it through the API and compares.
import t from "tap";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { mergeComment, type PlanSection } from "../../src/provision/comment";
import { startProtonServer } from "../support/proton-server";
import { startFakeGitHub } from "./github-fake";
import { startFakeS3 } from "./s3-fake";
import { CONFIG, cli, commit, envArn, git, instanceArn, makeRepo, tmp, write, writeResource } from "./helpers";

const terraformAvailable = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const tf = (...names: string[]): string => names.map((n) => `resource "terraform_data" "${n}" {\n  input = "${n}"\n}\n`).join("");

t.test("apply --check-reviewed with the real Terraform", { skip: terraformAvailable ? false : "terraform not on PATH" }, async (t) => {
  const [s3, proton, gh] = await Promise.all([startFakeS3(), startProtonServer(), startFakeGitHub()]);
  t.teardown(async () => {
    await Promise.all([s3.close(), proton.close(), gh.close()]);
  });
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"), CONFIG.replace("    lock_table: tf-locks\n", ""));
  const env = {
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake",
    CHECKPOINT_DISABLE: "1",
    PROTONKIT_S3_ENDPOINT: s3.endpoint,
    PROTONKIT_PROTON_ENDPOINT: proton.endpoint,
    GITHUB_TOKEN: "ghs_test",
    GITHUB_REPOSITORY: "acme/provisioning",
    GITHUB_API_URL: gh.url,
    GITHUB_REF_NAME: "main",
    RUNNER_TEMP: path.join(dir, "runner"),
  };
  const sectionFile = path.join(dir, "section.json");
  const stateOf = (d: string): string[] => {
    const text = s3.objects.get(`acme-tfstate-prod/proton/${d}/terraform.tfstate`)?.toString("utf8");
    return text ? (JSON.parse(text) as { resources: Array<{ name: string }> }).resources.map((r) => r.name).sort() : [];
  };

  /** A pull request from Proton: plan (credentialed job), then comment (job without AWS). */
  async function openPullRequest(branch: string, d: string, name: string, body: string, pr: number, postComment = true): Promise<string> {
    git(repo, "checkout", "-q", "-b", branch, "main");
    writeResource(repo, d, { arn: instanceArn("api", name), environmentArn: envArn("prod"), tf: body });
    const head = commit(repo, `Proton: ${d}`);
    const plan = await cli(["provision", "plan", "--dir", d, "--repo", repo, "--no-comment", "--section-file", sectionFile, "--head-sha", head], env);
    t.equal(plan.code, 0, plan.stderr);
    t.match(plan.stderr, /review digest sha256:[0-9a-f]{64}/, "the plan computes the digest");
    if (postComment) {
      const comment = await cli(["provision", "comment", "--dir", d, "--section-file", sectionFile, "--pr", String(pr), "--head-sha", head, "--repo", repo], env);
      t.equal(comment.code, 0, comment.stderr);
    }
    git(repo, "checkout", "-q", "main");
    return head;
  }

  function merge(branch: string, pr: number, head: string): string {
    git(repo, "merge", "-q", "--no-ff", "-m", `Merge pull request #${pr}`, branch);
    const merged = git(repo, "rev-parse", "HEAD");
    gh.commitPulls.set(merged, [{ number: pr, state: "closed", merged_at: "2026-11-30T12:00:00Z", merge_commit_sha: merged, base: { ref: "main" }, head: { sha: head } }]);
    return merged;
  }

  const apply = (d: string) => cli(["provision", "apply", "--dir", d, "--repo", repo, "--check-reviewed"], env);
  const lastReport = () => proton.accepted().at(-1);

  await t.test("reviewed == applied: the saved plan is applied", async (t) => {
    const head = await openPullRequest("pr-3", "prod/api-web", "web", tf("a"), 3);
    const body = [...gh.comments.values()].find((c) => c.issue === 3)?.body ?? "";
    t.match(body, /<!-- protonkit:reviewed digest="sha256:[0-9a-f]{64}" actions="[A-Za-z0-9_-]+" -->/, "machine-readable review in the bot's comment");
    t.match(body, /Review digest `sha256:[0-9a-f]{12}` \(1 address-action\)/);
    merge("pr-3", 3, head);
    const ran = await apply("prod/api-web");
    t.equal(ran.code, 0, ran.stderr);
    t.match(ran.stderr, /equals the plan reviewed in pull request #3/);
    t.same(stateOf("prod/api-web"), ["a"]);
    t.equal(lastReport()?.status, "SUCCEEDED");
    t.ok(gh.log.some((l) => /^GET \/repos\/acme\/provisioning\/commits\/[0-9a-f]{40}\/pulls/.test(l)), "the pull request is found through the API");
  });

  await t.test("changed between review and merge: refused, FAILED with what differs and how to proceed", async (t) => {
    const head = await openPullRequest("pr-4", "prod/api-two", "two", tf("a"), 4);
    // Main moves before the merge: a change to the same directory that the review never saw.
    write(repo, "prod/api-two/extra.tf", tf("b"));
    commit(repo, "someone else's change");
    merge("pr-4", 4, head);
    const ran = await apply("prod/api-two");
    t.equal(ran.code, 1);
    t.match(ran.stderr, /apply of prod\/api-two refused: the plan at [0-9a-f]{12} differs from the plan reviewed in pull request #4/);
    t.match(ran.stderr, /Not reviewed \(in the new plan only\):\n\s+\+ create terraform_data\.b/);
    t.notMatch(ran.stderr, /Reviewed, no longer planned/);
    t.match(ran.stderr, /open a pull request that changes this directory/);
    t.same(stateOf("prod/api-two"), [], "nothing applied");
    const report = lastReport();
    t.equal(report?.status, "FAILED");
    t.match(String(report?.statusMessage), /^protonkit: apply of prod\/api-two refused: .*\n[\s\S]*\+ create terraform_data\.b/);
  });

  await t.test("a forged comment from another author is ignored", async (t) => {
    const head = await openPullRequest("pr-5", "prod/api-three", "three", tf("a"), 5, false);
    // Mallory pastes exactly what the bot would have written, approving the real plan.
    const sections = (JSON.parse(fs.readFileSync(sectionFile, "utf8")) as { sections: PlanSection[] }).sections;
    gh.addComment(5, mergeComment(undefined, sections, head), "mallory");
    merge("pr-5", 5, head);
    const ran = await apply("prod/api-three");
    t.equal(ran.code, 1);
    t.match(ran.stderr, /refused: no reviewed plan: pull request #5 has no plan comment from github-actions\[bot\]/);
    t.same(stateOf("prod/api-three"), []);
    t.equal(lastReport()?.status, "FAILED");
  });

  await t.test("a push after the last plan: the review is of an older head", async (t) => {
    const planned = await openPullRequest("pr-6", "prod/api-four", "four", tf("a"), 6);
    git(repo, "checkout", "-q", "pr-6");
    write(repo, "prod/api-four/main.tf", tf("a", "z"));
    const head = commit(repo, "late push, never planned");
    git(repo, "checkout", "-q", "main");
    merge("pr-6", 6, head);
    const ran = await apply("prod/api-four");
    t.equal(ran.code, 1);
    t.match(ran.stderr, new RegExp(`is of ${planned.slice(0, 12)}, but it merged at ${head.slice(0, 12)}`));
    t.same(stateOf("prod/api-four"), []);
  });

  await t.test("the GitHub API refuses the lookup: FAILED, nothing applied, the fix named", async (t) => {
    const head = await openPullRequest("pr-7", "prod/api-six", "six", tf("a"), 7);
    merge("pr-7", 7, head);
    gh.failNext(403); // not retried: a permission error is not transient
    const ran = await apply("prod/api-six");
    t.equal(ran.code, 1);
    t.match(ran.stderr, /could not find the reviewed plan of prod\/api-six through the GitHub API: .*403.*fix: give the apply job `permissions: pull-requests: read`/);
    t.same(stateOf("prod/api-six"), []);
    t.equal(lastReport()?.status, "FAILED");
  });

  await t.test("a direct push is refused unless apply_direct_pushes: true", async (t) => {
    writeResource(repo, "prod/api-five", { arn: instanceArn("api", "five"), environmentArn: envArn("prod"), tf: tf("a") });
    commit(repo, "direct push");
    const refused = await apply("prod/api-five");
    t.equal(refused.code, 1);
    t.match(refused.stderr, /reached the main branch without a pull request, so nobody reviewed its plan/);
    t.match(refused.stderr, /apply_direct_pushes: true/);
    t.same(stateOf("prod/api-five"), []);
    const config = path.join(repo, ".protonkit/provisioning.yaml");
    fs.writeFileSync(config, `${fs.readFileSync(config, "utf8")}apply_direct_pushes: true\n`);
    commit(repo, "allow direct pushes");
    const applied = await apply("prod/api-five");
    t.equal(applied.code, 0, applied.stderr);
    t.match(applied.stderr, /without a pull request; applied because apply_direct_pushes is true/);
    t.same(stateOf("prod/api-five"), ["a"]);
  });
});
