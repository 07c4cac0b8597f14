// An artifact record pushed to main deploys in the same push run: order includes the
// instance (marked for rendering), and the reviewed-plan gate accepts a fresh render that
// differs from the committed one in the artifact input alone, and nothing else.
import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import { artifactOnlyDifference, checkArtifactRender, renderedInWorkTree, type ArtifactDifferenceInput } from "../../src/platform/artifact-apply";
import type { ArtifactRecord } from "../../src/platform/artifacts";
import { decideArtifactReview, type ReviewLookup } from "../../src/provision/review";
import { changedEntries, recordedOutcome } from "../../src/platform/order-changes";
import { RECORDS_BRANCH, RecordsStore, readRecords } from "../../src/platform/records-store";
import { cli, commit, envArn, instanceArn, makeRepo, write, writeResource } from "../provision/helpers";
import { event, tmp } from "./ops-helpers";

const OLD = `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${"a".repeat(64)}`;
const NEW = `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${"b".repeat(64)}`;
const TF = 'resource "terraform_data" "x" {\n  input = var.service_instance.inputs.image\n}\n';

function tfvars(inputs: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ environment: { name: "prod", outputs: { VpcId: "vpc-1" } }, service_instance: { name: "web", inputs }, ...extra }, null, 2);
}
function meta(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ deploymentId: id, isResourceDeleted: false, serviceInstanceMetadata: { arn: instanceArn("api", "web") }, ...extra }, null, 2);
}
function files(vars: string, md: string, tf = TF): Map<string, string> {
  return new Map([
    ["main.tf", tf],
    ["proton.auto.tfvars.json", vars],
    [".proton/deployment-metadata.json", md],
  ]);
}
const record = (artifact: string, instance = "web"): ArtifactRecord => ({ service: "api", instance, environment: "prod", artifact, codeSha256: "", source: "", file: `platform/artifacts/api/${instance}.yaml` });
const target = { kind: "service-instance", service: "api", name: "web" };
const committed = files(tfvars({ image: OLD, port: 80 }), meta("id-1"));
const base: ArtifactDifferenceInput = { target, committed, fresh: files(tfvars({ image: NEW, port: 80 }), meta("id-2")), record: record(NEW), recordIsNewer: true };

t.test("an artifact-only difference is accepted", async (t) => {
  const v = artifactOnlyDifference(base);
  t.ok(v.ok);
  t.match(v.ok && v.note, /only in the artifact input, set by platform\/artifacts\/api\/web.yaml/);
  // A zip replacing an image on a function: image_uri goes, code_s3_* come.
  const fn = artifactOnlyDifference({
    ...base,
    committed: files(tfvars({ image_uri: OLD, memory: 128 }), meta("id-1")),
    fresh: files(tfvars({ code_s3_bucket: "acme-code", code_s3_key: "api/web.zip", memory: 128 }), meta("id-2")),
    record: record("s3://acme-code/api/web.zip"),
  });
  t.ok(fn.ok, fn.ok ? "" : fn.reason);
});

t.test("any other difference is refused", async (t) => {
  const refused = (input: Partial<ArtifactDifferenceInput>, why: RegExp): void => {
    const v = artifactOnlyDifference({ ...base, ...input });
    t.notOk(v.ok);
    t.match(!v.ok && v.reason, why);
  };
  refused({ fresh: files(tfvars({ image: NEW, port: 8080 }), meta("id-2")) }, /service_instance\.inputs beyond the artifact/);
  refused({ fresh: files(tfvars({ image: OLD, port: 80 }), meta("id-2")) }, /beyond the artifact/);
  refused({ fresh: files(tfvars({ image: NEW, port: 80 }, { proton_tags: { a: "b" } }), meta("id-2")) }, /outside service_instance\.inputs/);
  refused({ fresh: files(tfvars({ image: NEW, port: 80 }), meta("id-2"), TF + "# more\n") }, /in main\.tf/);
  refused({ fresh: new Map([...files(tfvars({ image: NEW, port: 80 }), meta("id-2")), ["extra.tf", "x"]]) }, /in extra\.tf \(added\)/);
  refused({ fresh: files(tfvars({ image: NEW, port: 80 }), meta("id-2", { isResourceDeleted: true })) }, /beyond the deployment id/);
  refused({ recordIsNewer: false }, /did not change after the committed render/);
  refused({ target: { ...target, kind: "environment" } }, /takes no artifact record/);
});

t.test("a record of another or unknown instance is refused", async (t) => {
  for (const r of [undefined, record(NEW, "ghost")]) {
    const v = artifactOnlyDifference({ ...base, record: r });
    t.notOk(v.ok);
    t.match(!v.ok && v.reason, /no artifact record of instance web of service api/);
  }
});

t.test("the gate: an artifact-only render applies over a reviewed committed render, and only then", async (t) => {
  const planned = { dir: "prod/api-web", actions: [{ address: "terraform_data.x", action: "update" as const }], digest: "sha256:new", sha: "c".repeat(40) };
  const reviewed: ReviewLookup = { kind: "reviewed", pr: 7, commit: "d".repeat(40), headSha: "e".repeat(40), record: { digest: "sha256:old", actions: [] } };
  const ok = artifactOnlyDifference(base);
  const accepted = decideArtifactReview(reviewed, ok, planned, false);
  t.ok(accepted.ok);
  t.match(accepted.ok && accepted.note, /reviewed in pull request #7/);
  const other = decideArtifactReview(reviewed, artifactOnlyDifference({ ...base, fresh: files(tfvars({ image: NEW, port: 1 }), meta("id-2")) }), planned, false);
  t.notOk(other.ok);
  t.match(!other.ok && other.message, /apply of prod\/api-web refused: the fresh render differs .* platform render/);
  const unreviewed = decideArtifactReview({ kind: "not-reviewed", pr: 3, commit: "d".repeat(40), reason: "no plan comment" }, ok, planned, false);
  t.notOk(unreviewed.ok);
  t.match(!unreviewed.ok && unreviewed.message, /committed render it starts from was never reviewed: no plan comment/);
  t.notOk(decideArtifactReview({ kind: "no-pull-request", commit: "d".repeat(40) }, ok, planned, false).ok);
  t.ok(decideArtifactReview({ kind: "no-pull-request", commit: "d".repeat(40) }, ok, planned, true).ok);
});

function recordYaml(artifact: string, instance = "web"): string {
  return `service: api\ninstance: ${instance}\nenvironment: prod\nartifact: ${artifact}\nsource: https://example.com/commit/1\n`;
}

t.test("order includes the instances whose artifact record changed, marked for rendering", async (t) => {
  const repo = makeRepo(tmp(t));
  writeResource(repo, "prod", { arn: envArn("prod") });
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "prod/api-other", { arn: instanceArn("api", "other"), environmentArn: envArn("prod") });
  const base = commit(repo, "resources");
  write(repo, "platform/artifacts/api/web.yaml", recordYaml(NEW));
  write(repo, "platform/artifacts/api/ghost.yaml", recordYaml(NEW, "ghost"));
  const head = commit(repo, "deploy api/web");
  const res = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head, "--stage", "instances-apply"]);
  t.equal(res.code, 0, res.stderr);
  const include = JSON.parse(res.stdout).include as Array<{ dir: string; artifact?: boolean }>;
  t.same(include.map((e) => [e.dir, e.artifact]), [["prod/api-web", true]]);
  const all = await cli(["platform", "order", "--repo", repo, "--base", base, "--head", head]);
  t.same(JSON.parse(all.stdout).stages.filter((s: { count: number }) => s.count > 0).map((s: { stage: string; count: number }) => [s.stage, s.count]), [["instances-apply", 1]]);
  // The apply recorded its fresh render's deployment id: still this entry's outcome.
  await new RecordsStore({ repo }).append([event("prod/api-web", "SUCCEEDED", { deploymentId: "9b6f1d2e-1111-5222-8333-444455556666", commit: head })]);
  const entry = changedEntries(repo, base, head).find((e) => e.dir === "prod/api-web");
  t.ok(entry?.artifact);
  t.equal(entry && recordedOutcome(readRecords(repo, RECORDS_BRANCH), head)(entry), "succeeded");
});

t.test("checkArtifactRender compares the working tree's render with the commit and the record's commit", async (t) => {
  const repo = makeRepo(tmp(t));
  const dir = "prod/api-web";
  const put = (vars: string, md: string, tf = TF): void => {
    write(repo, `${dir}/main.tf`, tf);
    write(repo, `${dir}/proton.auto.tfvars.json`, vars);
    write(repo, `${dir}/.proton/deployment-metadata.json`, md);
  };
  put(tfvars({ image: OLD, port: 80 }), meta("id-1"));
  commit(repo, "render");
  t.notOk(renderedInWorkTree(repo, dir));
  // A record older than the committed render explains nothing.
  write(repo, "platform/artifacts/api/web.yaml", recordYaml(NEW));
  commit(repo, "record");
  write(repo, `${dir}/main.tf`, TF + "\n");
  commit(repo, "touch the render");
  fs.writeFileSync(path.join(repo, dir, "main.tf"), TF);
  put(tfvars({ image: NEW, port: 80 }), meta("id-2"));
  t.ok(renderedInWorkTree(repo, dir));
  const stale = checkArtifactRender(repo, "HEAD", dir, target);
  t.notOk(stale.ok);
  t.match(!stale.ok && stale.reason, /did not change after the committed render/);
  // The newest record explains the artifact input, and only it.
  write(repo, "platform/artifacts/api/web.yaml", recordYaml(NEW).replace("commit/1", "commit/2"));
  put(tfvars({ image: OLD, port: 80 }), meta("id-1"), TF + "\n");
  commit(repo, "deploy");
  put(tfvars({ image: NEW, port: 80 }), meta("id-2"), TF + "\n");
  const ok = checkArtifactRender(repo, "HEAD", dir, target);
  t.ok(ok.ok, ok.ok ? "" : ok.reason);
  write(repo, `${dir}/override.tf`, "# not reviewed\n");
  const extra = checkArtifactRender(repo, "HEAD", dir, target);
  t.notOk(extra.ok);
  t.match(!extra.ok && extra.reason, /in override\.tf \(added\)/);
});
