import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../errors";

/**
 * How to run Terraform. Every field can come from a flag or an environment variable, so the
 * same code runs offline (a filesystem mirror) and online (the registry).
 */
export interface TerraformSettings {
  /** Terraform binary: `--terraform`, `PROTONKIT_TERRAFORM`, else `terraform` on PATH. */
  readonly binary: string;
  /**
   * Provider directory passed as `terraform init -plugin-dir` (`--plugin-dir`,
   * `PROTONKIT_PLUGIN_DIR`). Terraform symlinks unpacked providers from it, so any number of
   * working directories share one installation.
   */
  readonly pluginDir?: string;
  /** A Terraform CLI config file (`--cli-config`, `TF_CLI_CONFIG_FILE`), e.g. with `filesystem_mirror`. */
  readonly cliConfigFile?: string;
}

/** Flags as a command received them; unset ones fall back to the environment. */
export interface TerraformFlags {
  terraform?: string;
  pluginDir?: string;
  cliConfig?: string;
}

/** Resolves settings from flags, then environment variables, then defaults. */
export function terraformSettings(flags: TerraformFlags = {}, env: NodeJS.ProcessEnv = process.env): TerraformSettings {
  const binary = flags.terraform ?? env.PROTONKIT_TERRAFORM ?? "terraform";
  const pluginDir = flags.pluginDir ?? env.PROTONKIT_PLUGIN_DIR;
  if (pluginDir !== undefined && !fs.existsSync(pluginDir)) {
    fail(`plugin directory ${pluginDir} does not exist`, {
      field: flags.pluginDir ? "--plugin-dir" : "PROTONKIT_PLUGIN_DIR",
      fix: "point it at a filesystem mirror (a folder holding registry.terraform.io/<namespace>/<type>/<version>/<os_arch>/), or unset it to install from the registry",
    });
  }
  const cliConfigFile = flags.cliConfig ?? env.TF_CLI_CONFIG_FILE;
  if (flags.cliConfig !== undefined && !fs.existsSync(flags.cliConfig)) {
    fail(`Terraform CLI config ${flags.cliConfig} does not exist`, { field: "--cli-config", fix: "pass an existing file" });
  }
  return {
    binary,
    pluginDir: pluginDir ? path.resolve(pluginDir) : undefined,
    // A TF_CLI_CONFIG_FILE naming a missing file only makes Terraform warn on every call.
    cliConfigFile: cliConfigFile && fs.existsSync(cliConfigFile) ? path.resolve(cliConfigFile) : undefined,
  };
}

/** The environment Terraform runs with: non-interactive, no update checks, our CLI config. */
export function terraformEnv(settings: TerraformSettings, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
  delete env.TF_CLI_CONFIG_FILE;
  if (settings.cliConfigFile) env.TF_CLI_CONFIG_FILE = settings.cliConfigFile;
  return env;
}

/** Arguments for `terraform init` that install providers the configured way. */
export function initArgs(settings: TerraformSettings, extra: readonly string[] = []): string[] {
  const args = ["init", "-input=false", "-no-color"];
  if (settings.pluginDir) args.push(`-plugin-dir=${settings.pluginDir}`);
  return [...args, ...extra];
}

/** Checks the binary runs and returns its version; a clear error says how to get one. */
export function terraformVersion(settings: TerraformSettings): string {
  const res = spawnSync(settings.binary, ["version", "-json"], { encoding: "utf8", env: terraformEnv(settings) });
  if (res.error || res.status !== 0) {
    fail(`cannot run Terraform at "${settings.binary}"${res.error ? ` (${res.error.message})` : ""}`, {
      field: "--terraform / PROTONKIT_TERRAFORM",
      fix: "install Terraform >= 1.6 (https://developer.hashicorp.com/terraform/install) and put it on PATH, or pass --terraform /path/to/terraform",
    });
  }
  try {
    return (JSON.parse(res.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    return res.stdout.trim();
  }
}

/** What one Terraform invocation did. */
export interface TerraformRun {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs Terraform in `cwd`; never throws on a non-zero exit (callers decide). Stdin is closed
 * unless `input` is given (a write to a process that already exited is ignored, not an
 * unhandled EPIPE). With `timeoutMs`, the process is terminated after that long and the run
 * resolves with code 124 and a note on stderr. With `ownProcessGroup`, Terraform does not
 * receive the terminal's interrupts; {@link interruptTerraform} forwards one instead, so an
 * apply stops gracefully exactly once.
 */
export function runTerraform(
  settings: Pick<TerraformSettings, "binary">,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; ownProcessGroup?: boolean },
): Promise<TerraformRun> {
  return new Promise((resolve) => {
    const child = spawn(settings.binary, [...args], {
      cwd: options.cwd,
      env: options.env ?? terraformEnv({ binary: settings.binary }),
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: options.ownProcessGroup === true,
    });
    if (options.ownProcessGroup) {
      grouped.add(child);
      child.on("close", () => grouped.delete(child));
    }
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
          }, options.timeoutMs)
        : undefined;
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => {
      if (timer) clearTimeout(timer);
      resolve({ args, code: 127, stdout, stderr: stderr + err.message });
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) {
        resolve({ args, code: 124, stdout, stderr: `${stderr}\nterraform ${args[0] ?? ""} timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)}s and was terminated` });
      } else {
        resolve({ args, code: code ?? 1, stdout, stderr: signal ? `${stderr}\nterminated by ${signal}` : stderr });
      }
    });
    if (child.stdin) {
      child.stdin.on("error", () => undefined);
      child.stdin.end(options.input);
    }
  });
}

const grouped = new Set<ChildProcess>();

/**
 * Forwards an interrupt to every Terraform run started with `ownProcessGroup` (Terraform stops
 * gracefully on the first, hard on the second). Returns how many were signalled.
 */
export function interruptTerraform(): number {
  let n = 0;
  for (const child of grouped) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(child.pid, "SIGINT");
      n++;
    } catch {
      // already gone
    }
  }
  return n;
}

/** Variables that would let a test reach real AWS credentials or share state between directories. */
const UNSAFE_FOR_TESTS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "TF_DATA_DIR",
  "TF_WORKSPACE",
];

/**
 * The environment for offline template tests: {@link terraformEnv}, minus any AWS credentials,
 * profile or data-directory override, with the EC2 metadata endpoint disabled. A provider that
 * a test forgot to mock then fails fast with "no valid credential sources" instead of reaching
 * for the network. `extra` is applied last (e.g. `TF_PLUGIN_CACHE_DIR`).
 */
export function offlineTestEnv(
  settings: TerraformSettings,
  base: NodeJS.ProcessEnv = process.env,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env = terraformEnv(settings, base);
  for (const name of UNSAFE_FOR_TESTS) delete env[name];
  env.AWS_EC2_METADATA_DISABLED = "true";
  env.AWS_CONFIG_FILE = "/dev/null";
  env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
  return { ...env, ...extra };
}
