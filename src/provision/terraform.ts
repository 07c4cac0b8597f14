import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initArgs, interruptTerraform, runTerraform, terraformEnv, type TerraformRun, type TerraformSettings } from "../terraform/cli";
import { fail } from "../errors";
import { logName } from "./log";
import { backendConfigArgs, type ResolvedResource } from "./resource";

/** Runs Terraform; injectable so unit tests need neither Terraform nor AWS. */
export interface TerraformRunner {
  /** Runs `terraform <args>` in `cwd`; resolves with the exit code, never rejects on failure. */
  run(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<TerraformRun>;
}

/** Runs Terraform in its own process group (interrupts are forwarded by `interruptTerraform`). Never rejects. */
export function spawnTerraform(binary: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<TerraformRun> {
  return runTerraform({ binary }, args, { ...options, ownProcessGroup: true });
}

export { interruptTerraform };

/** The real Terraform CLI, as configured by `settings`. */
export function cliRunner(settings: TerraformSettings): TerraformRunner {
  return { run: (args, options) => spawnTerraform(settings.binary, args, options) };
}

/**
 * Variables Terraform never gets: the workflow's GitHub token and the runner's means to mint
 * OIDC tokens (with them a provider could assume other roles or write to the repository).
 * Terraform keeps only its own short AWS session.
 */
export const STRIPPED_VARIABLES: readonly RegExp[] = [/^GITHUB_TOKEN$/, /^GH_TOKEN$/, /^ACTIONS_ID_TOKEN_REQUEST_/, /^ACTIONS_RUNTIME_/, /^ACTIONS_CACHE_URL$/, /^ACTIONS_RESULTS_URL$/, /^INPUT_/];

/** `env` without {@link STRIPPED_VARIABLES}. */
export function stripTokens(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!STRIPPED_VARIABLES.some((re) => re.test(k))) out[k] = v;
  return out;
}

/**
 * Providers a plan may run (every provider runs its code during plan, with the plan role's
 * session). Terraform's built-in provider is always allowed; `PROTONKIT_ALLOWED_PROVIDERS`
 * (comma-separated source addresses, set by the trusted workflow) adds more.
 */
export const DEFAULT_ALLOWED_PROVIDERS: readonly string[] = [
  "registry.terraform.io/hashicorp/aws",
  "registry.terraform.io/hashicorp/random",
  "registry.terraform.io/hashicorp/null",
  "registry.terraform.io/hashicorp/time",
  "registry.terraform.io/hashicorp/tls",
  "registry.terraform.io/hashicorp/archive",
];

/** The allow-list in force: the defaults plus `PROTONKIT_ALLOWED_PROVIDERS`. */
export function allowedProviders(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const extra = (env.PROTONKIT_ALLOWED_PROVIDERS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return new Set([...DEFAULT_ALLOWED_PROVIDERS, ...extra.map((p) => (p.split("/").length === 2 ? `registry.terraform.io/${p}` : p))]);
}

/**
 * Refuses a configuration whose providers are not all on the allow-list, from
 * `terraform version -json` after init (`provider_selections`), before any provider runs.
 */
export async function checkProviders(runner: TerraformRunner, ws: Workspace, dir: string, allowed: ReadonlySet<string> = allowedProviders()): Promise<void> {
  const run = await step(runner, ws, "version", ["version", "-json"], dir);
  let selections: Record<string, string> = {};
  try {
    selections = (JSON.parse(run.stdout || "{}") as { provider_selections?: Record<string, string> }).provider_selections ?? {};
  } catch {
    throw new Error("terraform version -json printed something that is not JSON; cannot check the providers");
  }
  const refused = Object.keys(selections)
    .filter((p) => !p.startsWith("terraform.io/builtin/") && !allowed.has(p))
    .sort();
  if (refused.length > 0) {
    fail(`${logName(dir)} uses provider${refused.length === 1 ? "" : "s"} not on the allow-list: ${refused.join(", ")}`, {
      field: "required_providers",
      fix: `use only ${[...allowed].sort().join(", ")}; a platform admin can add a provider to PROTONKIT_ALLOWED_PROVIDERS in the trusted workflow (every provider runs its code during plan)`,
    });
  }
}

/** The file protonkit writes into a resource directory to pin the backend. */
export const BACKEND_OVERRIDE_FILE = "protonkit_backend_override.tf";

/** A prepared run: backend pinned, scratch directory for plan files and (dry run) state. */
export interface Workspace {
  /** Directory Terraform runs in. */
  readonly cwd: string;
  /** Environment Terraform runs with. */
  readonly env: NodeJS.ProcessEnv;
  /** Scratch directory outside the checkout. */
  readonly scratch: string;
  /** Where `plan -out` writes. */
  readonly planFile: string;
  /** `terraform init` arguments. */
  readonly initArgs: readonly string[];
  /** Removes the override file and the scratch directory. */
  cleanup(): void;
}

/**
 * Pins the backend with an override file (S3 with `-backend-config`; a local state file in a
 * scratch directory for dry runs). `TF_DATA_DIR` is in the scratch directory too.
 * `PROTONKIT_S3_ENDPOINT` (in `baseEnv`) points the S3 backend at an S3-compatible endpoint
 * (path style, no AWS account checks): MinIO, LocalStack, or a test server.
 */
export function prepareWorkspace(
  resource: ResolvedResource,
  settings: TerraformSettings,
  dryRun: boolean,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Workspace {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-run-"));
  const overridePath = path.join(resource.absDir, BACKEND_OVERRIDE_FILE);
  const env = stripTokens(terraformEnv(settings, baseEnv));
  // Terraform's working data (.terraform: backend settings, modules, provider links) lives
  // outside the checkout, so nothing stale is reused and the checkout stays clean.
  env.TF_DATA_DIR = path.join(scratch, "data");
  let args: string[];
  let override: string;
  if (dryRun) {
    const statePath = path.join(scratch, "terraform.tfstate").split(path.sep).join("/");
    override = `# Written by protonkit for a dry run; removed afterwards.\nterraform {\n  backend "local" {\n    path = ${JSON.stringify(statePath)}\n  }\n}\n`;
    args = initArgs(settings, ["-reconfigure"]);
  } else {
    const endpoint = baseEnv.PROTONKIT_S3_ENDPOINT;
    const custom = endpoint
      ? [
          `    endpoints = { s3 = ${JSON.stringify(endpoint)} }`,
          "    use_path_style = true",
          "    skip_credentials_validation = true",
          "    skip_requesting_account_id = true",
          "    skip_metadata_api_check = true",
          "    skip_region_validation = true",
        ].join("\n") + "\n"
      : "";
    override = `# Written by protonkit: state goes to S3 (settings from -backend-config); removed afterwards.\nterraform {\n  backend "s3" {${custom ? `\n${custom}  ` : ""}}\n}\n`;
    args = initArgs(settings, ["-reconfigure", ...backendConfigArgs(resource.backend)]);
  }
  const existed = fs.existsSync(overridePath);
  fs.writeFileSync(overridePath, override);
  return {
    cwd: resource.absDir,
    env,
    scratch,
    planFile: path.join(scratch, "tfplan"),
    initArgs: args,
    cleanup() {
      if (!existed) fs.rmSync(overridePath, { force: true });
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** A parsed line of Terraform's `-json` UI output. */
export interface JsonLine {
  readonly "@level"?: string;
  readonly "@message"?: string;
  readonly type?: string;
  readonly diagnostic?: {
    readonly severity?: string;
    readonly summary?: string;
    readonly detail?: string;
    readonly range?: { readonly filename?: string; readonly start?: { readonly line?: number } };
  };
  readonly [key: string]: unknown;
}

/** Parses `-json` output; non-JSON lines are dropped. */
export function parseJsonLines(stdout: string): JsonLine[] {
  const out: JsonLine[] = [];
  for (const line of stdout.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    try {
      out.push(JSON.parse(t) as JsonLine);
    } catch {
      // not a UI line
    }
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The error text of a failed run: error diagnostics of `-json` output, else stderr and stdout. */
export function errorText(run: TerraformRun): string {
  const diags = parseJsonLines(run.stdout)
    .filter((l) => l.type === "diagnostic" && l.diagnostic?.severity === "error")
    .map((l) => {
      const d = l.diagnostic ?? {};
      const where = d.range?.filename ? `\n  on ${d.range.filename}${d.range.start?.line ? ` line ${d.range.start.line}` : ""}` : "";
      return `Error: ${d.summary ?? "(no summary)"}${where}${d.detail ? `\n${d.detail}` : ""}`;
    });
  const plainStdout = run.stdout
    .split("\n")
    .filter((l) => !l.trim().startsWith("{"))
    .join("\n")
    .trim();
  const text = [...diags, run.stderr.trim(), diags.length ? "" : plainStdout].filter((s) => s !== "").join("\n\n");
  return (text || `exit code ${run.code}`).replace(ANSI, "");
}

/** The human `@message` lines of `-json` output (no values beyond what Terraform prints itself). */
export function messages(run: TerraformRun): string[] {
  return parseJsonLines(run.stdout)
    .filter((l) => l.type !== "version" && typeof l["@message"] === "string")
    .map((l) => l["@message"] as string);
}

/**
 * The last `change_summary` message of an apply or plan, e.g. "Apply complete! Resources: 1
 * added, 0 changed, 0 destroyed." (`apply -json` prints the plan's summary first).
 */
export function changeSummary(run: TerraformRun): string | undefined {
  return parseJsonLines(run.stdout)
    .filter((l) => l.type === "change_summary")
    .map((l) => l["@message"])
    .pop();
}

/** A Terraform step that failed; carries the run for the message. */
export class TerraformStepError extends Error {
  constructor(
    readonly step: string,
    readonly run: TerraformRun,
    readonly dir: string,
  ) {
    super(`terraform ${step} failed in ${logName(dir)} (exit ${run.code}):\n${errorText(run)}`);
    this.name = "TerraformStepError";
  }
}

/** Failures of `terraform init` worth another try: registry or S3 hiccups, not configuration errors. */
const TRANSIENT_INIT = /(timeout|timed out|connection reset|connection refused|TLS handshake|EOF|throttl|SlowDown|RequestLimitExceeded|\b(429|500|502|503|504)\b|temporary failure|no such host)/i;

/** Runs `terraform init`, retrying up to 3 times when the failure looks transient. */
export async function initStep(
  runner: TerraformRunner,
  ws: Workspace,
  dir: string,
  log: (line: string) => void,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<TerraformRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await runner.run(ws.initArgs, { cwd: ws.cwd, env: ws.env });
    if (run.code === 0) return run;
    const text = errorText(run);
    if (attempt >= 3 || !TRANSIENT_INIT.test(text)) throw new TerraformStepError("init", run, dir);
    log(`protonkit: terraform init failed (attempt ${attempt}), looks transient; retrying: ${text.split("\n").find((l) => l.trim() !== "") ?? ""}`);
    await wait(2000 * 2 ** (attempt - 1));
  }
}

/** Runs one step and throws {@link TerraformStepError} on a non-zero exit. */
export async function step(
  runner: TerraformRunner,
  ws: Workspace,
  name: string,
  args: readonly string[],
  dir: string,
): Promise<TerraformRun> {
  const run = await runner.run(args, { cwd: ws.cwd, env: ws.env });
  if (run.code !== 0) throw new TerraformStepError(name, run, dir);
  return run;
}
