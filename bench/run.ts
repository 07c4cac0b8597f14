// `npm run bench`: protonkit's speed goals, each measured side by side with what it replaces,
// in the same run on the same machine. Wall time and peak RSS (the largest process, Terraform
// included) come from GNU time. Timings are measured here, never asserted by tests.
//
//   BENCH_RUNS=3            samples for the quick rows (the median is shown)
//   BENCH_TEMPLATES="a b"   templates for the `protonkit test` rows (default: the whole catalog)
//   BENCH_SKIP_TESTS=1      leave out the `protonkit test` rows (they take minutes)
//   BENCH_SKIP_PLATFORM=1   leave out the platform render at 1,000 instances (bench/platform.ts)
//   PROTONKIT_PLUGIN_DIR    provider mirror for the `protonkit test` rows when the registry is unreachable
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const runs = Number(process.env.BENCH_RUNS ?? 3);
const node = process.execPath;

interface Sample {
  seconds: number;
  /** User + system CPU seconds (the figure to compare when the machine is shared). */
  cpu: number;
  maxRssMb: number;
  stdout: string;
}

/** Runs a command under GNU time: wall seconds and the peak RSS of the largest process. */
function timed(command: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const res = spawnSync("/usr/bin/time", ["-f", "%e %M %U %S", ...command], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
  });
  const last = res.stderr.trim().split("\n").pop() ?? "";
  if (res.status !== 0) throw new Error(`${command.join(" ")} failed:\n${res.stdout.slice(-2000)}\n${res.stderr.slice(-4000)}`);
  const [seconds, kb, user, sys] = last.split(" ").map(Number) as [number, number, number, number];
  return { seconds, cpu: user + sys, maxRssMb: Math.round(kb / 1024), stdout: res.stdout };
}

function median(samples: Sample[]): Sample {
  const pick = <K extends "seconds" | "cpu" | "maxRssMb">(k: K): number => [...samples].sort((a, b) => a[k] - b[k])[Math.floor(samples.length / 2)]![k];
  return { seconds: pick("seconds"), cpu: pick("cpu"), maxRssMb: pick("maxRssMb"), stdout: samples[0]?.stdout ?? "" };
}

function bench(make: (scratch: string) => string[], n = runs, env?: NodeJS.ProcessEnv): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-bench-"));
    try {
      samples.push(timed(make(scratch), env));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  return median(samples);
}

/** The CLI as bin/protonkit.js ran it before: ts-node, every command loaded. */
function oldCli(args: string[]): string[] {
  const script =
    'require("ts-node").register({ transpileOnly: true, project: "tsconfig.json" });' +
    `require("./src/cli/main").buildProgram().exitOverride().parseAsync(["node", "protonkit", ...${JSON.stringify(args)}]).catch((e) => { if (e.exitCode) process.exitCode = e.exitCode; });`;
  return [node, "-e", script];
}

const bin = path.join(root, "bin", "protonkit.js");
const renderArgs = (out: string): string[] => [
  "render",
  "--bundle",
  "proton-bundles/s3-service/v1",
  "--spec",
  "stacks/s3-service/specs/minimal.yaml",
  "--context",
  "stacks/s3-service/specs/context.yaml",
  "--name",
  "files",
  "--out",
  out,
];

interface Row {
  what: string;
  goal: string;
  ours: Sample;
  before: Sample;
  beforeWhat: string;
  note?: string;
}

function main(): void {
  const rows: Row[] = [];
  rows.push({
    what: "`protonkit --help`",
    goal: "≤ 0.3 s",
    ours: bench(() => [node, bin, "--help"]),
    before: bench(() => oldCli(["--help"])),
    beforeWhat: "ts-node, every command loaded",
  });
  rows.push({
    what: "one `protonkit render` (s3-service, one instance)",
    goal: "≤ 0.6 s",
    ours: bench((s) => [node, bin, ...renderArgs(s)]),
    before: bench((s) => oldCli(renderArgs(s))),
    beforeWhat: "ts-node, every command loaded",
  });
  const synth = bench((s) => [node, "-r", "./bin/ts-register.js", "bench/synth-child.ts", s]);
  const cdktf = bench((s) => [path.join(root, "node_modules", ".bin", "cdktf"), "synth", "--hcl", "--output", path.join(s, "cdktf.out")], runs, { CI: "true" });
  rows.push({
    what: "synth of the whole catalog (HCL, parse-back check, schema, README, lock, tarballs)",
    goal: "ratio ≤ 0.33, peak ≤ 400 MB",
    ours: synth,
    before: cdktf,
    beforeWhat: "`cdktf synth --hcl`, same app",
  });
  if (!process.env.BENCH_SKIP_TESTS) {
    const templates = (process.env.BENCH_TEMPLATES ?? "").split(/\s+/).filter(Boolean);
    const child = (strategy: string): string[] => [node, "-r", "./bin/ts-register.js", "bench/terraform-tests.ts", strategy, ...templates];
    const batched = bench(() => child("batched"), 1);
    const perDir = bench(() => child("per-directory"), 1);
    const info = (s: Sample): { terraformProcesses: number; sharedProviders?: number; results: number } =>
      JSON.parse(s.stdout.trim().split("\n").pop() ?? "{}") as { terraformProcesses: number; sharedProviders?: number; results: number };
    rows.push({
      what: `\`protonkit test\`${templates.length ? ` (${templates.join(", ")})` : " of the whole catalog"}, every example spec`,
      goal: "≤ 60 s on 2 cores",
      ours: batched,
      before: perDir,
      beforeWhat: "one init, validate and test per rendered directory",
      note: `${info(batched).results} specs' directories; Terraform processes: ${info(batched).terraformProcesses} (and ${info(batched).sharedProviders ?? 0} shared provider process) against ${info(perDir).terraformProcesses} (and a provider process per graph walk)`,
    });
  }
  const out = [
    `Median of ${runs} runs (the \`protonkit test\` rows: one run) on ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} at the end:`,
    "",
    "| what | goal | protonkit wall / CPU | peak RSS | before wall / CPU | peak RSS | ratio (wall, CPU) | before was |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.goal} | ${r.ours.seconds.toFixed(2)} s / ${r.ours.cpu.toFixed(2)} s | ${r.ours.maxRssMb} MB | ` +
        `${r.before.seconds.toFixed(2)} s / ${r.before.cpu.toFixed(2)} s | ${r.before.maxRssMb} MB | ` +
        `${(r.ours.seconds / r.before.seconds).toFixed(2)}, ${(r.ours.cpu / r.before.cpu).toFixed(2)} | ${r.beforeWhat}${r.note ? `; ${r.note}` : ""} |`,
    ),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
}

try {
  main();
} catch (e) {
  // A failed command's own output says why (bench/terraform-tests.ts prints the fix); no stack.
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
if (!process.env.BENCH_SKIP_PLATFORM) {
  // The platform render of 1,000 instances, beside 1,000 separate renders: a table of its own.
  void import("./platform").then(async (m: typeof import("./platform")) => process.stdout.write(`\n${await m.benchPlatform()}\n`));
}
