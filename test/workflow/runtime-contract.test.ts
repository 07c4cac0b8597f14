import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import type { Command } from "commander";
import { buildProgram, main } from "../../src/cli/main";
import { PROVISION_JOBS_WORKFLOW_PATH, syncWorkflow } from "../../generators/workflow/sync";
import { SETTINGS, allSteps, parseWorkflowYaml, tempRepo } from "./helpers";

/**
 * The workflow calls `protonkit provision <sub> --flags`; this test holds it to the commands the
 * runtime actually registers, so renaming a flag on either side fails here and not in a
 * provisioning repository's first run.
 */
t.test("every provision command and flag the workflow uses exists in the CLI", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const wf = parseWorkflowYaml(fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8"));
  const calls = allSteps(wf).flatMap(({ step }) => {
    const m = step.run === undefined ? null : /^exec node "\$PROTONKIT_CLI" provision ([a-z-]+)(.*)$/.exec(step.run);
    return m ? [{ sub: m[1], flags: [...m[2].matchAll(/(--[a-z][a-z-]*)/g)].map((f) => f[1]) }] : [];
  });
  t.same([...new Set(calls.map((c) => c.sub))].sort(), ["apply", "comment", "detect", "drift", "plan", "report-failure", "resolve", "summary"]);

  const provision = buildProgram().commands.find((c: Command) => c.name() === "provision");
  if (!provision) {
    t.test("`protonkit provision` is registered", { skip: "not registered yet" }, async () => undefined);
    return;
  }
  for (const call of calls) {
    const sub = provision.commands.find((c: Command) => c.name() === call.sub);
    if (!sub) {
      t.fail(`protonkit provision ${call.sub} does not exist`);
      continue;
    }
    const known = new Set(sub.options.map((o) => o.long));
    for (const flag of call.flags) t.ok(known.has(flag), `protonkit provision ${call.sub} ${flag}`);
  }
});

/** Runs the CLI in-process with `GITHUB_OUTPUT` pointing at a fresh file; returns its lines as a map. */
async function runWithGithubOutput(file: string, args: string[]): Promise<{ code: number; outputs: Record<string, string> }> {
  fs.writeFileSync(file, "");
  const previous = { output: process.env.GITHUB_OUTPUT, exitCode: process.exitCode };
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.env.GITHUB_OUTPUT = file;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const code = await main(["node", "protonkit", ...args]);
    const outputs: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return { code, outputs };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    if (previous.output === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = previous.output;
    process.exitCode = previous.exitCode;
  }
}

/** Names `<prefix>.<name>` used inside `${{ }}` anywhere in `text`. */
function referenced(text: string, prefix: string): string[] {
  const re = new RegExp(`${prefix.replace(/\./g, "\\.")}\\.([A-Za-z_][A-Za-z0-9_-]*)`, "g");
  return [...new Set([...text.matchAll(re)].map((m) => m[1]))].sort();
}

t.test("every step output and matrix field the workflow reads is one the runtime writes", async (t) => {
  if (!buildProgram().commands.some((c: Command) => c.name() === "provision")) {
    t.test("`protonkit provision` is registered", { skip: "not registered yet" }, async () => undefined);
    return;
  }
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const text = fs.readFileSync(path.join(repo, PROVISION_JOBS_WORKFLOW_PATH), "utf8");
  const metadata = {
    deploymentId: "6f2c1d3e-0a4b-4c5d-8e9f-0123456789ab",
    isResourceDeleted: false,
    resourceMetadata: {
      arn: "arn:aws:proton:eu-west-1:123456789012:environment/prod",
      templateArn: "arn:aws:proton:eu-west-1:123456789012:environment-template/vpc",
      templateMajorVersion: "1",
      templateMinorVersion: "0",
    },
  };
  fs.mkdirSync(path.join(repo, "prod", ".proton"), { recursive: true });
  fs.writeFileSync(path.join(repo, "prod", ".proton", "deployment-metadata.json"), `${JSON.stringify(metadata)}\n`);
  fs.writeFileSync(path.join(repo, "prod", "main.tf"), "terraform {}\n");
  fs.rmSync(path.join(repo, ".git"), { recursive: true });
  const git = (...args: string[]): string =>
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args], { cwd: repo, encoding: "utf8" }).trim();
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "render prod");
  const head = git("rev-parse", "HEAD");
  const outFile = path.join(path.dirname(repo), "github-output");

  const detect = await runWithGithubOutput(outFile, ["provision", "detect", "--repo", repo, "--base", "0".repeat(40), "--head", head]);
  t.equal(detect.code, 0, "detect succeeds on a fresh repository");
  for (const name of referenced(text, "steps.detect.outputs")) t.ok(name in detect.outputs, `detect writes ${name}`);
  const wf = parseWorkflowYaml(text);
  for (const name of referenced(text, "needs.detect.outputs")) t.ok(wf.jobs.detect.outputs && name in wf.jobs.detect.outputs, `detect job exposes ${name}`);
  const matrix = JSON.parse(detect.outputs.matrix) as { include: Record<string, unknown>[] };
  t.equal(matrix.include.length, 1);
  t.equal(detect.outputs.count, "1");
  for (const name of referenced(text, "matrix")) t.type(matrix.include[0][name], "string", `matrix entries carry ${name}`);

  const resolve = await runWithGithubOutput(outFile, ["provision", "resolve", "--repo", repo, "--dir", String(matrix.include[0].dir), "--github-output"]);
  t.equal(resolve.code, 0);
  const wanted = referenced(text, "steps.resolve.outputs");
  t.same(wanted, ["apply_role_arn", "plan_role_arn", "region"]);
  for (const name of wanted) t.match(resolve.outputs[name], /\S/, `resolve writes ${name}`);
});
