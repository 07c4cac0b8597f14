import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Disk use of a file tree as `du` counts it: allocated blocks, symbolic links counted as
 * themselves and never followed, each inode once.
 */
export function diskUsage(root: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return;
    seen.add(id);
    total += st.blocks * 512;
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(root);
  return total;
}

/** How the providers of one initialized working directory are installed. */
export interface ProviderInstall {
  /** `<namespace>/<type>/<version>/<os_arch>` of each installed provider, sorted. */
  readonly providers: readonly string[];
  /** True when every installed provider package is a symbolic link into a shared location. */
  readonly shared: boolean;
  /** Where the links point (absolute), in the order of `providers`. */
  readonly targets: readonly (string | null)[];
  /** Disk use of `.terraform/` (links not followed). */
  readonly bytes: number;
}

/** Inspects `<dir>/.terraform/providers`: which providers, linked or copied, and the disk they take. */
export function inspectProviderInstall(dir: string): ProviderInstall {
  const base = path.join(dir, ".terraform", "providers");
  const providers: string[] = [];
  const targets: (string | null)[] = [];
  let shared = true;
  const level = (p: string): string[] => {
    try {
      return fs.readdirSync(p).sort();
    } catch {
      return [];
    }
  };
  for (const host of level(base)) {
    for (const ns of level(path.join(base, host))) {
      for (const type of level(path.join(base, host, ns))) {
        for (const version of level(path.join(base, host, ns, type))) {
          for (const arch of level(path.join(base, host, ns, type, version))) {
            const p = path.join(base, host, ns, type, version, arch);
            providers.push(`${host}/${ns}/${type}/${version}/${arch}`);
            const st = fs.lstatSync(p);
            if (st.isSymbolicLink()) {
              targets.push(path.resolve(path.dirname(p), fs.readlinkSync(p)));
            } else {
              shared = false;
              targets.push(null);
            }
          }
        }
      }
    }
  }
  return {
    providers,
    shared: providers.length > 0 && shared,
    targets,
    bytes: diskUsage(path.join(dir, ".terraform")),
  };
}

/** `1.2 MB`-style size for tables. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
