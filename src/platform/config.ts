/**
 * `.protonkit/platform.yaml`: the one configuration of a platform repository. It holds what
 * `.protonkit/provisioning.yaml` and `.protonkit/workflow.yaml` held, plus where the catalog
 * comes from; {@link migrateConfig} merges the older files into it once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { Problem, ProtonkitError } from "../errors";
import type { ProvisioningConfig } from "../provision/config";
import { DEFAULT_CONFIG_PATH, LEGACY_CONFIG_PATHS, PLATFORM_CONFIG_PATH, loadRepositoryConfig, parseProvisioningConfig } from "../provision/config";

export { PLATFORM_CONFIG_PATH, LEGACY_CONFIG_PATHS };

/** The older workflow settings file. */
const WORKFLOW_PATH = LEGACY_CONFIG_PATHS[1];

/** Loads the platform configuration of `root`; it must name a catalog, an account and a region. */
export function loadPlatformConfig(root: string): ProvisioningConfig {
  const config = loadRepositoryConfig(root);
  const problems: Problem[] = [];
  const need = (ok: boolean, field: string, fix: string): void => {
    if (!ok) problems.push(new Problem("is required to render a platform", { file: config.source, field, fix }));
  };
  need(config.catalog !== undefined, "catalog", "add catalog: { repository: <path or URL of the catalog's git repository>, ref: main }");
  need(config.account_id !== undefined, "account_id", "add account_id: the 12-digit account in every resource ARN");
  need(config.region !== undefined, "region", "add region: the region in every resource ARN, e.g. eu-west-1");
  if (problems.length > 0) throw new ProtonkitError(problems, `${config.source}: not a platform configuration`);
  return config;
}

/** Values `migrate-config` adds to the merged file. */
export interface MigrateOptions {
  /** catalog.repository. */
  readonly catalogRepository?: string;
  /** catalog.ref. @default "main" */
  readonly catalogRef?: string;
  /** catalog.bundles. @default "proton-bundles" */
  readonly bundles?: string;
  readonly accountId?: string;
  readonly region?: string;
}

/**
 * Merges `.protonkit/provisioning.yaml` (comments kept) and `.protonkit/workflow.yaml` into
 * `.protonkit/platform.yaml`, validates the result, writes it and removes the older files.
 * Writes nothing on any problem. Returns the text written.
 */
export function migrateConfig(root: string, options: MigrateOptions = {}): string {
  const abs = (p: string): string => path.join(root, p);
  if (fs.existsSync(abs(PLATFORM_CONFIG_PATH))) {
    throw new ProtonkitError(new Problem("already exists", { file: PLATFORM_CONFIG_PATH, fix: `move any keys left in ${LEGACY_CONFIG_PATHS.join(" or ")} into it by hand and delete those files` }));
  }
  if (!fs.existsSync(abs(DEFAULT_CONFIG_PATH))) {
    throw new ProtonkitError(new Problem("does not exist: nothing to migrate", { file: DEFAULT_CONFIG_PATH, fix: `write ${PLATFORM_CONFIG_PATH} directly (see the README)` }));
  }
  const doc = parseDocument(fs.readFileSync(abs(DEFAULT_CONFIG_PATH), "utf8"));
  // Checked as it is first, so problems point at the file the user wrote.
  parseProvisioningConfig(String(doc), DEFAULT_CONFIG_PATH);
  if (fs.existsSync(abs(WORKFLOW_PATH))) {
    const settings = parseDocument(fs.readFileSync(abs(WORKFLOW_PATH), "utf8")).toJS() as Record<string, unknown> | null;
    const workflow: Record<string, unknown> = { ...(settings ?? {}) };
    delete workflow.version;
    if (workflow.main_branch !== undefined) {
      doc.set("main_branch", workflow.main_branch);
      delete workflow.main_branch;
    }
    if (Object.keys(workflow).length > 0) doc.set("workflow", doc.createNode(workflow));
  }
  if (options.accountId !== undefined) doc.set("account_id", options.accountId);
  if (options.region !== undefined) doc.set("region", options.region);
  if (options.catalogRepository !== undefined) {
    doc.set(
      "catalog",
      doc.createNode({ repository: options.catalogRepository, ref: options.catalogRef ?? "main", bundles: options.bundles ?? "proton-bundles" }),
    );
  }
  const text = String(doc);
  // Problems here name the merged file; the older files' lines no longer apply.
  parseProvisioningConfig(text, `${PLATFORM_CONFIG_PATH} (merged from ${LEGACY_CONFIG_PATHS.filter((p) => fs.existsSync(abs(p))).join(" and ")})`);
  const tmp = `${abs(PLATFORM_CONFIG_PATH)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, abs(PLATFORM_CONFIG_PATH));
  for (const p of LEGACY_CONFIG_PATHS) fs.rmSync(abs(p), { force: true });
  return text;
}
