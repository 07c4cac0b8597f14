// The platform flow end to end: real git repositories (a bare origin, one clone per job), the
// real Terraform (terraform_data only: no provider download) against the loopback S3, and the
// loopback GitHub for what the jobs ask GitHub (pull requests, plan comments, runs). Each job
// runs the commands the generated platform workflow runs (test/workflow/golden/platform/
// protonkit-provision-jobs.yml), with the same flags, in the same sequence; the shell steps
// (records fetch, outbox, propagate commit) are the same git commands.
// Not reproduced, and how it stands in: GitHub checks out a pull request's merge commit, here its
// head (every branch starts at main, so the trees are the same); the OIDC role and the cache
// hand-offs between jobs (plan section, records outbox) are a fake key and shared folders;
// propagate's `gh pr create` is the next pullRequest() of its branch; the summary job is not run.
import t, { type Test } from "tap";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { RECORDS_BRANCH, readRecords, type RecordedState } from "../../src/platform/records-store";
import { startFakeGitHub, type FakeGitHub } from "../provision/github-fake";
import { startFakeS3, type FakeS3 } from "../provision/s3-fake";
import { ENV_FILE, cli, envBundle, git, initRepo, initialCatalog, platformConfig, publish, tmpDir, writeFiles } from "./fixture";

const terraformAvailable = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

const WORKFLOW = "protonkit-provision.yml";
const RECORDS_REF = `refs/remotes/origin/${RECORDS_BRANCH}`;
const BUCKET = "acme-state";

const SERVICE = `template: web
version: "1"
owner: orders
repository: { id: acme/orders, branch: main }
spec:
  proton: ServiceSpec
  pipeline:
    image: orders
  instances:
    - name: a
      environment: prod
      spec:
        port: 8080
    - name: b
      environment: prod
      spec:
        port: 9090
`;

/** A matrix entry of `detect` and `platform order --stage`, as far as the jobs read it. */
interface Entry {
  dir: string;
  artifact?: boolean;
}

/** Reads `$GITHUB_OUTPUT` (`k=v` lines and `k<<delim` blocks). */
function githubOutput(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i].includes("=")) out[lines[i].slice(0, lines[i].indexOf("="))] = lines[i].slice(lines[i].indexOf("=") + 1);
  }
  return out;
}

/** The workflow's environment and the loopback endpoints, set on this process for the CLI. */
function jobEnv(t: Test, s3: FakeS3, gh: FakeGitHub): void {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake",
    AWS_EC2_METADATA_DISABLED: "true",
    PROTONKIT_S3_ENDPOINT: s3.endpoint,
    GITHUB_TOKEN: "ghs_test",
    GITHUB_REPOSITORY: "acme/provisioning",
    GITHUB_API_URL: gh.url,
    GITHUB_REF_NAME: "main",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
  // No PROTONKIT_CACHE_DIR: each job's checkout keeps its own catalog cache, as on a runner.
  const saved = new Map([...Object.keys(env), "PROTONKIT_CACHE_DIR"].map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  delete process.env.PROTONKIT_CACHE_DIR;
  t.teardown(() => {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
}

/** Runs one CLI command as a job step, with extra environment for the step only. */
async function step(t: Test, cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ out: string; err: string }> {
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const res = await cli(cwd, args);
    t.equal(res.code, 0, `protonkit ${args.join(" ")}`, { stderr: res.err });
    return res;
  } finally {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

t.test("one pull request deploys an environment, a service's two instances and its pipeline, in order; a changed output reaches the instances", { skip: terraformAvailable ? false : "terraform not on PATH" }, async (t) => {
  const [s3, gh] = await Promise.all([startFakeS3(), startFakeGitHub()]);
  t.teardown(async () => {
    await Promise.all([s3.close(), gh.close()]);
  });
  const root = tmpDir(t, "protonkit-platform-flow-");
  jobEnv(t, s3, gh);
  const catalog = path.join(root, "catalog");
  fs.mkdirSync(catalog);
  initRepo(catalog);
  // The environment's VPC is replaced when its CIDR changes, so a spec change changes its output.
  const cat = initialCatalog();
  const envMain = "env/v1/infrastructure/main.tf";
  cat.files[envMain] = envBundle()[envMain].replace("  input = var.environment.inputs.cidr\n", "  input            = var.environment.inputs.cidr\n  triggers_replace = var.environment.inputs.cidr\n");
  publish(catalog, cat, "catalog 1.0");

  // The platform repository: a bare origin with the configuration, and the author's clone.
  const origin = path.join(root, "origin.git");
  spawnSync("git", ["init", "-q", "--bare", "-b", "main", origin]);
  const author = path.join(root, "author");
  fs.mkdirSync(author);
  initRepo(author);
  git(author, "remote", "add", "origin", origin);
  writeFiles(author, { ".protonkit/platform.yaml": platformConfig(catalog, "reporting: git\n") });
  git(author, "add", "-A");
  git(author, "commit", "-q", "-m", "platform configuration");
  git(author, "push", "-q", "origin", "main");

  let jobs = 0;
  /** actions/checkout: a fresh clone of origin at main (full history). */
  const checkout = (name: string): string => {
    const dir = path.join(root, "jobs", `${String(jobs++).padStart(2, "0")}-${name}`.replace(/[^A-Za-z0-9._-]/g, "_"));
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    spawnSync("git", ["clone", "-q", origin, dir]);
    git(dir, "config", "user.name", "Runner");
    git(dir, "config", "user.email", "runner@example.com");
    return dir;
  };
  /** "Fetch the records branch": ls-remote, then fetch into refs/remotes/origin when it exists. */
  const fetchRecords = (dir: string): void => {
    const ls = spawnSync("git", ["-C", dir, "ls-remote", "--exit-code", "--heads", "origin", RECORDS_BRANCH]);
    if (ls.status === 0) git(dir, "fetch", "--quiet", "--no-tags", "origin", `+refs/heads/${RECORDS_BRANCH}:${RECORDS_REF}`);
    else t.equal(ls.status, 2, "no records branch yet");
  };
  const records = (): RecordedState => readRecords(origin, RECORDS_BRANCH);
  const read = (dir: string, rel: string): string => fs.readFileSync(path.join(dir, rel), "utf8");
  const tfvars = (dir: string, rel: string): Record<string, unknown> => JSON.parse(read(dir, `${rel}/proton.auto.tfvars.json`)) as Record<string, unknown>;
  /** The `input` value of the terraform_data in a resource's state in the loopback S3. */
  const appliedInput = (dir: string): unknown => {
    const text = s3.objects.get(`${BUCKET}/${dir}/terraform.tfstate`)?.toString("utf8");
    const resources = text ? (JSON.parse(text) as { resources: Array<{ type: string; instances: Array<{ attributes: { input?: { value: unknown } } }> }> }).resources : [];
    return resources.find((r) => r.type === "terraform_data")?.instances[0]?.attributes.input?.value;
  };

  /** The pipeline's `service_instances`, as [name, outputs]. */
  const serviceInstances = (dir: string): Array<[string, unknown]> =>
    (tfvars(dir, "orders/pipeline").service_instances as Array<{ name: string; outputs: unknown }>).map((i) => [i.name, i.outputs]);
  const fetchAuthor = (): void => void git(author, "fetch", "-q", "origin");

  let prs = 0;
  /**
   * A pull request from `branch` of the author's clone (or of origin, for propagate): the pull
   * request jobs (validate, detect, plan, comment), then the merge (a merge commit on main,
   * pushed), which GitHub associates with the pull request. Returns [before, after] of main.
   */
  async function pullRequest(t: Test, branch: string, expectPlanned: string[]): Promise<[string, string]> {
    const number = ++prs;
    const base = git(origin, "rev-parse", "main");
    const head = git(origin, "rev-parse", branch);
    // validate: the committed render is current (the records as this run sees them).
    const validate = checkout(`validate-${number}`);
    git(validate, "checkout", "-q", head);
    fetchRecords(validate);
    await step(t, validate, ["platform", "render", "--check", "--fetch", "--records", RECORDS_REF]);
    // detect, then plan (credentialed) and comment (no AWS) per resource.
    const pr = checkout(`plan-${number}`);
    git(pr, "checkout", "-q", head);
    const detected = await step(t, pr, ["provision", "detect", "--base", base, "--head", head]);
    const matrix = (JSON.parse(detected.out) as { include: Entry[] }).include;
    t.same(matrix.map((e) => e.dir), expectPlanned, "the pull request plans what it changes");
    const event = path.join(root, `event-${number}.json`);
    fs.writeFileSync(event, JSON.stringify({ pull_request: { number, head: { sha: head } } }));
    for (const e of matrix) {
      const section = path.join(root, `section-${number}-${e.dir.replace(/\//g, "_")}.json`);
      await step(t, pr, ["provision", "resolve", "--dir", e.dir, "--github-output"], { GITHUB_OUTPUT: path.join(root, "resolve.out") });
      await step(t, pr, ["provision", "plan", "--dir", e.dir, "--no-comment", "--section-file", section], { GITHUB_EVENT_PATH: event });
      await step(t, pr, ["provision", "comment", "--dir", e.dir, "--section-file", section, "--pr", String(number)]);
    }
    // Merged with a merge commit.
    const merger = checkout(`merge-${number}`);
    git(merger, "fetch", "-q", "origin", branch);
    git(merger, "merge", "-q", "--no-ff", "-m", `Merge pull request #${number}`, head);
    git(merger, "push", "-q", "origin", "main");
    const after = git(merger, "rev-parse", "HEAD");
    gh.commitPulls.set(after, [{ number, state: "closed", merged_at: "2026-12-01T00:00:00Z", merge_commit_sha: after, base: { ref: "main" }, head: { sha: head } }]);
    return [base, after];
  }

  /** The push to main: order, then order/apply/record per step, then propagate. Returns the counted steps, the applied directories in order, and whether propagate pushed a re-render. */
  async function push(t: Test, before: string, after: string): Promise<{ applied: string[]; propagated: boolean; steps: Record<string, number> }> {
    const env = { GITHUB_EVENT_NAME: "push", GITHUB_SHA: after };
    const orderDir = checkout("order");
    const orderOutput = path.join(root, `order-${after.slice(0, 8)}.out`);
    const ordered = await step(t, orderDir, ["platform", "order", "--base", before, "--head", after, "--since-last-success", WORKFLOW, "--no-config", "--github-output"], { ...env, GITHUB_OUTPUT: orderOutput });
    const orderOut = JSON.parse(ordered.out) as { base: string; head: string; steps: Array<{ step: string; count: number }> };
    const outputs = githubOutput(orderOutput);
    const steps = Object.fromEntries(orderOut.steps.filter((s) => s.count > 0).map((s) => [s.step, s.count]));
    const applied: string[] = [];
    for (const { step: id } of orderOut.steps) {
      if (outputs[`${id}-count`] === "0") continue;
      const [, stage, wave] = /^([a-z]+-(?:apply|destroy))(?:-([a-z]+))?$/.exec(id) ?? [];
      // order-<step>: on the records the earlier steps forwarded.
      const stepDir = checkout(`order-${id}`);
      fetchRecords(stepDir);
      const stepOutput = path.join(root, `order-${id}-${after.slice(0, 8)}.out`);
      await step(t, stepDir, ["platform", "order", "--base", outputs.base, "--head", outputs.head, "--stage", stage, ...(wave ? ["--wave", wave] : []), "--batch", "0", "--records", RECORDS_REF, "--github-output"], { ...env, GITHUB_OUTPUT: stepOutput });
      const matrix = (JSON.parse(githubOutput(stepOutput).matrix) as { include: Entry[] }).include;
      for (const [index, e] of matrix.entries()) {
        // apply-<step>: resolve, records fetch, the outbox, the apply (contents: read only).
        const applyDir = checkout(`apply-${e.dir}`);
        await step(t, applyDir, ["provision", "resolve", "--dir", e.dir, "--github-output"], { GITHUB_OUTPUT: path.join(root, "resolve.out") });
        fetchRecords(applyDir);
        const outbox = path.join(root, "outboxes", `${id}-${index}-${after.slice(0, 8)}`);
        fs.mkdirSync(outbox, { recursive: true });
        git(outbox, "init", "--quiet", "--bare", "repo.git");
        const seeded = spawnSync("git", ["-C", applyDir, "rev-parse", "--verify", "--quiet", `${RECORDS_REF}^{commit}`], { encoding: "utf8" }).stdout.trim();
        if (seeded) git(applyDir, "push", "--quiet", path.join(outbox, "repo.git"), `${seeded}:refs/heads/${RECORDS_BRANCH}`);
        fs.writeFileSync(path.join(outbox, "base"), `${seeded}\n`);
        git(applyDir, "remote", "add", "protonkit-outbox", path.join(outbox, "repo.git"));
        if (e.artifact) await step(t, applyDir, ["platform", "render", "--fetch", "--records", RECORDS_REF]);
        await step(t, applyDir, ["provision", "apply", "--dir", e.dir, "--newest-of", "origin/main", "--check-reviewed"], {
          PROTONKIT_RECORDS_REMOTE: "protonkit-outbox",
          PROTONKIT_STATUS_MIRROR: "off",
          RUNNER_TEMP: path.join(root, "runner", String(jobs)),
        });
        // record-<step>: no AWS credentials; forwards the outbox and mirrors the statuses.
        const recordDir = checkout(`record-${e.dir}`);
        await step(t, recordDir, ["platform", "records-forward", "--outbox", outbox, "--resource", e.dir]);
        applied.push(e.dir);
      }
    }
    gh.successfulRuns.set(WORKFLOW, [after, ...(gh.successfulRuns.get(WORKFLOW) ?? [])]);
    // propagate: re-render main from the newest records; commit to protonkit/propagate when anything changed.
    const prop = checkout("propagate");
    fetchRecords(prop);
    await step(t, prop, ["platform", "render", "--fetch", "--records", RECORDS_REF]);
    if (git(prop, "status", "--porcelain") === "") return { applied, propagated: false, steps };
    const at = git(prop, "rev-parse", "--short=12", RECORDS_REF);
    git(prop, "switch", "--quiet", "-C", "protonkit/propagate");
    git(prop, "add", "-A");
    git(prop, "-c", "user.name=github-actions[bot]", "-c", "user.email=41898282+github-actions[bot]@users.noreply.github.com", "commit", "--quiet", "-m", `protonkit: re-render from the records at ${at}`);
    git(prop, "push", "--quiet", "--force", "origin", "protonkit/propagate");
    return { applied, propagated: true, steps };
  }

  // 1. The pull request: the environment and the service, rendered by the author. Nothing is
  // recorded, so the instances and the pipeline are pending.
  git(author, "switch", "-q", "-c", "add-orders");
  writeFiles(author, { "platform/environments/prod.yaml": ENV_FILE, "platform/services/orders.yaml": SERVICE });
  const rendered = await step(t, author, ["platform", "render"]);
  t.match(rendered.out, /wrote prod\//);
  t.match(rendered.out, /pending prod\/orders-a\/: waits for the first apply of environment prod/);
  t.match(rendered.out, /pending orders\/pipeline\/: waits until every instance of the service renders/);
  t.notOk(fs.existsSync(path.join(author, "prod/orders-a")), "instance a is pending");
  t.notOk(fs.existsSync(path.join(author, "orders/pipeline")), "the pipeline is pending");
  git(author, "add", "-A");
  git(author, "commit", "-q", "-m", "orders in prod");
  git(author, "push", "-q", "origin", "add-orders");

  // 2. Merged: the environment applies, its outputs are recorded, propagate renders the
  // instances (and the pipeline: every instance now renders; no instance output recorded yet).
  let [before, after] = await pullRequest(t, "add-orders", ["prod"]);
  let run = await push(t, before, after);
  t.same(run.steps, { "environments-apply-production": 1 }, "one step: the environment");
  t.same(run.applied, ["prod"]);
  t.equal(appliedInput("prod"), "10.1.0.0/16", "the environment's state is in S3");
  const vpc1 = records().resources.get("prod")?.outputs.vpc_id ?? "";
  t.match(vpc1, /^vpc-[0-9a-f-]{36}$/, "the environment's output is recorded");
  t.ok(run.propagated, "the re-render is proposed");
  let look = checkout("look-propagate-1");
  git(look, "checkout", "-q", "origin/protonkit/propagate");
  t.same(git(look, "diff", "--name-only", "origin/main", "HEAD").split("\n").map((f) => f.split("/").slice(0, 2).join("/")).filter((d, i, all) => all.indexOf(d) === i), ["orders/pipeline", "prod/orders-a", "prod/orders-b"], "the re-render adds the instances and the pipeline");
  t.same((tfvars(look, "prod/orders-a").environment as { outputs: unknown }).outputs, { vpc_id: vpc1 }, "instance a's tfvars carry the environment's outputs");
  t.same((tfvars(look, "prod/orders-b").environment as { outputs: unknown }).outputs, { vpc_id: vpc1 }, "instance b's too");
  t.same(serviceInstances(look), [["a", {}], ["b", {}]], "the pipeline renders before its instances' outputs exist");

  // 3. The propagate pull request merged: the instances apply, then the pipeline (empty outputs);
  // propagate then re-renders the pipeline with the recorded instance outputs.
  [before, after] = await pullRequest(t, "protonkit/propagate", ["prod/orders-a", "prod/orders-b", "orders/pipeline"]);
  run = await push(t, before, after);
  t.same(run.steps, { "instances-apply-production": 2, "pipelines-apply": 1 });
  t.same(run.applied, ["prod/orders-a", "prod/orders-b", "orders/pipeline"], "instances, then the pipeline");
  t.same(records().resources.get("prod/orders-a")?.outputs, { url: "http://a:8080" });
  t.same(records().resources.get("prod/orders-b")?.outputs, { url: "http://b:9090" });
  t.equal(appliedInput("prod/orders-a"), `${vpc1}:8080`, "instance a applied against the environment's output");
  t.equal(appliedInput("prod/orders-b"), `${vpc1}:9090`);
  t.same(appliedInput("orders/pipeline"), [{}, {}]);
  t.ok(run.propagated, "the instances' outputs are proposed to the pipeline");
  [before, after] = await pullRequest(t, "protonkit/propagate", ["orders/pipeline"]);
  look = checkout("look-main-3");
  t.same(serviceInstances(look), [["a", { url: "http://a:8080" }], ["b", { url: "http://b:9090" }]], "the pipeline's tfvars carry its instances' outputs");
  run = await push(t, before, after);
  t.same(run.applied, ["orders/pipeline"]);
  t.same(appliedInput("orders/pipeline"), [{ url: "http://a:8080" }, { url: "http://b:9090" }], "and the pipeline applied them");
  t.notOk(run.propagated, "nothing left to propagate");

  // 4. The apply order, from the deployment records: the records branch's commit sequence, and
  // within the deployment of the instances, the pipeline started after both instances ended.
  const firstRecorded: string[] = [];
  for (const file of git(origin, "log", "--reverse", "--format=", "--name-only", RECORDS_BRANCH).split("\n")) {
    const m = /^records\/(.+)\.jsonl$/.exec(file);
    if (m && !firstRecorded.includes(m[1])) firstRecorded.push(m[1]);
  }
  t.same(firstRecorded, ["prod", "prod/orders-a", "prod/orders-b", "orders/pipeline"], "first records: environment, instances, pipeline");
  const deployments = (dir: string) => records().resources.get(dir)?.deployments ?? [];
  t.same(deployments("prod").map((d) => d.status), ["SUCCEEDED"]);
  const [a1, b1, p1] = [deployments("prod/orders-a")[0], deployments("prod/orders-b")[0], deployments("orders/pipeline")[0]];
  t.ok(deployments("prod")[0].endedAt && a1.endedAt && b1.endedAt && p1.endedAt, "every deployment ended");
  t.ok(String(deployments("prod")[0].endedAt) <= a1.startedAt && String(deployments("prod")[0].endedAt) <= b1.startedAt, "the environment ended before its instances started");
  t.ok(String(a1.endedAt) <= p1.startedAt && String(b1.endedAt) <= p1.startedAt, "the instances ended before the pipeline started");
  t.equal(a1.commit, p1.commit, "(the instances and the pipeline in one deployment)");
  t.same(deployments("orders/pipeline").map((d) => d.status), ["SUCCEEDED", "SUCCEEDED"]);

  // 5. A changed environment output reaches its dependents: a new CIDR replaces the VPC, so
  // vpc_id changes; propagate re-renders both instances and the pipeline (its service_instances
  // carry their environment, as Proton's do), and the order of the propagate merge schedules them.
  // The README's step: `git fetch origin`, then render (it reads origin's records: the author
  // has no local records branch).
  fetchAuthor();
  git(author, "switch", "-q", "-c", "new-cidr", "origin/main");
  writeFiles(author, { "platform/environments/prod.yaml": ENV_FILE.replace("10.1.0.0/16", "10.2.0.0/16") });
  const rerendered = await step(t, author, ["platform", "render"]);
  t.match(rerendered.out, /wrote prod\/ /);
  t.match(rerendered.out, /records at [0-9a-f]{12}/, "it read origin's records");
  t.notMatch(rerendered.out, /orders/, "its dependents change only once the new output is recorded");
  git(author, "commit", "-q", "-am", "prod: a new CIDR");
  git(author, "push", "-q", "origin", "new-cidr");
  [before, after] = await pullRequest(t, "new-cidr", ["prod"]);
  run = await push(t, before, after);
  t.same(run.applied, ["prod"]);
  t.equal(appliedInput("prod"), "10.2.0.0/16");
  const vpc2 = records().resources.get("prod")?.outputs.vpc_id ?? "";
  t.match(vpc2, /^vpc-/);
  t.not(vpc2, vpc1, "the replaced VPC has a new id");
  t.ok(run.propagated);
  look = checkout("look-propagate-5");
  git(look, "checkout", "-q", "origin/protonkit/propagate");
  t.same(git(look, "diff", "--name-only", "origin/main", "HEAD").split("\n").map((f) => f.split("/").slice(0, 2).join("/")).filter((d, i, all) => all.indexOf(d) === i), ["orders/pipeline", "prod/orders-a", "prod/orders-b"], "both instances and the pipeline");
  t.same((tfvars(look, "prod/orders-a").environment as { outputs: unknown }).outputs, { vpc_id: vpc2 }, "the new output reached instance a");
  t.same((tfvars(look, "prod/orders-b").environment as { outputs: unknown }).outputs, { vpc_id: vpc2 }, "and instance b");
  t.same(
    (tfvars(look, "orders/pipeline").service_instances as Array<{ environment: { outputs: unknown } }>).map((i) => i.environment.outputs),
    [{ vpc_id: vpc2 }, { vpc_id: vpc2 }],
    "and the pipeline's service_instances",
  );
  [before, after] = await pullRequest(t, "protonkit/propagate", ["prod/orders-a", "prod/orders-b", "orders/pipeline"]);
  run = await push(t, before, after);
  t.same(run.steps, { "instances-apply-production": 2, "pipelines-apply": 1 }, "the order of the propagate merge schedules them");
  t.same(run.applied, ["prod/orders-a", "prod/orders-b", "orders/pipeline"]);
  t.equal(appliedInput("prod/orders-a"), `${vpc2}:8080`, "instance a applied against the new output");
  t.equal(appliedInput("prod/orders-b"), `${vpc2}:9090`);
  t.same(appliedInput("orders/pipeline"), [{ url: "http://a:8080" }, { url: "http://b:9090" }], "the pipeline's plan was empty, and applied");
  t.same(deployments("orders/pipeline").map((d) => d.status), ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
  t.notOk(run.propagated, "instance outputs unchanged: nothing more to propagate");
});
