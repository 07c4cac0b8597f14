/**
 * The generated deploy step, run with bash against a fake `aws` on PATH and a local platform
 * repository: it records the artifact in git, waits until the instance runs it and is stable,
 * and on a failed rollout redeploys the previous task definition and restores the record.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { DEPLOY_SCRIPT_PATH, syncPipeline } from "../../generators/pipeline/sync";
import { flagsFor, nodeApp, tempDir } from "./helpers";

const ARTIFACT = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders@sha256:${"b".repeat(64)}`;
const ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

// describe-services answers td:1 (what ran before) once, then td:2 (the apply rolled the record out).
const FAKE_AWS = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_STATE/calls"
case "$*" in
  *"describe-services"*"rolloutState"*) echo "$FAKE_ROLLOUT" ;;
  *"describe-services"*)
    n=$(cat "$FAKE_STATE/n" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_STATE/n"
    if [ "$n" = 0 ]; then echo "arn:td/orders:1"; else echo "arn:td/orders:2"; fi ;;
  *"describe-task-definition"*"orders:2"*) echo "$FAKE_IMAGE" ;;
  *"describe-task-definition"*) echo "old-image" ;;
  *"wait services-stable"*) exit 0 ;;
  *"update-service"*) echo "arn:td/orders:1" ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`;

function setup(t: Parameters<typeof tempDir>[0]): { script: string; bin: string; state: string; remote: string } {
  const app = nodeApp(t, false);
  syncPipeline({ repo: app, mode: "init", flags: flagsFor("public-web-service", "github") });
  const dir = tempDir(t);
  const bin = path.join(dir, "bin");
  const state = path.join(dir, "state");
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(bin, "aws"), FAKE_AWS, { mode: 0o755 });
  const remote = path.join(dir, "platform.git");
  const seed = path.join(dir, "seed");
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
  execFileSync("git", ["init", "-q", "-b", "main", seed]);
  fs.writeFileSync(path.join(seed, "README.md"), "platform\n");
  execFileSync("git", ["-C", seed, "add", "-A"]);
  execFileSync("git", ["-C", seed, "commit", "-q", "-m", "seed"], { env: { ...process.env, ...ENV } });
  execFileSync("git", ["-C", seed, "push", "-q", remote, "main"]);
  return { script: path.join(app, DEPLOY_SCRIPT_PATH), bin, state, remote };
}

function deploy(s: ReturnType<typeof setup>, rollout: string, image: string): { status: number | null; out: string } {
  const r = spawnSync("bash", [s.script], {
    encoding: "utf8",
    env: {
      ...process.env,
      ...ENV,
      PATH: `${s.bin}${path.delimiter}${process.env.PATH ?? ""}`,
      FAKE_STATE: s.state,
      FAKE_ROLLOUT: rollout,
      FAKE_IMAGE: image,
      PROTONKIT_SERVICE: "orders",
      PROTONKIT_ENVIRONMENT: "test",
      PROTONKIT_INSTANCE: "orders-test",
      PROTONKIT_TARGET: "ecs",
      PROTONKIT_TARGET_NAME: "orders-orders-test",
      PROTONKIT_CLUSTER: "test",
      PROTONKIT_ARTIFACT: ARTIFACT,
      PROTONKIT_CODE_SHA256: "",
      PROTONKIT_SOURCE: "https://github.com/acme/orders/commit/abc",
      PROTONKIT_PLATFORM_REPOSITORY: "acme/platform",
      PROTONKIT_PLATFORM_BRANCH: "main",
      PROTONKIT_PLATFORM_TOKEN: "x",
      PROTONKIT_PLATFORM_URL: s.remote,
      PROTONKIT_WAIT_SECONDS: "5",
    },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

const recordAt = (remote: string): string | undefined => {
  try {
    return execFileSync("git", ["--git-dir", remote, "show", "main:platform/artifacts/orders/orders-test.yaml"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
};

t.test("a stable rollout: the digest is recorded in the platform repository", async (t) => {
  const s = setup(t);
  const r = deploy(s, "COMPLETED", ARTIFACT);
  t.equal(r.status, 0, r.out);
  t.match(recordAt(s.remote), new RegExp(`artifact: ${ARTIFACT.replace(/[.]/g, "\\.")}`));
  t.match(r.out, /runs .* and is stable/);
  t.notMatch(fs.readFileSync(path.join(s.state, "calls"), "utf8"), /update-service/, "no redeploy");
});

t.test("a failed rollout: the previous task definition is redeployed and the record removed again", async (t) => {
  const s = setup(t);
  const r = deploy(s, "FAILED", ARTIFACT);
  t.equal(r.status, 1);
  t.match(fs.readFileSync(path.join(s.state, "calls"), "utf8"), /ecs update-service --cluster test --service orders-orders-test --task-definition arn:td\/orders:1/);
  t.equal(recordAt(s.remote), undefined, "the record is back to what it was (none)");
  const log = execFileSync("git", ["--git-dir", s.remote, "log", "--format=%s", "main"], { encoding: "utf8" });
  t.match(log, /roll back orders on orders-test[\s\S]*deploy orders to orders-test/);
});
