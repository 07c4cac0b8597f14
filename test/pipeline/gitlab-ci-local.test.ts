/**
 * Every generated `.gitlab-ci.yml` passes `gitlab-ci-local --list`, which validates it against
 * GitLab's JSON schema offline; an unknown key fails it. The lists run in this process through
 * gitlab-ci-local's own command handler (the code `--list` runs; one process start instead of
 * seven). The unit-test job of a Node.js app, which needs no cloud, runs with the real CLI and
 * its shell executor.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import t from "tap";
import { syncPipeline } from "../../generators/pipeline/sync";
import { TEMPLATES, flagsFor, nodeApp, tempDir } from "./helpers";

const run = promisify(execFile);
const BIN = path.join(__dirname, "..", "..", "node_modules", "gitlab-ci-local", "src", "index.js");
/** Makes `re2` loadable without its native build (see test/support/re2.mjs). */
const RE2_HOOK = pathToFileURL(path.join(__dirname, "..", "support", "re2.mjs")).href;

async function gcl(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", RE2_HOOK, BIN, ...args], { cwd, timeout: 120_000, env: { ...process.env, HOME: cwd, NO_COLOR: "1", FORCE_COLOR: "0" } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/** The subset of gitlab-ci-local's modules used here. */
interface GitlabCiLocal {
  handler(args: { cwd: string; list: boolean }, writeStreams: { stdoutLines: string[]; stderrLines: string[] }): Promise<unknown>;
  WriteStreamsMock: new () => { stdoutLines: string[]; stderrLines: string[] };
}

let loaded: Promise<GitlabCiLocal> | undefined;

/** gitlab-ci-local is ECMAScript modules only: a real `import()`, not compiled to `require`. */
function gitlabCiLocal(): Promise<GitlabCiLocal> {
  const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;
  const src = path.join(__dirname, "..", "..", "node_modules", "gitlab-ci-local", "src");
  loaded ??= dynamicImport(RE2_HOOK).then(() => Promise.all([dynamicImport(pathToFileURL(path.join(src, "handler.js")).href), dynamicImport(pathToFileURL(path.join(src, "write-streams.js")).href)])).then(
    ([h, w]) => ({ handler: h.handler, WriteStreamsMock: w.WriteStreamsMock }) as GitlabCiLocal,
  );
  return loaded;
}

/** `gitlab-ci-local --list` in `cwd`, in this process. */
async function list(cwd: string): Promise<{ code: number; out: string }> {
  const g = await gitlabCiLocal();
  const streams = new g.WriteStreamsMock();
  try {
    // gitlab-ci-local insists on a --cwd relative to the process's working directory.
    await g.handler({ cwd: path.relative(process.cwd(), cwd) || ".", list: true }, streams);
    return { code: 0, out: [...streams.stdoutLines, ...streams.stderrLines].join("\n") };
  } catch (err) {
    return { code: 1, out: [...streams.stdoutLines, ...streams.stderrLines, String(err)].join("\n") };
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
  for (const c of cases) results.push({ ...c, ...(await list(gitlabApp(t, c.template, c.dockerfile))) });
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
  const r = await list(repo);
  t.not(r.code, 0);
  t.match(r.out, /colour/);
});

const hasRsync = (process.env.PATH ?? "").split(path.delimiter).some((d) => fs.existsSync(path.join(d, "rsync")));
t.test("the unit-test job of a Node.js app runs with the shell executor", { skip: hasRsync ? false : "gitlab-ci-local needs rsync (apt-get install rsync)" }, async (t) => {
  const repo = gitlabApp(t, "public-web-service", false);
  const r = await gcl(repo, ["--force-shell-executor", "unit-test"]);
  if (r.code !== 0) t.comment(r.out);
  t.equal(r.code, 0, "gitlab-ci-local exits 0");
  t.match(r.out, /unit tests of orders: ok/);
  t.match(r.out, /PASS\s+unit-test/);
});
