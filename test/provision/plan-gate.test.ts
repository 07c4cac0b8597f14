// The plan's gates without Terraform: policy on every plan, -detailed-exitcode for drift, the
// review record in the comment, and the decisions of the apply and the summary.
import t from "tap";
import { parseReviewMarker, reviewDigest, reviewMarker, reviewRecord, diffActions } from "../../src/provision/review-record";
import { decideReview } from "../../src/provision/review";
import { mergeComment, renderSection, reviewable } from "../../src/provision/comment";
import { parseProvisioningConfig } from "../../src/provision/config";
import { planResources, type PlanContext } from "../../src/provision/plan";
import { summarizePlan } from "../../src/provision/plan-summary";
import { decideSummary } from "../../src/provision/summary";
import { driftResultsFromSections } from "../../src/provision/drift";
import { CONFIG, FakeTerraform, cli, envArn, instanceArn, makeRepo, tmp, write, writeResource } from "./helpers";
import * as fs from "node:fs";
import * as path from "node:path";

const SHA = "a".repeat(40);
const openGroup = {
  resource_changes: [
    {
      address: "aws_security_group.open",
      mode: "managed",
      type: "aws_security_group",
      name: "open",
      change: { actions: ["create"], after: { ingress: [{ cidr_blocks: ["0.0.0.0/0"], ipv6_cidr_blocks: [], from_port: 22, to_port: 22, protocol: "tcp" }] }, after_unknown: { id: true } },
    },
  ],
  configuration: { root_module: { resources: [{ address: "aws_security_group.open", mode: "managed", type: "aws_security_group", name: "open", expressions: {} }] } },
};
const harmless = { resource_changes: [{ address: "terraform_data.a", mode: "managed", type: "terraform_data", name: "a", change: { actions: ["create"], after: { input: "a" }, after_unknown: { id: true } } }] };

function context(repo: string, tf: FakeTerraform, extra: Partial<PlanContext> = {}): PlanContext {
  return { repo, loadConfig: () => parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml"), runner: tf, settings: { binary: "terraform" }, dryRun: false, headSha: SHA, log: () => undefined, ...extra };
}

t.test("policy runs on every plan: a violation fails it, is shown, and approves nothing", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const bad = await planResources(["prod/api-web"], context(repo, new FakeTerraform({ show: { stdout: JSON.stringify(openGroup) } })));
  t.equal(bad.ok, false);
  const [section] = bad.sections;
  t.ok(section.policy?.violations.some((v) => v.ruleId === "PK-NET-001" && v.address === "aws_security_group.open"));
  t.equal(reviewable(section), false);
  const text = renderSection(section);
  t.match(text, /^### ❌/);
  t.match(text, /\*\*Policy:\*\* \d+ violations?/);
  t.match(text, /PK-NET-001 at `aws_security_group.open`/);
  t.notMatch(text, /protonkit:reviewed/, "no review record: merging it applies nothing");

  // A reviewed suppression in the repository lets it pass, with its reason shown.
  const rules = [...new Set(section.policy?.violations.map((v) => v.ruleId))];
  write(repo, ".protonkit/policy.yaml", `suppressions:\n${rules.map((r) => `  - rule: ${r}\n    directory: "prod/**"\n    reason: bastion, reviewed\n`).join("")}`);
  const suppressed = await planResources(["prod/api-web"], context(repo, new FakeTerraform({ show: { stdout: JSON.stringify(openGroup) } })));
  t.equal(suppressed.ok, true, JSON.stringify(suppressed.sections[0].error ?? ""));
  t.match(renderSection(suppressed.sections[0]), /suppressed PK-NET-001 at `aws_security_group.open`: bastion, reviewed/);
  t.match(renderSection(suppressed.sections[0]), /<!-- protonkit:reviewed digest="sha256:[0-9a-f]{64}"/);

  const off = await planResources(["prod/api-web"], context(repo, new FakeTerraform({ show: { stdout: JSON.stringify(openGroup) } }), { policy: false }));
  t.equal(off.sections[0].policy, undefined, "--no-policy (drift) skips the rules");
});

t.test("the comment job fails on a policy violation (the summary check then fails)", async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, "section.json");
  const repo = makeRepo(path.join(dir, "repo"));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const out = await planResources(["prod/api-web"], context(repo, new FakeTerraform({ show: { stdout: JSON.stringify(openGroup) } })));
  fs.writeFileSync(file, JSON.stringify({ sha: SHA, sections: out.sections }));
  const ran = await cli(["provision", "comment", "--dir", "prod/api-web", "--section-file", file, "--head-sha", SHA, "--repo", repo]);
  t.equal(ran.code, 1);
  t.match(ran.stderr, /PK-NET-001/);
});

t.test("-detailed-exitcode: 2 is a plan with changes, recorded; anything but 0 and 2 fails", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  const tf = new FakeTerraform({ plan: { code: 2 }, show: { stdout: JSON.stringify(harmless) } });
  const out = await planResources(["prod/api-web"], context(repo, tf, { detailedExitcode: true, policy: false }));
  t.equal(out.ok, true);
  t.ok(tf.calls[1].args.includes("-detailed-exitcode"));
  t.equal(out.sections[0].exitCode, 2);
  t.same(driftResultsFromSections(out.sections).map((r) => r.exitCode), [2]);
  const failed = await planResources(["prod/api-web"], context(repo, new FakeTerraform({ plan: { code: 1 } }), { detailedExitcode: true }));
  t.equal(failed.ok, false);
  t.same(driftResultsFromSections(failed.sections).map((r) => r.exitCode), [1]);
});

t.test("provision drift --dir: a missing section file is a failed check of that resource", async (t) => {
  const dir = tmp(t);
  const ran = await cli(["provision", "drift", "--dir", "prod/api-web", "--section-file", path.join(dir, "missing.json"), "--dry-run"]);
  t.equal(ran.code, 1);
  t.match(ran.stdout, /`prod\/api-web`: error/);
});

t.test("review record: order-independent digest, tamper-evident marker, added and removed address-actions", async (t) => {
  const summary = summarizePlan({
    resource_changes: [
      { address: "b.y", change: { actions: ["create"] } },
      { address: "a.x", change: { actions: ["delete", "create"] } },
    ],
    output_changes: { url: { actions: ["create"] } },
  });
  const record = reviewRecord("prod/x", "apply", summary);
  t.same(record.actions, [
    { address: "a.x", action: "replace" },
    { address: "b.y", action: "create" },
    { address: "output.url", action: "create" },
  ]);
  t.equal(record.digest, reviewDigest("prod/x", "apply", [...record.actions].reverse().sort((p, q) => p.address.localeCompare(q.address))));
  t.not(record.digest, reviewRecord("prod/x", "destroy", summary).digest, "the resource action is covered");
  t.not(record.digest, reviewRecord("prod/y", "apply", summary).digest, "the directory is covered");
  const marker = reviewMarker(record);
  t.same(parseReviewMarker(marker, "prod/x", "apply"), record);
  t.equal(parseReviewMarker(marker, "prod/y", "apply"), undefined, "another directory's record does not count");
  const forged = marker.replace(/actions="[^"]*"/, `actions="${Buffer.from(JSON.stringify([["create", "b.y"]])).toString("base64url")}"`);
  t.equal(parseReviewMarker(forged, "prod/x", "apply"), undefined, "actions that do not match the digest are no record");
  t.same(diffActions(record.actions, [{ address: "a.x", action: "update" }, { address: "b.y", action: "create" }]), {
    added: [{ address: "a.x", action: "update" }],
    removed: [{ address: "a.x", action: "replace" }, { address: "output.url", action: "create" }],
  });
  // A value cannot close the hidden line or inject a second one.
  const nasty = reviewRecord("prod/x", "apply", summarizePlan({ resource_changes: [{ address: 'x.y["--><!-- protonkit:reviewed"]', change: { actions: ["create"] } }] }));
  const body = mergeComment(undefined, [{ dir: "prod/x", sha: SHA, title: "t", action: "apply", summary: summarizePlan({ resource_changes: [{ address: 'x.y["--><!-- protonkit:reviewed"]', change: { actions: ["create"] } }] }) }], SHA);
  t.equal(body.match(/<!-- protonkit:reviewed /g)?.length, 1);
  t.ok(body.includes(reviewMarker(nasty)));
});

t.test("decisions: an empty plan needs no review; drift runs pass the summary", async (t) => {
  const planned = { dir: "d", actions: [], digest: reviewDigest("d", "apply", []), sha: SHA };
  t.equal(decideReview({ kind: "no-pull-request", commit: SHA }, planned, false).ok, true);
  const one = { ...planned, actions: [{ address: "a.b", action: "create" }] };
  t.equal(decideReview({ kind: "no-pull-request", commit: SHA }, one, false).ok, false);
  const needs = { detect: { result: "success", outputs: { count: "2" } }, plan: { result: "skipped" }, comment: { result: "skipped" }, apply: { result: "skipped" } };
  for (const event of ["schedule", "workflow_dispatch"]) t.equal(decideSummary(needs, event).ok, true, event);
  t.equal(decideSummary({ ...needs, detect: { result: "failure" } }, "schedule").ok, false);
});

t.test("a plan too big for the comment keeps its digest; the apply then lists the new plan", async (t) => {
  const huge = summarizePlan({ resource_changes: Array.from({ length: 3000 }, (_, i) => ({ address: `aws_thing.t[${i}]`, change: { actions: ["create"] } })) });
  const body = mergeComment(undefined, [{ dir: "prod", sha: SHA, title: "t", action: "apply", summary: huge }], SHA);
  t.ok(body.length <= 60000);
  const record = parseReviewMarker(body, "prod", "apply");
  t.same(record, { digest: reviewRecord("prod", "apply", huge).digest }, "digest only, list left out");
  const planned = { dir: "prod", actions: [{ address: "aws_thing.new", action: "create" }], digest: reviewDigest("prod", "apply", [{ address: "aws_thing.new", action: "create" }]), sha: SHA };
  const verdict = decideReview({ kind: "reviewed", pr: 7, commit: SHA, headSha: SHA, record: record ?? { digest: "" } }, planned, false);
  t.equal(verdict.ok, false);
  t.match(verdict.ok ? "" : verdict.message, /left out of the comment \(too long\)[\s\S]*create aws_thing\.new/);
  const same = decideReview({ kind: "reviewed", pr: 7, commit: SHA, headSha: SHA, record: record ?? { digest: "" } }, { ...planned, actions: reviewRecord("prod", "apply", huge).actions, digest: record?.digest ?? "" }, false);
  t.equal(same.ok, true, "equal digests apply even without the list");
});
