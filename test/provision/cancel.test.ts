// Finding 1: GitHub's cancel sequence (SIGINT, 7.5 s, SIGTERM, 2.5 s, SIGKILL) replayed against
// the loopback S3 with S3 native locking and the real Terraform. Fixtures are terraform_data
// resources (no provider to download). The workflow runs `exec node ...`, so the runner's
// signals reach node: the test starts node the same way, through `bash -c 'exec ...'`.
import t from "tap";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { startProtonServer } from "../support/proton-server";
import { startFakeS3, type FakeS3 } from "./s3-fake";
import { CONFIG, envArn, makeRepo, tmp, writeResource } from "./helpers";

const terraformAvailable = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const BIN = path.resolve(__dirname, "../../bin/protonkit.js");

/** A clock the cancel sequence waits on; the real one, or a shortened one. */
export interface CancelClock {
  sleep(ms: number): Promise<void>;
}

/**
 * Sends GitHub's cancel sequence to `child`, stopping as soon as it exits. Resolves to the
 * signals sent.
 */
export async function replayGithubCancel(child: ChildProcess, clock: CancelClock, scale = 1): Promise<string[]> {
  const sent: string[] = [];
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise<void>((r) => {
    if (gone()) r();
    else child.once("exit", () => r());
  });
  for (const [signal, wait] of [["SIGINT", 7500], ["SIGTERM", 2500], ["SIGKILL", 0]] as const) {
    if (gone()) break;
    child.kill(signal);
    sent.push(signal);
    if (wait > 0) await Promise.race([clock.sleep(wait * scale), exited]);
  }
  await exited.catch(() => undefined);
  return sent;
}

const realClock: CancelClock = { sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

let lastOutput = (): string => "";

function start(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("bash", ["-c", `exec node ${BIN} ${quoted}`], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AWS_EC2_METADATA_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  lastOutput = () => out;
  return { child, output: () => out };
}

async function until(cond: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting; output so far:\n${lastOutput()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const locks = (s3: FakeS3): string[] => [...s3.objects.keys()].filter((k) => k.endsWith(".tflock"));

const SLOW = `resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 3"
  }
}
resource "terraform_data" "after" {
  depends_on = [terraform_data.slow]
}
output "id" { value = terraform_data.slow.id }
`;

t.test("finding 1: a cancelled apply saves state and releases its lock; a cancelled plan never held one", { skip: terraformAvailable ? false : "terraform not on PATH" }, async (t) => {
  const [s3, proton] = await Promise.all([startFakeS3(), startProtonServer()]);
  t.teardown(async () => {
    await Promise.all([s3.close(), proton.close()]);
  });
  const dir = tmp(t);
  const repo = makeRepo(path.join(dir, "repo"), CONFIG.replace("    lock_table: tf-locks\n", ""));
  writeResource(repo, "prod", { arn: envArn("prod"), deploymentId: "3f1e2d3c-4b5a-4968-8776-655443322110", tf: SLOW });
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake",
    PROTONKIT_S3_ENDPOINT: s3.endpoint,
    PROTONKIT_PROTON_ENDPOINT: proton.endpoint,
    RUNNER_TEMP: path.join(dir, "runner"),
    CHECKPOINT_DISABLE: "1",
    ...(process.env.PROTONKIT_PLUGIN_DIR ? { PROTONKIT_PLUGIN_DIR: process.env.PROTONKIT_PLUGIN_DIR } : {}),
  };

  // Plan: cancelled while Terraform runs; it never takes the lock.
  const plan = start(["provision", "plan", "--repo", repo, "--dir", "prod", "--no-comment"], env);
  await until(() => /planning prod/.test(plan.output()));
  const planSignals = await replayGithubCancel(plan.child, realClock);
  t.ok(plan.child.exitCode !== null || plan.child.signalCode !== null, `plan ended (signals: ${planSignals.join(", ") || "none needed"})`);
  t.notOk(s3.log.some((l) => l.includes(".tflock")), "no lock request at all during the plan");
  t.same(locks(s3), []);

  // Apply: cancelled while a resource is being created (the local-exec sleeps).
  const t0 = Date.now();
  const apply = start(["provision", "apply", "--repo", repo, "--dir", "prod"], env);
  await until(() => locks(s3).length === 1);
  await new Promise((r) => setTimeout(r, 1000));
  const signals = await replayGithubCancel(apply.child, realClock);
  const elapsed = Date.now() - t0;
  t.same(signals, ["SIGINT"], `Terraform stopped gracefully before SIGTERM (${elapsed} ms from start)`);
  t.same(locks(s3), [], "the lock is released");
  const state = s3.objects.get("acme-tfstate-any/prod/terraform.tfstate") ?? s3.objects.get("acme-tfstate-prod/proton/prod/terraform.tfstate");
  t.ok(state, `state written (${[...s3.objects.keys()].join(", ")})`);
  t.match(state?.toString("utf8") ?? "", /"terraform_data"[\s\S]*"slow"/, "the resource created before the interrupt is in state");
  t.match(apply.output(), /SIGINT received; interrupted 1 Terraform process/);
  t.match(JSON.stringify(proton.requests), /FAILED/, "FAILED reported");
  t.match(JSON.stringify(proton.requests), /was cancelled \(SIGINT\)/);
});
