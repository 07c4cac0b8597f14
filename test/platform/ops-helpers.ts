import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DeploymentEvent } from "../../src/platform/records-store";

export function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A fresh directory outside the toolkit's own git tree, removed after the test. */
export function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-ops-test-")));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A bare "remote" and `n` clones of it, each with a first commit on main. */
export function remoteWithClones(root: string, n: number): { remote: string; clones: string[] } {
  const remote = path.join(root, "remote.git");
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
  const seed = path.join(root, "seed");
  execFileSync("git", ["init", "-q", "-b", "main", seed]);
  git(seed, "config", "user.name", "Test");
  git(seed, "config", "user.email", "test@example.com");
  fs.writeFileSync(path.join(seed, "README.md"), "provisioning\n");
  git(seed, "add", "-A");
  git(seed, "commit", "-q", "-m", "init");
  git(seed, "remote", "add", "origin", remote);
  git(seed, "push", "-q", "origin", "main");
  const clones: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = path.join(root, `clone${i}`);
    execFileSync("git", ["clone", "-q", remote, c]);
    clones.push(c);
  }
  return { remote, clones };
}

/** A deployment event with defaults. */
export function event(resource: string, status: DeploymentEvent["status"], extra: Partial<DeploymentEvent> = {}): DeploymentEvent {
  const kind: DeploymentEvent["kind"] = !resource.includes("/") ? "environment" : resource.endsWith("/pipeline") ? "pipeline" : resource.includes("/components/") ? "component" : "service-instance";
  return {
    v: 1,
    resource,
    kind,
    arn: `arn:aws:proton:us-east-1:123456789012:${kind}/${resource}`,
    deploymentId: "0b6f1d2e-1111-5222-8333-444455556666",
    status,
    at: "2026-11-30T10:00:00.000Z",
    ...extra,
  };
}
