/**
 * Renders the files the workflow generator writes, from the Handlebars templates under
 * `templates/workflows/`. Templates are written as the workflow reads: a GitHub expression
 * `${{ ... }}` stays literal, and only a bare `{{ ... }}` is Handlebars.
 */
import * as path from "node:path";
import type Handlebars from "handlebars";
import { NODE_VERSION } from "../actions";
import { generatorHandlebars, readTemplate } from "../handlebars";
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

/** The starter `.protonkit/workflow.yaml`, written once by `workflow init`. */
export function renderSettingsFile(settings: WorkflowSettings): string {
  return render("workflow-settings.yaml.hbs", { ...settings, toolkit_token_secret: settings.toolkit_token_secret ?? false });
}

/** The toolkit repository's own CI workflow (`.github/workflows/ci.yml`), without ownership line. */
export function renderToolkitCi(terraformVersion: string = DEFAULT_TERRAFORM_VERSION): string {
  return render("toolkit-ci.yml.hbs", { terraform_version: terraformVersion });
}
