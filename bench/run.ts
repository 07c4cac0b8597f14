// `npm run bench`: how long synth and template tests take, and what they cost in memory and disk.
// Timings are measured here, never asserted by tests.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const runs = Number(process.env.BENCH_RUNS ?? 3);

interface Sample {
  seconds: number;
  maxRssMb: number;
}

/** Runs a command under GNU time; wall seconds and the peak RSS of the largest process. */
function timed(command: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const res = spawnSync("/usr/bin/time", ["-f", "%e %M", ...command], { cwd: root, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env } });
  if (res.status !== 0) throw new Error(`${command.join(" ")} failed:\n${res.stdout}\n${res.stderr}`);
  const [seconds, kb] = res.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, maxRssMb: Math.round(kb / 1024) };
}

function median(samples: Sample[]): Sample {
  const by = (k: keyof Sample) => [...samples].sort((a, b) => a[k] - b[k])[Math.floor(samples.length / 2)][k];
  return { seconds: by("seconds"), maxRssMb: by("maxRssMb") };
}

function bench(name: string, make: (scratch: string) => string[], env?: NodeJS.ProcessEnv): [string, Sample] {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-bench-"));
    try {
      samples.push(timed(make(scratch), env));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  return [name, median(samples)];
}

async function main(): Promise<void> {
  const tsNode = path.join(root, "node_modules", ".bin", "ts-node");
  const cdktf = path.join(root, "node_modules", ".bin", "cdktf");
  const rows = [
    bench("protonkit synth (all templates: HCL, parse-back check, schema, README, lock, tarballs)", (s) => [tsNode, "--transpile-only", "bench/synth-child.ts", s]),
    bench("cdktf synth --hcl (same app, cdktf CLI)", (s) => [cdktf, "synth", "--hcl", "--output", path.join(s, "cdktf.out")], { CI: "true" }),
  ];
  const out: string[] = [`Synth, median of ${runs} runs on ${os.cpus().length} cores (node ${process.version}):`, "", "| what | wall (s) | peak RSS (MB) |", "| --- | --- | --- |"];
  for (const [name, s] of rows) out.push(`| ${name} | ${s.seconds.toFixed(2)} | ${s.maxRssMb} |`);
  process.stdout.write(out.join("\n") + "\n\n");

  const { benchTemplateTests } = (await import("./terraform-tests")) as { benchTemplateTests: () => Promise<string | void> };
  const report = await benchTemplateTests();
  if (typeof report === "string") process.stdout.write(report + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
