import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * One provider process for a whole `protonkit test` run. Terraform 1.11 starts a fresh provider
 * process for every graph walk of `terraform test`: two per run (validate, plan), one more for an
 * apply and three to destroy what a file applied. The AWS provider takes about 0.2 s of CPU to
 * start, and that was most of the catalog's time. A provider started once in its debug mode
 * (`-debug`) serves every walk of every Terraform process that names it in
 * `TF_REATTACH_PROVIDERS`, and Terraform leaves such a provider running when it is done.
 *
 * Only mocked providers are shared: Terraform never configures the provider behind a
 * `mock_provider` (it asks it for its schema and to validate arguments), so walks cannot see each
 * other through it. A provider that fails to start this way is simply started per walk, as before.
 */

/** A provider Terraform found for a working directory (`.terraform/providers/...`). */
export interface InstalledProvider {
  /** e.g. `registry.terraform.io/hashicorp/aws`. */
  readonly address: string;
  /** The plugin executable, links resolved. */
  readonly binary: string;
}

/** A provider process started in debug mode. */
export interface SharedProvider {
  /** Its `TF_REATTACH_PROVIDERS` entries, by provider address. */
  readonly reattach: Readonly<Record<string, unknown>>;
  /** Stops the process. */
  stop(): Promise<void>;
}

/** Starts a provider's executable in debug mode; undefined when it cannot be shared. */
export type StartProvider = (binary: string, env: NodeJS.ProcessEnv) => Promise<SharedProvider | undefined>;

/** Providers named `names` that `terraform init` installed in `dir`, one per address (the newest version listed last wins). */
export function installedProviders(dir: string, names: readonly string[]): InstalledProvider[] {
  const root = path.join(dir, ".terraform", "providers");
  const found = new Map<string, string>();
  const list = (p: string): string[] => {
    try {
      return fs.readdirSync(p).sort();
    } catch {
      return [];
    }
  };
  for (const host of list(root)) {
    for (const ns of list(path.join(root, host))) {
      for (const type of list(path.join(root, host, ns))) {
        if (!names.includes(type)) continue;
        for (const version of list(path.join(root, host, ns, type))) {
          for (const arch of list(path.join(root, host, ns, type, version))) {
            const pkg = path.join(root, host, ns, type, version, arch);
            const exe = list(pkg).find((f) => f.startsWith(`terraform-provider-${type}`));
            if (exe) found.set(`${host}/${ns}/${type}`, fs.realpathSync(path.join(pkg, exe)));
          }
        }
      }
    }
  }
  return [...found].map(([address, binary]) => ({ address, binary }));
}

const REATTACH = /TF_REATTACH_PROVIDERS='(\{.*\})'/;

// The provider runs under a small shell that stops it when protonkit's end of the shell's stdin
// closes, however protonkit ends: a test runner that kills protonkit runs no exit handler.
// (A background job's stdin is /dev/null unless redirected, hence fd 3.)
const WATCHDOG = 'exec 3<&0; "$0" -debug </dev/null & p=$!; (read _ <&3; kill $p) >/dev/null 2>&1 & wait $p';

/**
 * Starts `binary -debug` and reads the `TF_REATTACH_PROVIDERS` line it prints. Undefined when
 * the provider exits, prints no such line within `timeoutMs`, or cannot be run.
 */
export function startSharedProvider(binary: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<SharedProvider | undefined> {
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn("/bin/sh", ["-c", WATCHDOG, binary], { env, stdio: ["pipe", "pipe", "pipe"] });
    } catch {
      resolve(undefined);
      return;
    }
    let providerPid: number | undefined;
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      const hard = setTimeout(() => {
        child.kill("SIGKILL");
        try {
          if (providerPid !== undefined) process.kill(providerPid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(hard);
    };
    let out = "";
    let done = false;
    const finish = (value: SharedProvider | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (value === undefined) void stop();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    child.on("error", () => finish(undefined));
    child.on("exit", () => finish(undefined));
    child.stdin?.on("error", () => undefined);
    // Keep reading after the line too, so the provider never blocks on a full pipe.
    child.stderr?.resume();
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      if (done) return;
      out += d;
      const m = REATTACH.exec(out);
      if (!m) return;
      try {
        const reattach = JSON.parse(m[1] as string) as Record<string, { Pid?: number }>;
        providerPid = Object.values(reattach).find((e) => typeof e?.Pid === "number")?.Pid;
        finish({ reattach, stop });
      } catch {
        finish(undefined);
      }
    });
  });
}

/** The shared provider processes of one run, started on first use, one per executable. */
export class SharedProviders {
  private readonly servers = new Map<string, Promise<SharedProvider | undefined>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly start: StartProvider = startSharedProvider,
  ) {}

  /** Processes started and serving. */
  async count(): Promise<number> {
    return (await Promise.all(this.servers.values())).filter((s) => s !== undefined).length;
  }

  /**
   * `TF_REATTACH_PROVIDERS` for a working directory `terraform init` has run in: its providers
   * named `names`, each attached to the run's one process for its executable. Undefined when
   * none can be shared (Terraform then starts them itself).
   */
  async reattachFor(dir: string, names: readonly string[]): Promise<string | undefined> {
    const entries: Record<string, unknown> = {};
    for (const p of installedProviders(dir, names)) {
      let server = this.servers.get(p.binary);
      if (!server) this.servers.set(p.binary, (server = this.start(p.binary, this.env)));
      const s = await server;
      const entry = s?.reattach[p.address];
      if (entry !== undefined) entries[p.address] = entry;
    }
    return Object.keys(entries).length > 0 ? JSON.stringify(entries) : undefined;
  }

  /** Stops every process. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.values()].map(async (s) => (await s)?.stop()));
  }
}
