/**
 * Renders the files the workflow generator writes, from the Handlebars templates under
 * `templates/workflows/`. Templates are written as the workflow reads: a GitHub expression
 * `${{ ... }}` stays literal, and only a bare `{{ ... }}` is Handlebars.
 */
import * as path from "node:path";
import type Handlebars from "handlebars";
import { NODE_VERSION } from "../actions";
import { generatorHandlebars, readTemplate } from "../handlebars";
import { RECORDS_BRANCH } from "../../src/platform/records-store";
import { WAVES, deploymentSteps } from "../../src/platform/waves";
import type { WorkflowSettings } from "./settings";

/** Folder of the workflow templates. */
export const TEMPLATE_DIR = path.join(__dirname, "..", "..", "templates", "workflows");

/**
 * Changed files that can start a run in a provisioning repository, in every layout of
 * docs/PROTON-CONTRACT.md sections 4 and 10: Proton's deployment metadata, the Terraform files and
 * variables it writes, and a committed dependency lock file.
 */
export const PROVISION_PATHS: readonly string[] = [
  "**/.proton/deployment-metadata.json",
  "**/*.tf",
  "**/*.tfvars.json",
  "**/.terraform.lock.hcl",
  // A change to the configuration alone is validated against every resource.
  ".protonkit/**",
];

/** The caller workflow (triggers only) and the reusable workflow holding every credentialed job. */
export const PROVISION_CALLER_FILE = "protonkit-provision.yml";
/** File name of the reusable workflow, under `.github/workflows/`. */
export const PROVISION_JOBS_FILE = "protonkit-provision-jobs.yml";
/** File name of the scheduled drift check (a caller of the reusable workflow). */
export const DRIFT_CALLER_FILE = "protonkit-drift.yml";
/** When the drift check runs: daily at 04:23 UTC (off the hour, when GitHub's schedules bunch up). */
export const DRIFT_CRON = "23 4 * * *";

/** Terraform version the workflow installs when the configuration does not name one. */
export const DEFAULT_TERRAFORM_VERSION = "1.11.4";

/** Values the starter `.protonkit/provisioning.yaml` is filled with. */
export interface StarterConfigValues {
  /** 12-digit AWS account of the roles and the state bucket. */
  readonly account: string;
  /** AWS region to deploy to. */
  readonly region: string;
  /** Terraform version to install. */
  readonly terraformVersion: string;
}

/** Placeholders the starter configuration uses when no values are given. */
export const STARTER_DEFAULTS: StarterConfigValues = {
  account: "123456789012",
  region: "eu-west-1",
  terraformVersion: DEFAULT_TERRAFORM_VERSION,
};

let environment: typeof Handlebars | undefined;

/** The Handlebars environment with the workflow partials, built once. */
function handlebars(): typeof Handlebars {
  environment ??= generatorHandlebars(path.join(TEMPLATE_DIR, "partials"));
  return environment;
}

function render(template: string, context: Record<string, unknown>): string {
  const compiled = handlebars().compile(readTemplate(path.join(TEMPLATE_DIR, template)), { noEscape: true, strict: true });
  const out = compiled(context);
  return out.endsWith("\n") ? out : `${out}\n`;
}

/**
 * The provisioning workflow (without its ownership line). `terraformVersion` comes from the
 * repository's `.protonkit/provisioning.yaml`, else {@link DEFAULT_TERRAFORM_VERSION}.
 */
export function renderProvisionWorkflow(settings: WorkflowSettings, terraformVersion: string): string {
  return render("provision.yml.hbs", context(settings, terraformVersion));
}

/** The reusable workflow with the credentialed jobs (without its ownership line). */
export function renderProvisionJobsWorkflow(settings: WorkflowSettings, terraformVersion: string): string {
  return render("provision-jobs.yml.hbs", context(settings, terraformVersion));
}

/** The scheduled drift check (without its ownership line). */
export function renderDriftWorkflow(settings: WorkflowSettings, terraformVersion: string, platform = false): string {
  return render("drift.yml.hbs", {
    ...context(settings, terraformVersion),
    drift_cron: DRIFT_CRON,
    platform,
    inherit_secrets: Boolean(settings.toolkit_token_secret),
  });
}

function context(settings: WorkflowSettings, terraformVersion: string): Record<string, unknown> {
  return {
    ...settings,
    toolkit_token_secret: settings.toolkit_token_secret ?? false,
    main_ref: `'refs/heads/${settings.main_branch}'`,
    paths: PROVISION_PATHS,
    terraform_version: terraformVersion,
    node_version: NODE_VERSION,
    caller_file: PROVISION_CALLER_FILE,
    jobs_file: `.github/workflows/${PROVISION_JOBS_FILE}`,
  };
}

/** The starter `.protonkit/provisioning.yaml`, written once by `workflow init`. */
export function renderStarterConfig(values: StarterConfigValues): string {
  return render("provisioning.yaml.hbs", { ...values });
}

/**
 * The starter `.protonkit/platform.yaml` of a platform repository, written once by `workflow
 * init --platform`. `catalog` is the catalog's git repository (URL, or a path relative to the
 * platform repository); the default is the toolkit repository on GitHub.
 */
export function renderStarterPlatformConfig(values: StarterConfigValues, settings: WorkflowSettings, catalog?: string): string {
  return render("platform.yaml.hbs", {
    ...values,
    ...settings,
    toolkit_token_secret: settings.toolkit_token_secret ?? false,
    catalog_repository: catalog ?? `https://github.com/${settings.toolkit_repository}.git`,
  });
}

/** The starter `.protonkit/workflow.yaml`, written once by `workflow init`. */
export function renderSettingsFile(settings: WorkflowSettings): string {
  return render("workflow-settings.yaml.hbs", { ...settings, toolkit_token_secret: settings.toolkit_token_secret ?? false });
}

/** The toolkit repository's own CI workflow (`.github/workflows/ci.yml`), without ownership line. */
export function renderToolkitCi(terraformVersion: string = DEFAULT_TERRAFORM_VERSION): string {
  return render("toolkit-ci.yml.hbs", { terraform_version: terraformVersion });
}

/** Paths whose change starts a platform repository's run: the rendered layout and the desired state. */
export const PLATFORM_PATHS: readonly string[] = [...PROVISION_PATHS, "platform/**"];

/** The branch the propagation pull request comes from (the automation force-pushes it). */
export const PROPAGATE_BRANCH = "protonkit/propagate";

/** What a platform repository's workflow needs beyond the settings. */
export interface PlatformWorkflowOptions {
  /** Whether `.protonkit/platform.yaml` has `entitlements:` (the pull request then checks them). */
  readonly entitlements: boolean;
  /** Tiers the rollout stops before. @default [] */
  readonly pauseBefore?: readonly string[];
}

/** The caller workflow of a platform repository (without its ownership line). */
export function renderPlatformWorkflow(settings: WorkflowSettings, terraformVersion: string): string {
  return render("platform.yml.hbs", {
    ...context(settings, terraformVersion),
    paths: PLATFORM_PATHS,
    inherit_secrets: Boolean(settings.toolkit_token_secret ?? settings.app_id ?? settings.membership_app_id),
  });
}

/** The reusable workflow of a platform repository (without its ownership line). */
export function renderPlatformJobsWorkflow(settings: WorkflowSettings, terraformVersion: string, options: PlatformWorkflowOptions): string {
  const graph = platformJobGraph({ ...options, pauseBefore: settings.pause_before ?? [] });
  return render("platform-jobs.yml.hbs", {
    ...context(settings, terraformVersion),
    app_id: settings.app_id ?? false,
    app_private_key_secret: settings.app_private_key_secret ?? false,
    membership_app_id: settings.membership_app_id ?? false,
    membership_app_private_key_secret: settings.membership_app_private_key_secret ?? false,
    membership_permissions: ["members=read", "pull_requests=read", "contents=read"],
    record_permissions: ["contents=write"],
    propagate_permissions: ["contents=write", "pull_requests=write"],
    records_branch: RECORDS_BRANCH,
    propagate_branch: PROPAGATE_BRANCH,
    entitlements: options.entitlements,
    ...graph,
  });
}

/** One deployment step as the template writes it. */
interface StepJobs {
  readonly id: string;
  readonly stage: string;
  readonly wave: string | false;
  readonly gate: string | false;
  readonly order_needs: string;
  readonly order_if: string;
}

/** A rollout gate as the template writes it. */
interface GateJob {
  readonly wave: string;
  readonly environment: string;
  readonly needs: string;
  readonly condition: string;
  readonly paused: boolean;
}

const count = (id: string): string => `needs.order.outputs['${id}-count'] != '0'`;

/**
 * The push side's job graph: one order/apply/record triple per deployment step, chained in
 * order, with a gate before each later tier. The conditions are built here, not in the
 * template, so the rules read in one place:
 * - a step runs when its own count is not zero, whatever happened before (`!cancelled()`):
 *   `platform order --stage` leaves out what depends on a failure, from the records;
 * - a tier after the first runs only through its gate, and the gate runs only when no job of
 *   an earlier tier failed.
 */
export function platformJobGraph(options: PlatformWorkflowOptions): { steps: StepJobs[]; gates: GateJob[]; last_record: string; summary_needs: string } {
  const all = deploymentSteps();
  const gates: GateJob[] = [];
  const steps: StepJobs[] = [];
  const earlier: string[] = [];
  let prev: string | undefined;
  for (const step of all) {
    let gate: string | false = false;
    if (step.wave !== undefined && step.wave !== WAVES[0]) {
      gate = step.wave;
      if (!gates.some((g) => g.wave === step.wave)) {
        const ids = all.filter((s) => s.wave === step.wave).map((s) => s.id);
        const before = [...earlier, ...gates.map((g) => `gate-${g.wave}`)];
        const noFailure = before.map((j) => `needs.${j}.result != 'failure'`);
        gates.push({
          wave: step.wave,
          environment: `protonkit-rollout-${step.wave}`,
          needs: ["order", ...before].join(", "),
          paused: (options.pauseBefore ?? []).includes(step.wave),
          condition: `\${{ !cancelled() && needs.order.result == 'success' && (${ids.map(count).join(" || ")}) && ${noFailure.join(" && ")} }}`,
        });
      }
    }
    const needs = ["order", ...(prev ? [`record-${prev}`] : []), ...(gate ? [`gate-${gate}`] : [])];
    const conditions = ["!cancelled()", "needs.order.result == 'success'", count(step.id), ...(gate ? [`needs.gate-${gate}.result == 'success'`] : [])];
    steps.push({ id: step.id, stage: step.stage, wave: step.wave ?? false, gate, order_needs: needs.join(", "), order_if: `\${{ ${conditions.join(" && ")} }}` });
    earlier.push(`order-${step.id}`, `apply-${step.id}`, `record-${step.id}`);
    prev = step.id;
  }
  const summary = [
    "validate",
    ...(options.entitlements ? ["entitlements"] : []),
    "detect",
    "plan",
    "comment",
    "drift-plan",
    "drift",
    "order",
    ...gates.map((g) => `gate-${g.wave}`),
    ...steps.flatMap((s) => [`order-${s.id}`, `apply-${s.id}`, `record-${s.id}`]),
    "propagate",
  ];
  return { steps, gates, last_record: `record-${prev ?? ""}`, summary_needs: summary.join(", ") };
}
