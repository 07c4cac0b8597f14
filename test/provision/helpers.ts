import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TerraformRun } from "../../src/terraform/cli";
import type { TerraformRunner } from "../../src/provision/terraform";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const arn = (resource: string): string => `arn:aws:proton:${REGION}:${ACCOUNT}:${resource}`;
export const envArn = (env: string): string => arn(`environment/${env}`);
export const instanceArn = (svc: string, inst: string): string => arn(`service/${svc}/service-instance/${inst}`);
export const pipelineArn = (svc: string): string => arn(`service/${svc}/pipeline`);
export const componentArn = (name: string): string => arn(`component/${name}`);

export const CONFIG = `version: 1
terraform_version: 1.11.4
environments:
  prod:
    plan_role_arn: arn:aws:iam::${ACCOUNT}:role/protonkit-plan
    apply_role_arn: arn:aws:iam::${ACCOUNT}:role/protonkit-apply
    region: eu-west-1
    state_bucket: acme-tfstate-prod
    lock_table: tf-locks
    state_key_prefix: proton
  "*":
    plan_role_arn: arn:aws:iam::${ACCOUNT}:role/protonkit-plan-any
    apply_role_arn: arn:aws:iam::${ACCOUNT}:role/protonkit-apply-any
    region: us-west-2
    state_bucket: acme-tfstate-any
reporting: proton
`;

export function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A fresh directory under the system temp dir (outside the toolkit's own git tree), removed after the test. */
export function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-provision-test-")));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh repository with a local identity and a first commit. */
export function makeRepo(dir: string, config: string | undefined = CONFIG): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  // Never let a test's `git add -A` reach an enclosing repository.
  if (fs.realpathSync(git(dir, "rev-parse", "--show-toplevel")) !== fs.realpathSync(dir)) throw new Error(`git init failed in ${dir}`);
  git(dir, "config", "user.name", "Test");
  git(dir, "config", "user.email", "test@example.com");
  git(dir, "config", "commit.gpgsign", "false");
  fs.writeFileSync(path.join(dir, "README.md"), "provisioning\n");
  if (config !== undefined) write(dir, ".protonkit/provisioning.yaml", config);
  commit(dir, "init");
  return dir;
}

export function write(repo: string, file: string, content: string): void {
  const p = path.join(repo, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

export function commit(repo: string, message: string): string {
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "--allow-empty", "-m", message);
  return git(repo, "rev-parse", "HEAD");
}

export interface ResourceOptions {
  readonly arn: string;
  readonly environmentArn?: string;
  readonly deleted?: boolean;
  readonly deploymentId?: string;
  readonly component?: boolean;
  readonly tf?: string;
}

let counter = 0;
export function uuid(): string {
  counter++;
  return `0000000${counter}`.slice(-8) + "-1111-4222-8333-444455556666";
}

/** Writes a resource directory as Proton did: .tf files and the deployment metadata. */
export function writeResource(repo: string, dir: string, o: ResourceOptions): void {
  const meta = o.component
    ? { arn: o.arn, environmentArn: o.environmentArn, componentType: "default" }
    : { arn: o.arn, templateArn: arn("environment-template/t"), templateMajorVersion: "1", templateMinorVersion: "0", ...(o.environmentArn ? { environmentArn: o.environmentArn } : {}) };
  const doc = {
    deploymentId: o.deploymentId ?? uuid(),
    isResourceDeleted: o.deleted ?? false,
    [o.component ? "componentMetadata" : "resourceMetadata"]: meta,
  };
  write(repo, `${dir}/.proton/deployment-metadata.json`, JSON.stringify(doc, null, 2));
  write(repo, `${dir}/main.tf`, o.tf ?? `/* managed by Proton: ${o.arn} */\nresource "terraform_data" "x" {}\n`);
}

/** A scripted Terraform runner: answers by the first argument, records every call. */
export class FakeTerraform implements TerraformRunner {
  readonly calls: Array<{ args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv }> = [];
  constructor(private readonly answers: Partial<Record<string, Partial<TerraformRun> | (() => Partial<TerraformRun>)>> = {}) {}
  /** `terraform version -json` calls (the provider check), kept apart from {@link calls}. */
  readonly versionCalls: Array<{ args: readonly string[]; env: NodeJS.ProcessEnv }> = [];
  async run(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<TerraformRun> {
    if (args[0] === "version") {
      this.versionCalls.push({ args, env: options.env });
      const v = this.answers.version;
      const r = typeof v === "function" ? v() : (v ?? {});
      return { args, code: r.code ?? 0, stdout: r.stdout ?? '{"terraform_version":"1.11.4","provider_selections":{}}', stderr: r.stderr ?? "" };
    }
    this.calls.push({ args, cwd: options.cwd, env: options.env });
    const key = args.includes("-destroy") ? `${args[0]} -destroy` : args[0];
    const a = this.answers[key] ?? this.answers[args[0]] ?? {};
    const r = typeof a === "function" ? a() : a;
    return { args, code: r.code ?? 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }
  commands(): string[] {
    return this.calls.map((c) => [c.args[0], ...(c.args.includes("-destroy") ? ["-destroy"] : [])].join(" "));
  }
}

/** JSON UI lines as `terraform apply -json` prints them. */
export function applyJson(summary = "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."): string {
  return [
    { "@level": "info", "@message": "Terraform 1.11.4", type: "version" },
    { "@level": "info", "@message": "terraform_data.x: Creation complete after 0s", type: "apply_complete" },
    { "@level": "info", "@message": summary, type: "change_summary" },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n");
}

export function errorJson(summary: string, detail: string): string {
  return JSON.stringify({
    "@level": "error",
    "@message": `Error: ${summary}`,
    type: "diagnostic",
    diagnostic: { severity: "error", summary, detail, range: { filename: "main.tf", start: { line: 3 } } },
  });
}

const BIN = path.resolve(__dirname, "../../bin/protonkit.js");

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process with a controlled environment (no inherited AWS or GitHub settings). */
export function cli(args: string[], env: Record<string, string> = {}, cwd?: string, started?: (child: ReturnType<typeof spawn>) => void): Promise<Ran> {
  const base: NodeJS.ProcessEnv = {};
  for (const k of ["PATH", "HOME", "TMPDIR"]) if (process.env[k] !== undefined) base[k] = process.env[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...base, AWS_EC2_METADATA_DISABLED: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

