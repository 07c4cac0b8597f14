/**
 * Renders an application repository's CI from the Handlebars templates under
 * `templates/pipelines/`: the GitHub Actions workflow or the `.gitlab-ci.yml`, and the deploy
 * script both run. A GitHub expression `${{ ... }}` stays literal; only a bare `{{ ... }}` is
 * Handlebars.
 */
import * as path from "node:path";
import type Handlebars from "handlebars";
import YAML from "yaml";
import { generatorHandlebars, readTemplate } from "../handlebars";
import { DEFAULT_UNIT_TEST, LANGUAGE_NAMES, isBuildpackLanguage, type BuildPlan } from "./detect";
import type { PipelineSettings } from "./settings";
import { orderStages, type OrderedStage, type Tier } from "./stages";

/** Folder of the pipeline templates. */
export const TEMPLATE_DIR = path.join(__dirname, "..", "..", "templates", "pipelines");

/** The Paketo builder `pack` builds with (Python, Node.js, Ruby, Java and more). */
export const PAKETO_BUILDER = "paketobuildpacks/builder-jammy-base";
/** The pack CLI image GitLab jobs take `pack` from. */
export const PACK_IMAGE = "buildpacksio/pack:0.38.2";

/** GitLab's `deployment_tier` for each environment tier. */
const GITLAB_TIERS: Readonly<Record<Tier, string>> = { test: "testing", staging: "staging", production: "production" };

/** A stage with what its job needs. */
export interface RenderedStage extends OrderedStage {
  /** Role the deploy job assumes. */
  readonly role_arn: string;
  /** ECS service or Lambda function name (`<service>-<instance>`, as the catalog names them). */
  readonly target_name: string;
  readonly gitlab_tier: string;
}

/** Everything a pipeline template is rendered with. */
export interface PipelineModel {
  readonly settings: PipelineSettings;
  readonly build: BuildPlan;
  readonly stages: readonly RenderedStage[];
  readonly unitTest: string;
  /** Image GitLab's unit-test job runs in. */
  readonly unitTestImage: string;
  readonly repositoryUrl: string;
  readonly pipelineRoleArn: string;
  /** `ecs` for web services, `lambda` for functions. */
  readonly target: "ecs" | "lambda";
}

/** The role the catalog creates for a service's pipeline: `-deploy` for web services, `-push` for functions. */
export function pipelineRoleName(settings: Pick<PipelineSettings, "service" | "template">): string {
  return `protonkit-${settings.service}-${settings.template === "function-service" ? "push" : "deploy"}`.slice(0, 64);
}

/** Builds the model: the stages in promotion order, roles, names, the unit-test command. */
export function pipelineModel(settings: PipelineSettings, build: BuildPlan, file: string): PipelineModel {
  const pipelineRoleArn = `arn:aws:iam::${settings.account}:role/${pipelineRoleName(settings)}`;
  const stages = orderStages(settings.stages, file).map((s): RenderedStage => {
    // Web instances in another account have a role of their own there; the rest use the pipeline role.
    const crossAccount = s.account !== undefined && s.account !== settings.account && settings.template !== "function-service";
    return {
      ...s,
      role_arn: crossAccount ? `arn:aws:iam::${s.account}:role/${`protonkit-${settings.service}-${s.instance}-deploy`.slice(0, 64)}` : pipelineRoleArn,
      target_name: `${settings.service}-${s.instance}`.slice(0, 64),
      gitlab_tier: GITLAB_TIERS[s.tier],
    };
  });
  const defaults = isBuildpackLanguage(build.language) ? DEFAULT_UNIT_TEST[build.language] : undefined;
  return {
    settings,
    build,
    stages,
    unitTest: settings.unit_test ?? defaults?.command ?? "echo 'no unit-test command: set unit_test in .protonkit/pipeline.yaml' && exit 1",
    unitTestImage: defaults?.image ?? "alpine:3.22",
    repositoryUrl: `${settings.account}.dkr.ecr.${settings.region}.amazonaws.com/${settings.service}`,
    pipelineRoleArn,
    target: settings.template === "function-service" ? "lambda" : "ecs",
  };
}

let environment: typeof Handlebars | undefined;

function handlebars(): typeof Handlebars {
  environment ??= generatorHandlebars();
  return environment;
}

function render(template: string, model: PipelineModel): string {
  const s = model.settings;
  const image = s.artifact === "image";
  const context = {
    ...s,
    stages: model.stages,
    target: model.target,
    image,
    buildpacks: model.build.kind === "buildpacks",
    language_name: LANGUAGE_NAMES[model.build.language],
    builder: PAKETO_BUILDER,
    pack_image: PACK_IMAGE,
    setup_node: model.build.language === "node",
    unit_test: model.unitTest,
    unit_test_image: model.unitTestImage,
    repository_url: model.repositoryUrl,
    pipeline_role_arn: model.pipelineRoleArn,
    code_bucket: s.code_bucket ?? "",
    package_path: s.package_path ?? "",
    package_command: s.package_command ?? "",
    artifact_input: s.template === "function-service" ? (image ? "image_uri" : "code_s3_bucket/code_s3_key") : "image",
    build_summary: buildSummary(model),
    stage_summary: model.stages.map((st) => `${st.environment} (${st.instance})`).join(" -> "),
    approval_environments: [...new Set(model.stages.filter((st) => st.approval).map((st) => st.environment))].join(", ") || "(none: one stage)",
  };
  const out = handlebars().compile(readTemplate(path.join(TEMPLATE_DIR, template)), { noEscape: true, strict: true })(context);
  return out.endsWith("\n") ? out : `${out}\n`;
}

/** One line saying how the build is made. */
export function buildSummary(model: Pick<PipelineModel, "build" | "settings">): string {
  const lang = LANGUAGE_NAMES[model.build.language];
  if (model.settings.artifact === "zip") return `${lang} zip from package_command`;
  return model.build.kind === "dockerfile" ? `image from the Dockerfile (${lang})` : `image from Cloud Native Buildpacks (${lang}, no Dockerfile)`;
}

/** `.github/workflows/protonkit-delivery.yml` without its ownership line. */
export function renderGithubWorkflow(model: PipelineModel): string {
  return render("github.yml.hbs", model);
}

/** `.gitlab-ci.yml` without its ownership line. */
export function renderGitlabCi(model: PipelineModel): string {
  return render("gitlab.yml.hbs", model);
}

/** `.protonkit/deploy.sh` without its ownership line. */
export function renderDeployScript(model: PipelineModel): string {
  return render("deploy.sh.hbs", model);
}

/** The starter `.protonkit/pipeline.yaml`, written once by `pipeline init`. */
export function renderSettingsFile(settings: PipelineSettings, buildSummaryLine: string): string {
  const compiled = handlebars().compile(readTemplate(path.join(TEMPLATE_DIR, "pipeline-settings.yaml.hbs")), { noEscape: true, strict: true });
  return compiled({ body: YAML.stringify(settings, { lineWidth: 0 }), build_summary: buildSummaryLine });
}
