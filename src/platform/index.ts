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
import { readRecords } from "./records-store";
import type { RecordsRef } from "./records-ref";
import { FETCH_RECORDS, resolveRecordsRef } from "./records-ref";

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
  /**
   * The records ref to read, as given (`--records`).
   * @default - the newer of `protonkit/records` and `origin/protonkit/records` (see {@link resolveRecordsRef})
   */
  readonly recordsRef?: string;
  /** Where catalog versions are cached; default `<root>/.protonkit/cache`. */
  readonly cacheDir?: string;
  /** Fetch a catalog given by URL before reading it. */
  readonly fetch?: boolean;
}

/** What {@link renderPlatform} did, and the records ref it read. */
export interface RenderedPlatform extends PlatformPlan {
  /** The records ref read; absent when `records` was passed in. */
  readonly recordsRef?: RecordsRef;
}

/** Renders the whole platform of `root` (or checks the committed render). */
export function renderPlatform(options: RenderPlatformOptions): RenderedPlatform {
  const config = loadPlatformConfig(options.root);
  if (!config.catalog) throw new ProtonkitError(new Problem("is required", { file: config.source, field: "catalog" }));
  const catalog = Catalog.open(options.root, config.catalog, { cacheDir: options.cacheDir, fetch: options.fetch });
  const ref = options.records ? undefined : resolveRecordsRef(options.root, { records: options.recordsRef });
  const records = options.records ?? readerOf(readRecords(options.root, (ref as RecordsRef).ref));
  const plan: RenderedPlatform = { ...planPlatform({ root: options.root, config, catalog, records, teams: teamsOf(options.root) }), ...(ref ? { recordsRef: ref } : {}) };
  if (ref && !ref.commit) refuseUnrecorded(plan, ref);
  if (options.check) {
    const stale = [...[...plan.writes.keys()].map((p) => `${p}: differs from the desired state`), ...plan.removes.map((p) => `${p}: should be removed`)];
    if (stale.length > 0) {
      const render = ref?.given ? `protonkit platform render --records ${ref.ref}` : "protonkit platform render";
      throw new ProtonkitError(
        stale.map((s) => new Problem(s, { fix: `run \`${render}\` and commit the result` })),
        `the committed render is stale against the desired state, the catalog at ${plan.catalogCommit.slice(0, 12)} and the records at ${recordsLabel(plan, ref)}: ${stale.length} path${stale.length === 1 ? "" : "s"} differ`,
      );
    }
    return plan;
  }
  writePlatform(options.root, plan);
  return plan;
}

/** `<commit> (<ref>)`, or `(none recorded)`, for messages. */
export function recordsLabel(plan: PlatformPlan, ref: RecordsRef | undefined): string {
  const commit = plan.recordsCommit ? plan.recordsCommit.slice(0, 12) : "(none recorded)";
  return ref ? `${commit} (${ref.ref})` : commit;
}

/**
 * No records at all, yet directories already rendered would wait for their environment's first
 * apply: the records are elsewhere (a clone without the branch, a mistyped --records), not
 * absent. Rendering on would silently stop following the environment.
 */
function refuseUnrecorded(plan: PlatformPlan, ref: RecordsRef): void {
  const stuck = plan.pending.filter((p) => p.rendered);
  if (stuck.length === 0) return;
  const fix = ref.given
    ? `pass --records a ref that exists here (e.g. origin/protonkit/records after \`git fetch origin\`), or \`${FETCH_RECORDS}\``
    : `fetch the records: \`${FETCH_RECORDS}\`, or pass --records <ref>`;
  throw new ProtonkitError(
    stuck.map((p) => new Problem(`${p.dir}/ is rendered, but would be left pending: it ${p.reason}`, { field: "--records", fix })),
    `platform render: no records found at ${ref.ref} (it does not exist in this repository), but ${stuck.length === 1 ? "1 rendered directory needs" : `${stuck.length} rendered directories need`} recorded outputs; nothing was written`,
  );
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
