import t from "tap";
import * as path from "node:path";
import { ProtonkitError } from "../../src/errors";
import { detectChanges, loadConfigAt, owningDir } from "../../src/provision/detect";
import { parseProvisioningConfig } from "../../src/provision/config";
import {
  CONFIG,
  commit,
  componentArn,
  envArn,
  git,
  instanceArn,
  makeRepo,
  pipelineArn,
  write,
  tmp,
  writeResource,
} from "./helpers";

const ZERO = "0".repeat(40);
const config = parseProvisioningConfig(CONFIG, ".protonkit/provisioning.yaml");

/** A repository holding one resource of every layout. */
function everyLayout(dir: string): { repo: string; base: string; head: string } {
  const repo = makeRepo(dir);
  const base = git(repo, "rev-parse", "HEAD");
  writeResource(repo, "prod", { arn: envArn("prod") });
  writeResource(repo, "prod/api-web", { arn: instanceArn("api", "web"), environmentArn: envArn("prod") });
  writeResource(repo, "prod/components/cache", { arn: componentArn("cache"), environmentArn: envArn("prod"), component: true });
  writeResource(repo, "prod/oldcomp", { arn: componentArn("oldcomp"), environmentArn: envArn("prod"), component: true });
  writeResource(repo, "api/pipeline", { arn: pipelineArn("api") });
  writeResource(repo, "environments/staging", { arn: envArn("staging") });
  writeResource(repo, "environments/staging/web", { arn: instanceArn("api", "web-staging"), environmentArn: envArn("staging") });
  write(repo, ".github/workflows/x.yaml", "on: push\n");
  const head = commit(repo, "several resources in one commit");
  return { repo, base, head };
}

t.test("every layout in one commit: one matrix entry per resource, ordered by kind", async (t) => {
  const { repo, base, head } = everyLayout(tmp(t));
  const m = detectChanges({ repo, base, head, config });
  t.same(
    m.include.map((e) => [e.dir, e.kind, e.service, e.name, e.environment, e.action]),
    [
      ["environments/staging", "environment", "", "staging", "staging", "apply"],
      ["prod", "environment", "", "prod", "prod", "apply"],
      ["prod/components/cache", "component", "", "cache", "prod", "apply"],
      ["prod/oldcomp", "component", "", "oldcomp", "prod", "apply"],
      ["environments/staging/web", "service-instance", "api", "web-staging", "staging", "apply"],
      ["prod/api-web", "service-instance", "api", "web", "prod", "apply"],
      ["api/pipeline", "pipeline", "api", "api", "", "apply"],
    ],
  );
  const prod = m.include.find((e) => e.dir === "prod/api-web");
  t.equal(prod?.apply_role_arn, "arn:aws:iam::123456789012:role/protonkit-apply");
  t.equal(prod?.region, "eu-west-1");
  t.equal(prod?.arn, instanceArn("api", "web"));
  const staging = m.include.find((e) => e.dir === "environments/staging");
  t.equal(staging?.region, "us-west-2", "'*' fallback");
  t.equal(m.include.find((e) => e.kind === "pipeline")?.plan_role_arn, "arn:aws:iam::123456789012:role/protonkit-plan-any");
  const noCfg = detectChanges({ repo, base, head });
  t.equal(noCfg.include.length, 7);
  t.equal(noCfg.include[0].region, undefined);
  t.same(detectChanges({ repo, base: ZERO, head, config }), m, "a zero base means every resource at head");
});

t.test("a change belongs to its nearest resource; other changes are ignored", async (t) => {
  const { repo, head: first } = everyLayout(tmp(t));
  write(repo, "prod/variables.tf", "# env change\n");
  write(repo, "README.md", "docs only\n");
  write(repo, ".protonkit/provisioning.yaml", CONFIG + "\n");
  const second = commit(repo, "env only");
  t.same(detectChanges({ repo, base: first, head: second, config }).include.map((e) => e.dir), ["prod"]);
  write(repo, "README.md", "docs again\n");
  const third = commit(repo, "docs");
  t.same(detectChanges({ repo, base: second, head: third, config }), { include: [] });
  t.equal(owningDir("prod/components/cache/main.tf", new Set(["prod", "prod/components/cache"])), "prod/components/cache");
  t.equal(owningDir("other/main.tf", new Set(["prod"])), undefined);
});

t.test("a branch of several commits merged into main; a moved base does not count", async (t) => {
  const { repo, head: start } = everyLayout(tmp(t));
  git(repo, "checkout", "-q", "-b", "proton--proton-service-instance-1");
  write(repo, "prod/api-web/main.tf", "resource \"terraform_data\" \"y\" {}\n");
  commit(repo, "Update requested for Proton - service/api/service-instance/web");
  write(repo, "prod/components/cache/proton.auto.tfvars.json", "{}\n");
  const branchHead = commit(repo, "second commit");
  git(repo, "checkout", "-q", "main");
  write(repo, "api/pipeline/main.tf", "# main moved on\n");
  const mainMoved = commit(repo, "pipeline change on main");
  // Pull request: base is main's tip, which moved after the branch point.
  t.same(
    detectChanges({ repo, base: mainMoved, head: branchHead, config }).include.map((e) => e.dir),
    ["prod/components/cache", "prod/api-web"],
    "the merge base is used, so main's own change is not in the PR",
  );
  git(repo, "merge", "-q", "--no-ff", "-m", "merge", "proton--proton-service-instance-1");
  const merged = git(repo, "rev-parse", "HEAD");
  // Push to main: before..after.
  t.same(detectChanges({ repo, base: mainMoved, head: merged, config }).include.map((e) => e.dir), ["prod/components/cache", "prod/api-web"]);
  t.same(detectChanges({ repo, base: start, head: merged, config }).include.map((e) => e.dir), ["prod/components/cache", "prod/api-web", "api/pipeline"]);
});

t.test("a deleted resource is in the matrix with action destroy; a directory is removed only after its deletion", async (t) => {
  const { repo, head: first } = everyLayout(tmp(t));
  writeResource(repo, "prod/api-web", {
    arn: instanceArn("api", "web"),
    environmentArn: envArn("prod"),
    deleted: true,
    deploymentId: "<proton-resource-deleted>",
    tf: "# This file is no longer managed by Proton because the resource was deleted.\n",
  });
  const second = commit(repo, "delete");
  const m = detectChanges({ repo, base: first, head: second, config });
  t.same(m.include.map((e) => [e.dir, e.action]), [["prod/api-web", "destroy"]]);
  // The second phase: the directory marked deleted goes away; that is not a loss.
  git(repo, "rm", "-r", "-q", "prod/api-web");
  const third = commit(repo, "remove the destroyed directory");
  const warnings: string[] = [];
  t.same(detectChanges({ repo, base: second, head: third, config, warn: (w) => warnings.push(w) }).include, []);
  t.match(warnings, [/^prod\/api-web: removed after its deletion/]);
});

t.test("a missing configuration entry fails, naming the file and the environment", async (t) => {
  const noStar = CONFIG.replace(/ {2}"\*":[\s\S]*?reporting/, "reporting");
  const repo = makeRepo(tmp(t), noStar);
  const base = git(repo, "rev-parse", "HEAD");
  writeResource(repo, "prod", { arn: envArn("prod") });
  writeResource(repo, "environments/staging", { arn: envArn("staging") });
  writeResource(repo, "qa/web", { arn: instanceArn("api", "web"), environmentArn: envArn("qa") });
  const head = commit(repo, "three");
  const cfg = loadConfigAt(repo, head);
  t.equal(cfg.source, ".protonkit/provisioning.yaml");
  const err = t.throws(() => detectChanges({ repo, base, head, config: cfg })) as ProtonkitError;
  t.ok(err instanceof ProtonkitError);
  t.equal(err.problems.length, 2, "all problems together");
  t.match(err.message, /cannot build the deployment matrix: 2 problems/);
  t.match(err.problems[0].toString(), /^\.protonkit\/provisioning\.yaml: environments\.staging: environments\/staging: no entry for environment "staging" and no "\*" fallback \(entries: prod\)/);
  t.match(err.problems[1].toString(), /environments\.qa: qa\/web: no entry for environment "qa"/);
});

t.test("a malformed metadata file fails, naming the file and the field", async (t) => {
  const repo = makeRepo(tmp(t));
  const base = git(repo, "rev-parse", "HEAD");
  writeResource(repo, "prod", { arn: envArn("prod") });
  write(repo, "prod/api-web/.proton/deployment-metadata.json", "{ not json");
  write(repo, "prod/api-other/.proton/deployment-metadata.json", JSON.stringify({ deploymentId: 7, isResourceDeleted: "no", resourceMetadata: { arn: "arn:aws:s3:::bucket" } }));
  write(repo, "prod/api-third/.proton/deployment-metadata.json", JSON.stringify({ resourceMetadata: {} }));
  const head = commit(repo, "bad metadata");
  const err = t.throws(() => detectChanges({ repo, base, head, config })) as ProtonkitError;
  const text = err.problems.map((p) => p.toString());
  t.match(text.find((p) => p.startsWith("prod/api-web/.proton/deployment-metadata.json: not valid JSON")), /fix: let Proton/);
  t.ok(text.some((p) => p.startsWith("prod/api-other/.proton/deployment-metadata.json: deploymentId: must be a string")));
  t.ok(text.some((p) => p.startsWith("prod/api-other/.proton/deployment-metadata.json: isResourceDeleted: must be true or false")));
  t.ok(text.some((p) => p.startsWith('prod/api-other/.proton/deployment-metadata.json: resourceMetadata.arn: "arn:aws:s3:::bucket" is not a Proton ARN')));
  t.ok(text.some((p) => p.startsWith("prod/api-third/.proton/deployment-metadata.json: resourceMetadata.arn: is required")));
});

t.test("unknown commits are reported with the flag and the fix", async (t) => {
  const repo = makeRepo(tmp(t));
  const head = git(repo, "rev-parse", "HEAD");
  t.throws(() => detectChanges({ repo, base: "deadbeef", head }), { message: /--base: "deadbeef" is not a commit .*fetch-depth: 0/s });
  t.throws(() => detectChanges({ repo, base: head, head: "nope" }), { message: /--head/ });
  t.ok(path.isAbsolute(repo));
});
