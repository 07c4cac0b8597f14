/**
 * Every generated `.gitlab-ci.yml` passes `gitlab-ci-local --list`, which validates it against
 * GitLab's JSON schema offline; an unknown key fails it. The unit-test job of a Node.js app,
 * which needs no cloud, runs with the shell executor.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import t from "tap";
import { syncPipeline } from "../../generators/pipeline/sync";
import { TEMPLATES, flagsFor, nodeApp, tempDir } from "./helpers";

const run = promisify(execFile);
const BIN = path.join(__dirname, "..", "..", "node_modules", "gitlab-ci-local", "src", "index.js");

async function gcl(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, timeout: 120_000, env: { ...process.env, HOME: cwd, NO_COLOR: "1", FORCE_COLOR: "0" } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

function git(cwd: string, ...args: string[]): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  execFileSync("git", ["-C", cwd, ...args], { env, stdio: "ignore" });
}

/** A real git checkout of a Node.js app with its generated GitLab pipeline. */
function gitlabApp(tt: Parameters<typeof tempDir>[0], template: string, dockerfile: boolean): string {
  const repo = nodeApp(tt, dockerfile);
  fs.rmSync(path.join(repo, ".git"), { recursive: true });
  git(repo, "init", "-q", "-b", "main");
  syncPipeline({ repo, mode: "init", flags: flagsFor(template, "gitlab") });
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "app");
  return repo;
}

t.test("gitlab-ci-local --list accepts every generated pipeline", async (t) => {
  const cases = TEMPLATES.flatMap((template) => [false, true].map((dockerfile) => ({ template, dockerfile })));
  const results = [];
  // Two at a time: the schema validation is CPU-bound.
  for (let i = 0; i < cases.length; i += 2) {
    results.push(...(await Promise.all(cases.slice(i, i + 2).map(async (c) => ({ ...c, ...(await gcl(gitlabApp(t, c.template, c.dockerfile), ["--list"])) })))));
  }
  for (const r of results) {
    const name = `${r.template}${r.dockerfile ? " with a Dockerfile" : ""}`;
    t.equal(r.code, 0, `${name}: exit 0`);
    t.match(r.out, /json schema validated/, `${name}: validated`);
    t.match(r.out, /deploy-production\s+deploy\s+manual/, `${name}: production is a manual job`);
  }
});

t.test("an unknown key fails the same check", async (t) => {
  const repo = gitlabApp(t, "public-web-service", false);
  fs.appendFileSync(path.join(repo, ".gitlab-ci.yml"), "\nextra-job:\n  script: [echo]\n  colour: blue\n");
  const r = await gcl(repo, ["--list"]);
  t.not(r.code, 0);
  t.match(r.out, /colour/);
});

const hasRsync = (process.env.PATH ?? "").split(path.delimiter).some((d) => fs.existsSync(path.join(d, "rsync")));
t.test("the unit-test job of a Node.js app runs with the shell executor", { skip: hasRsync ? false : "gitlab-ci-local needs rsync (apt-get install rsync)" }, async (t) => {
  const repo = gitlabApp(t, "public-web-service", false);
  const r = await gcl(repo, ["--force-shell-executor", "unit-test"]);
  t.equal(r.code, 0, r.out);
  t.match(r.out, /unit tests of orders: ok/);
  t.match(r.out, /PASS\s+unit-test/);
});
