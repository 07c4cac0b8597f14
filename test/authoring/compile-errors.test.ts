import { spawnSync } from "node:child_process";
import * as path from "node:path";
import t from "tap";

const root = path.join(__dirname, "..", "..");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

const FILES = [
  "test/fixtures/compile/unknown-env-output-must-fail.ts",
  "test/fixtures/compile/output-of-one-env-must-fail.ts",
  "test/fixtures/synth-app/typo-app-must-fail.ts",
];

// One tsc for every fixture (loading TypeScript and the cdktf types once); each test reads the
// errors of its own file.
let all: { status: number | null; stdout: string } | undefined;
function compile(file: string): { status: number | null; stdout: string } {
  all ??= spawnSync(process.execPath, [tsc, "--noEmit", "--strict", "--esModuleInterop", "--skipLibCheck", "--target", "ES2022", "--module", "commonjs", "--moduleResolution", "node", "--types", "node", ...FILES], { cwd: root, encoding: "utf8" });
  const mine = all.stdout
    .split("\n")
    .filter((l) => l.startsWith(file))
    .join("\n");
  return { status: mine ? all.status : 0, stdout: mine };
}

t.test("reading an environment output the compatible environment does not declare is a compile error", async (t) => {
  const res = compile("test/fixtures/compile/unknown-env-output-must-fail.ts");
  t.not(res.status, 0);
  t.match(res.stdout, /unknown-env-output-must-fail\.ts\(19,\d+\): error TS2339: Property 'nat_gateway_ids' does not exist/);
  t.notMatch(res.stdout, /vpc_id' does not exist/, "declared outputs compile");
  t.equal(res.stdout.match(/error TS/g)?.length, 1, "exactly the one bad read fails");
});

t.test("with several compatible environments only their common outputs can be read", async (t) => {
  const res = compile("test/fixtures/compile/output-of-one-env-must-fail.ts");
  t.not(res.status, 0);
  t.match(res.stdout, /error TS2339: Property 'cluster_name' does not exist/);
  t.equal(res.stdout.match(/error TS/g)?.length, 1);
});

t.test("the transpile-only fixture of test/bundle/run-synth.test.ts is one tsc rejects", async (t) => {
  const res = compile("test/fixtures/synth-app/typo-app-must-fail.ts");
  t.not(res.status, 0);
  t.match(res.stdout, /error TS2339: Property 'vpc_identifier' does not exist/);
});
