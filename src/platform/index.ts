/**
 * The platform repository: desired state under `platform/`, rendered into Proton's
 * provisioning layout from a catalog's published versions and the recorded outputs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Problem, ProtonkitError } from "../errors";
import { Catalog } from "./catalog";
import { PLATFORM_CONFIG_PATH, loadPlatformConfig } from "./config";
import type { Entitlements } from "./teams";
import { entitlementsFromConfigText } from "./teams";
import type { PlatformPlan } from "./render";
import { planPlatform, writePlatform } from "./render";
import type { RecordsReader } from "./records";
import { readerOf } from "./records";
import { loadDesiredState } from "./model";
import type { UpgradeOptions, UpgradePlan } from "./upgrade";
import { planUpgrade, writeUpgrade } from "./upgrade";
import { RECORDS_BRANCH, readRecords } from "./records-store";

export { loadDesiredState, readEnvironmentFile, readServiceFile, parseVersion, versionText, SCHEMA_PATHS, ENVIRONMENTS_DIR, SERVICES_DIR } from "./model";
export type { DesiredState, EnvironmentState, ServiceState, ComponentState, VersionRequest } from "./model";
export { Catalog, defaultCacheDir } from "./catalog";
export type { PublishedVersion } from "./catalog";
export { planPlatform, writePlatform, scanRendered, METADATA_FILE } from "./render";
export type { PlatformPlan, PlatformResource, PendingResource } from "./render";
export { recordsFrom, readerOf, NO_RECORDS } from "./records";
export { planUpgrade, writeUpgrade } from "./upgrade";
export type { UpgradeOptions, UpgradePlan, VersionChange } from "./upgrade";
export type { RecordsReader, RecordsData } from "./records";

/** Options of {@link renderPlatform}. */
export interface RenderPlatformOptions {
  /** The platform repository root. */
  readonly root: string;
  /** Write nothing; fail when the committed render differs. */
  readonly check?: boolean;
  /** Recorded state; default: read from the records branch of `root` at `recordsRef`. */
  readonly records?: RecordsReader;
  /** @default "protonkit/records" */
  readonly recordsRef?: string;
  /** Where catalog versions are cached; default `<root>/.protonkit/cache`. */
  readonly cacheDir?: string;
  /** Fetch a catalog given by URL before reading it. */
  readonly fetch?: boolean;
}

/** Renders the whole platform of `root` (or checks the committed render). */
export function renderPlatform(options: RenderPlatformOptions): PlatformPlan {
  const config = loadPlatformConfig(options.root);
  if (!config.catalog) throw new ProtonkitError(new Problem("is required", { file: config.source, field: "catalog" }));
  const catalog = Catalog.open(options.root, config.catalog, { cacheDir: options.cacheDir, fetch: options.fetch });
  const records = options.records ?? readerOf(readRecords(options.root, options.recordsRef ?? RECORDS_BRANCH));
  const plan = planPlatform({ root: options.root, config, catalog, records, teams: teamsOf(options.root) });
  if (options.check) {
    const stale = [...[...plan.writes.keys()].map((p) => `${p}: differs from the desired state`), ...plan.removes.map((p) => `${p}: should be removed`)];
    if (stale.length > 0) {
      throw new ProtonkitError(
        stale.map((s) => new Problem(s, { fix: "run `protonkit platform render` and commit the result" })),
        `the committed render is stale: ${stale.length} path${stale.length === 1 ? "" : "s"} differ`,
      );
    }
    return plan;
  }
  writePlatform(options.root, plan);
  return plan;
}

/** The teams of `.protonkit/platform.yaml`, when it has `entitlements:`. */
function teamsOf(root: string): Entitlements | undefined {
  const file = path.join(root, PLATFORM_CONFIG_PATH);
  return fs.existsSync(file) ? entitlementsFromConfigText(fs.readFileSync(file, "utf8"), PLATFORM_CONFIG_PATH) : undefined;
}

/** Edits the desired state of `root` to newer versions (see {@link planUpgrade}); writes nothing on a problem. */
export function upgradePlatform(root: string, options: UpgradeOptions & { readonly cacheDir?: string }): UpgradePlan {
  const config = loadPlatformConfig(root);
  if (!config.catalog) throw new ProtonkitError(new Problem("is required", { file: config.source, field: "catalog" }));
  const catalog = Catalog.open(root, config.catalog, { cacheDir: options.cacheDir });
  const loaded = loadDesiredState(root);
  if (loaded.problems.length > 0) throw new ProtonkitError(loaded.problems, `platform upgrade: the desired state has ${loaded.problems.length === 1 ? "1 problem" : `${loaded.problems.length} problems`}; nothing was changed`);
  const plan = planUpgrade(loaded.state, catalog, options);
  writeUpgrade(plan);
  return plan;
}
