// The platform render at scale: a generated platform of 10 environments and 100 services of
// 10 instances each (1,000 instances, 100 pipelines) on the catalog's real templates, rendered
// by one `protonkit platform render` process (first render, full re-render, no-op), beside
// separate `protonkit render` processes, one per instance (a sample, scaled to 1,000).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readBundle } from "../src/render/bundle";
import { environmentOutputReferences } from "../src/render";
import type { TemplateFolder } from "../src/render";
import { RecordsStore } from "../src/platform/records-store";

const root = path.join(__dirname, "..");
const ENVIRONMENTS = Number(process.env.BENCH_PLATFORM_ENVIRONMENTS ?? 10);
const SERVICES = Number(process.env.BENCH_PLATFORM_SERVICES ?? 100);
const SAMPLE = Number(process.env.BENCH_PLATFORM_SAMPLE ?? 50);
const ACCOUNT = "123456789012";

interface Sample {
  seconds: number;
  /** User plus system CPU seconds: what the run costs when the machine is shared. */
  cpu: number;
  maxRssMb: number;
}

function timed(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Sample {
  const res = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, path.join(root, "bin", "protonkit.js"), ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  if (res.status !== 0) throw new Error(`protonkit ${args.join(" ")} failed:\n${res.stdout}\n${res.stderr}`);
  const [seconds, user, sys, kb] = res.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, cpu: user + sys, maxRssMb: Math.round(kb / 1024) };
}

function git(dir: string, ...args: string[]): void {
  const res = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`git ${args.join(" ")}: ${res.stderr}`);
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Writes the platform repository and records every environment as applied. */
export async function generate(repo: string, outputs: Record<string, string>): Promise<void> {
  fs.mkdirSync(repo, { recursive: true });
  git(repo, "init", "-q", "-b", "main");
  git(repo, "config", "user.name", "bench");
  git(repo, "config", "user.email", "bench@example.com");
  write(
    path.join(repo, ".protonkit/platform.yaml"),
    `version: 1\naccount_id: "${ACCOUNT}"\nregion: eu-west-1\ncatalog:\n  repository: ${root}\n  ref: HEAD\nenvironments:\n  "*":\n    plan_role_arn: arn:aws:iam::${ACCOUNT}:role/plan\n    apply_role_arn: arn:aws:iam::${ACCOUNT}:role/apply\n    region: eu-west-1\n    state_bucket: bench-state\n`,
  );
  const envs = Array.from({ length: ENVIRONMENTS }, (_, i) => `env${i}`);
  for (const [i, env] of envs.entries()) {
    write(path.join(repo, `platform/environments/${env}.yaml`), `template: vpc-ecs-environment\nversion: "1"\nowner: platform\nspec:\n  proton: EnvironmentSpec\n  spec:\n    tier: test\n    vpc_cidr: 10.${i}.0.0/16\n`);
  }
  for (let s = 0; s < SERVICES; s++) {
    const instances = envs.map((env) => `  - name: svc${s}-${env}\n    environment: ${env}\n    spec:\n      image: public.ecr.aws/acme/svc${s}:1\n      port: ${8000 + (s % 100)}\n`).join("");
    const spec = `proton: ServiceSpec\npipeline:\n  github_repository: acme/svc${s}\ninstances:\n${instances}`;
    // The same spec pasted under spec:, and alone for the separate `protonkit render` processes.
    write(path.join(repo, `platform/services/svc${s}.yaml`), `template: public-web-service\nversion: "1"\nowner: team${s % 7}\nrepository: { id: acme/svc${s}, branch: main }\nspec:\n${spec.replace(/^/gm, "  ")}`);
    write(path.join(repo, "..", "specs", `svc${s}.yaml`), spec);
  }
  await new RecordsStore({ repo }).append(
    envs.map((env) => ({ v: 1, resource: env, kind: "environment" as const, arn: `arn:aws:proton:eu-west-1:${ACCOUNT}:environment/${env}`, deploymentId: "bench", status: "SUCCEEDED" as const, at: "2026-11-30T00:00:00.000Z", outputs })),
  );
}

function countInstances(repo: string): number {
  let n = 0;
  for (const env of fs.readdirSync(repo)) {
    if (!env.startsWith("env")) continue;
    n += fs.readdirSync(path.join(repo, env)).filter((d) => d.startsWith("svc")).length;
  }
  return n;
}

/** Runs the benchmark; returns its report (Markdown). */
export async function benchPlatform(): Promise<string> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-bench-platform-"));
  try {
    const bundle = readBundle(path.join(root, "proton-bundles", "public-web-service", "v1"));
    const outputs: Record<string, string> = {};
    for (const ref of environmentOutputReferences(bundle.instanceInfrastructure as TemplateFolder)) outputs[ref.name] = ref.name.endsWith("_ids") ? '["a","b"]' : `${ref.name}-value`;
    const repo = path.join(scratch, "platform");
    await generate(repo, outputs);
    const env = { PROTONKIT_CACHE_DIR: path.join(scratch, "cache") };
    const first = timed(["platform", "render", "--repo", repo], scratch, env);
    const instances = countInstances(repo);
    const noop = timed(["platform", "render", "--repo", repo], scratch, env);
    for (const e of fs.readdirSync(repo)) if (e.startsWith("env") || e.startsWith("svc")) fs.rmSync(path.join(repo, e), { recursive: true });
    const full = timed(["platform", "render", "--repo", repo], scratch, env);
    const check = timed(["platform", "render", "--check", "--repo", repo], scratch, env);

    // One `protonkit render` process per instance, as the README's manual flow did.
    const ctx = path.join(scratch, "context.yaml");
    write(ctx, `account_id: "${ACCOUNT}"\nregion: eu-west-1\nenvironments:\n${Array.from({ length: ENVIRONMENTS }, (_, i) => `  env${i}:\n    template: vpc-ecs-environment:1\n    outputs: ${JSON.stringify(outputs)}\n`).join("")}`);
    const started = process.hrtime.bigint();
    let peak = 0;
    let cpu = 0;
    for (let i = 0; i < SAMPLE; i++) {
      const s = i % SERVICES;
      const instance = `svc${s}-env${i % ENVIRONMENTS}`;
      const out = path.join(scratch, "separate", String(i));
      const sample = timed(["render", "--bundle", path.join(root, "proton-bundles/public-web-service/v1"), "--spec", path.join(scratch, "specs", `svc${s}.yaml`), "--name", `svc${s}`, "--context", ctx, "--out", out, "--instance", instance], scratch);
      peak = Math.max(peak, sample.maxRssMb);
      cpu += sample.cpu;
    }
    const perProcess = Number(process.hrtime.bigint() - started) / 1e9 / SAMPLE;
    return [
      `Platform render, ${instances} instances (${ENVIRONMENTS} environments, ${SERVICES} services with pipelines) on ${os.cpus().length} cores (node ${process.version}):`,
      "",
      "| what | wall (s) | CPU, user + system (s) | peak RSS (MB) |",
      "| --- | --- | --- | --- |",
      `| \`protonkit platform render\`, first render (catalog versions read from git and cached) | ${first.seconds.toFixed(2)} | ${first.cpu.toFixed(2)} | ${first.maxRssMb} |`,
      `| \`protonkit platform render\`, full re-render (every directory written) | ${full.seconds.toFixed(2)} | ${full.cpu.toFixed(2)} | ${full.maxRssMb} |`,
      `| \`protonkit platform render\`, no-op (nothing changed, nothing written) | ${noop.seconds.toFixed(2)} | ${noop.cpu.toFixed(2)} | ${noop.maxRssMb} |`,
      `| \`protonkit platform render --check\` | ${check.seconds.toFixed(2)} | ${check.cpu.toFixed(2)} | ${check.maxRssMb} |`,
      `| separate \`protonkit render\` processes, one per instance: ${perProcess.toFixed(2)} s each (${SAMPLE} timed) × 1,000 | ${(perProcess * 1000).toFixed(0)} | ${((cpu / SAMPLE) * 1000).toFixed(0)} | ${peak} |`,
      "",
    ].join("\n");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchPlatform().then(
    (report) => process.stdout.write(`${report}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
