import t from "tap";
import { PLAN_COMMENT_MARKER, mergeComment, parseSections, renderSection, type PlanSection } from "../../src/provision/comment";
import { parseProvisioningConfig } from "../../src/provision/config";
import { GitHubClient } from "../../src/provision/github";
import { planResources, publishPlan, type PlanContext } from "../../src/provision/plan";
import { SENSITIVE, UNKNOWN, describePlan, mask, summarizePlan } from "../../src/provision/plan-summary";
import { startFakeGitHub } from "./github-fake";
import { CONFIG, FakeTerraform, envArn, errorJson, instanceArn, makeRepo, write, writeResource, tmp } from "./helpers";

const SHA = "a".repeat(40);

const planJson = {
  format_version: "1.2",
  resource_changes: [
    {
      address: "aws_db_instance.main",
      change: {
        actions: ["update"],
        before: { password: "old-secret-pw", instance_class: "db.t3.micro", tags: { team: "pizza" }, id: "db-1" },
        after: { password: "new-secret-pw", instance_class: "db.t3.small", tags: { team: "pizza" }, id: "db-1" },
        after_unknown: {},
        before_sensitive: { password: true },
        after_sensitive: { password: true },
      },
    },
    {
      address: "aws_s3_bucket.logs",
      change: {
        actions: ["delete", "create"],
        before: { bucket: "logs-a", arn: "arn:aws:s3:::logs-a" },
        after: { bucket: "logs-b" },
        after_unknown: { arn: true },
        before_sensitive: {},
        after_sensitive: {},
        replace_paths: [["bucket"]],
      },
    },
    { address: "aws_iam_role.new", change: { actions: ["create"], before: null, after: { name: "r", inline: [{ secret: "s3cr3t" }] }, after_sensitive: { inline: [{ secret: true }] } } },
    { address: "aws_sqs_queue.old", change: { actions: ["delete"], before: { name: "q" }, after: null } },
    { address: "data.aws_caller_identity.me", change: { actions: ["read"] } },
    { address: "aws_vpc.main", change: { actions: ["no-op"], before: { id: "v" }, after: { id: "v" } } },
  ],
  output_changes: {
    db_password: { actions: ["update"], before: "old-secret-pw", after: "new-secret-pw", before_sensitive: true, after_sensitive: true },
    bucket: { actions: ["update"], before: "logs-a", after: "logs-b" },
    same: { actions: ["no-op"], before: "x", after: "x" },
  },
};

t.test("plan summary: counts as Terraform does, masked attribute changes", async (t) => {
  const s = summarizePlan(planJson);
  t.same([s.add, s.change, s.destroy, s.replaced], [2, 1, 2, 1]);
  t.equal(describePlan(s), "2 to add, 1 to change, 2 to destroy (1 replaced)");
  t.same(s.changes.map((c) => [c.address, c.kind]), [
    ["aws_db_instance.main", "update"],
    ["aws_s3_bucket.logs", "replace"],
    ["aws_iam_role.new", "create"],
    ["aws_sqs_queue.old", "delete"],
  ]);
  t.same(s.changes[0].attributes, [
    { name: "instance_class", before: '"db.t3.micro"', after: '"db.t3.small"', forcesReplacement: false },
    { name: "password", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false },
  ]);
  t.same(s.changes[1].attributes, [
    { name: "arn", before: '"arn:aws:s3:::logs-a"', after: UNKNOWN, forcesReplacement: false },
    { name: "bucket", before: '"logs-a"', after: '"logs-b"', forcesReplacement: true },
  ]);
  t.same(s.outputs, [
    { name: "bucket", kind: "update", sensitive: false },
    { name: "db_password", kind: "update", sensitive: true },
  ]);
  t.same(mask({ a: [{ s: "x", k: 1 }] }, { a: [{ s: true }] }), { a: [{ s: SENSITIVE, k: 1 }] });
  t.same(summarizePlan({}), { add: 0, change: 0, destroy: 0, replaced: 0, changes: [], outputs: [] });
});

t.test("comment: one section per directory, no sensitive value, stale commits dropped", async (t) => {
  const s = summarizePlan(planJson);
  const sections: PlanSection[] = [
    { dir: "prod/api-web", sha: SHA, title: "service-instance api/web (prod)", action: "apply", summary: s },
    { dir: "prod", sha: SHA, title: "environment prod (prod)", action: "apply", error: "Error: bad ``` fence <!-- /protonkit:section -->" },
  ];
  const body = mergeComment(undefined, sections, SHA);
  t.ok(body.startsWith(PLAN_COMMENT_MARKER));
  for (const secret of ["old-secret-pw", "new-secret-pw", "s3cr3t"]) t.notMatch(body, secret);
  t.match(body, /<details><summary>4 resource changes, 2 output changes<\/summary>/);
  t.match(body, /password: \(sensitive value\) -> \(sensitive value\)/);
  t.match(body, /bucket: "logs-a" -> "logs-b"  # forces replacement/);
  t.match(body, /\*\*Plan failed\*\*/);
  t.same([...parseSections(body).keys()], ["prod", "prod/api-web"], "a value cannot forge a section end");
  t.match(body, /````text\n/, "a longer fence around text holding ```");

  const other = mergeComment(body, [{ dir: "prod/components/cache", sha: SHA, title: "component cache (prod)", action: "destroy", summary: summarizePlan({}) }], SHA);
  t.same([...parseSections(other).keys()], ["prod", "prod/api-web", "prod/components/cache"], "other sections kept");
  t.match(other, /— \*\*destroy\*\*/);
  const newer = mergeComment(other, [{ dir: "prod", sha: "b".repeat(40), title: "environment prod", action: "apply", summary: summarizePlan({}) }], "b".repeat(40));
  t.same([...parseSections(newer).keys()], ["prod"], "sections planned at an older head are dropped");
  t.match(renderSection({ dir: "x", sha: SHA, title: "t", action: "apply", summary: summarizePlan({}) }), /^### ⚪ `x` — t\n\n\*\*Plan:\*\* 0 to add, 0 to change, 0 to destroy at `aaaaaaaaaaaa`\.\n<!-- protonkit:reviewed digest="sha256:[0-9a-f]{64}" actions="W10" -->\n$/);

  const huge = summarizePlan({
    resource_changes: Array.from({ length: 3000 }, (_, i) => ({ address: `aws_thing.t[${i}]`, change: { actions: ["create"] } })),
  });
  const big = mergeComment(undefined, [{ dir: "prod", sha: SHA, title: "t", action: "apply", summary: huge }], SHA);
  t.ok(big.length <= 60000);
  t.match(big, /Details omitted/);
});

function planContext(repo: string, tf: FakeTerraform, logs: string[]): PlanContext {
  return {
    repo,
    loadConfig: () => parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml"),
    runner: tf,
    settings: { binary: "terraform" },
    dryRun: false,
    headSha: SHA,
    log: (l) => logs.push(l),
  };
}

t.test("planResources: init with the backend, plan -out, show -json; failures become sections", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "prod/old", { arn: instanceArn("api", "old"), environmentArn: envArn("prod"), deleted: true });
  write(repo, "prod/bad/.proton/deployment-metadata.json", "{");
  const tf = new FakeTerraform({ show: { stdout: JSON.stringify(planJson) } });
  const logs: string[] = [];
  const out = await planResources(["prod/api-web", "prod/old", "prod/bad"], planContext(repo, tf, logs));
  t.equal(out.ok, false);
  t.same(tf.commands(), ["init", "plan", "show", "init", "plan -destroy", "show"]);
  t.match(tf.calls[1].args.join(" "), /^plan -input=false -no-color -json -lock=false -out=\S+tfplan$/);
  t.equal(tf.calls[2].args[tf.calls[2].args.length - 1], tf.calls[1].args[5].slice("-out=".length), "show reads the saved plan");
  t.match(tf.calls[0].args.join(" "), /-backend-config=key=proton\/prod\/api-web\/terraform\.tfstate/);
  t.equal(out.sections[0].summary?.add, 2);
  t.equal(out.sections[1].action, "destroy");
  t.match(out.sections[2].error, /prod\/bad\/\.proton\/deployment-metadata\.json: not valid JSON/);
  t.notMatch(logs.join("\n"), /secret-pw|s3cr3t/, "the log carries no sensitive value");
  t.match(logs.join("\n"), /update  aws_db_instance\.main/);

  const failing = new FakeTerraform({ plan: { code: 1, stdout: errorJson("Invalid reference", "A managed resource \"aws_x\" \"y\" has not been declared.") } });
  const f = await planResources(["prod/api-web"], planContext(repo, failing, []));
  t.equal(f.ok, false);
  t.match(f.sections[0].error, /terraform plan failed in prod\/api-web \(exit 1\):\nError: Invalid reference\n {2}on main\.tf line 3\nA managed resource/);
});

t.test("the sticky comment is found and updated, or created, over the GitHub REST API", async (t) => {
  const gh = await startFakeGitHub();
  t.teardown(() => gh.close());
  const client = new GitHubClient({ token: "ghs_test", repository: "acme/provisioning", apiUrl: gh.url, retry: { sleep: async () => undefined } });
  gh.comments.set(1, { id: 1, issue: 7, body: "LGTM", login: "alice" });
  for (let i = 0; i < 120; i++) gh.comments.set(10 + i, { id: 10 + i, issue: 7, body: `noise ${i}`, login: "bob" });
  const logs: string[] = [];
  const section = (dir: string, add: number): PlanSection => ({
    dir,
    sha: SHA,
    title: dir,
    action: "apply",
    summary: { ...summarizePlan({}), add },
  });
  await publishPlan([section("prod", 1)], { github: { client, pr: 7 }, sha: SHA, log: (l) => logs.push(l), sleep: async () => undefined });
  const mine = () => [...gh.comments.values()].filter((c) => c.body.includes(PLAN_COMMENT_MARKER));
  t.equal(mine().length, 1, "created");
  t.ok(gh.log.some((l) => l.includes("page=2")), "pages through comments");
  const id = mine()[0].id;
  gh.failNext(502);
  await publishPlan([section("prod/api-web", 2)], { github: { client, pr: 7 }, sha: SHA, log: (l) => logs.push(l), sleep: async () => undefined });
  t.equal(mine().length, 1, "updated, not duplicated");
  t.equal(mine()[0].id, id);
  t.same([...parseSections(mine()[0].body).keys()], ["prod", "prod/api-web"]);
  t.equal(gh.comments.get(1)?.body, "LGTM", "other comments untouched");

  // A concurrent job overwrites the comment right after our write: we notice and write again.
  let raced = false;
  gh.beforeWrite = () => {
    if (raced) return;
    raced = true;
    setImmediate(() => {
      const c = gh.comments.get(id);
      if (c) c.body = mergeComment(undefined, [section("prod/components/cache", 3)], SHA);
    });
  };
  await new Promise((r) => setTimeout(r, 5));
  await publishPlan([section("prod", 4)], { github: { client, pr: 7 }, sha: SHA, log: () => undefined, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))) });
  gh.beforeWrite = undefined;
  const sections = parseSections(mine()[0].body);
  t.ok(sections.has("prod"), "our section survived the race");

  // Two marker comments (two jobs created at once) are merged into the oldest.
  gh.comments.set(5000, { id: 5000, issue: 7, body: mergeComment(undefined, [section("api/pipeline", 1)], SHA), login: "github-actions[bot]" });
  await publishPlan([section("prod", 5)], { github: { client, pr: 7 }, sha: SHA, log: () => undefined, sleep: async () => undefined });
  t.equal(mine().length, 1);
  t.ok(parseSections(mine()[0].body).has("api/pipeline"));
  t.equal(mine()[0].id, id);

  const bad = new GitHubClient({ token: "wrong", repository: "acme/provisioning", apiUrl: gh.url, retry: { sleep: async () => undefined } });
  await t.rejects(bad.listComments(7), { message: /401 Bad credentials/ });
  const logs2: string[] = [];
  await t.rejects(publishPlan([section("prod", 1)], { github: { client: bad, pr: 7 }, sha: SHA, log: (l) => logs2.push(l) }), {
    name: "ProtonkitError",
    message: /GITHUB_TOKEN \/ GITHUB_API_URL: could not update the plan comment on pull request #7: GitHub GET .* 401 Bad credentials \(fix: give the job `permissions: pull-requests: write`/,
  });
  t.match(logs2.join("\n"), /could not be posted:\n<!-- protonkit:plan -->/);
});
