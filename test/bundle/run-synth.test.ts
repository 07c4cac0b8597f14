// The synth program as people run it: `npm run synth` (main.ts transpiled, not type-checked) and
// `cdktf synth` (cdktf-cli runs the same app). Errors are printed once, without stack traces.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { describeError } from "../../src/bundle/run-synth";
import { ProtonkitError, Problem } from "../../src/errors";
import { tempDir } from "../support/synth";

const root = path.join(__dirname, "..", "..");
const launcher = path.join(root, "test", "fixtures", "synth-app", "run.js");
const fixture = (name: string) => path.join(root, "test", "fixtures", "synth-app", name);
function env(dir: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, FIXTURE_ROOT: dir, CHECKPOINT_DISABLE: "1" };
  delete e.CDKTF_OUTDIR;
  delete e.PROTONKIT_DEBUG;
  return e;
}

t.test("a template tsc rejects is refused when synthesized transpile-only, naming the construct and the fix", async (t) => {
  const dir = tempDir(t);
  const res = spawnSync(process.execPath, [launcher, fixture("typo-app-must-fail.ts")], {
    cwd: dir,
    env: env(dir),
    encoding: "utf8",
  });
  t.equal(res.status, 1, res.stderr);
  t.match(res.stderr, /typo-service: reads environment output "vpc_identifier", which starter-environment does not declare/);
  t.match(res.stderr, /fix: use one of: .*vpc_id.*did you mean "vpc_id"/);
  t.notMatch(res.stderr, /^\s+at /m, "no stack trace");
  t.notOk(fs.existsSync(path.join(dir, "proton-bundles")), "nothing written");
});

t.test("guardrail errors print once under `cdktf synth`, and once without it", async (t) => {
  const dir = tempDir(t);
  const app = `node ${launcher} ${fixture("guardrail-app.ts")}`;
  fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app, projectId: "guardrail-app", sendCrashReports: "false" }));
  const cdktf = spawnSync(process.execPath, [path.join(root, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf"), "synth"], { cwd: dir, env: env(dir), encoding: "utf8" });
  t.not(cdktf.status, 0, "cdktf synth fails");
  const all = `${cdktf.stdout}\n${cdktf.stderr}`;
  t.equal(all.match(/PK-LOG-001/g)?.length, 1, all);
  t.match(all, /forever-logs-infrastructure\/logs/);
  t.notOk(fs.existsSync(path.join(dir, "proton-bundles")), "nothing written");

  const direct = spawnSync(process.execPath, [launcher, fixture("guardrail-app.ts")], { cwd: dir, env: env(dir), encoding: "utf8" });
  t.equal(direct.status, 1);
  t.equal(`${direct.stdout}${direct.stderr}`.match(/PK-LOG-001/g)?.length, 1, direct.stderr);
});

t.test("errors are described without stack traces", async (t) => {
  t.equal(describeError(new ProtonkitError(new Problem("bad", { field: "x", fix: "y" }))), "x: bad (fix: y)");
  const text = describeError(new TypeError("cannot read properties of undefined"));
  t.match(text, /^cannot read properties of undefined\n {2}at .*run-synth\.test\.ts/);
  t.equal(text.split("\n").filter((l) => /^\s+at /.test(l)).length, 1, "one frame: where in the user's code");
});
