import t from "tap";
import { validateProvisioningConfig } from "../../src/provision/config";
import PROVISIONING_CONFIG_SCHEMA from "../../src/provision/provisioning-config.schema.json";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVISION_JOBS_FILE } from "../../generators/workflow/render";
import { githubEnvironments } from "../../src/provision/detect";
import { AccountBootstrap } from "./stack";
import { resolveEnvironmentConfig } from "../../src/provision/config";
import { AccountBootstrapV2, JOBS_WORKFLOW, PIPELINES_APPLY_ENVIRONMENT, PIPELINES_PLAN_ENVIRONMENT } from "./v2";

// The bootstrap's outputs must be, one to one, an environments entry of
// .protonkit/provisioning.yaml: an admin copies them over after `terraform apply`.
const entry = PROVISIONING_CONFIG_SCHEMA.definitions.environment;
const outputs = Object.keys(AccountBootstrap.definition.outputs).sort();

t.test("every output is a key of a provisioning.yaml environment entry", async (t) => {
  const keys = Object.keys(entry.properties);
  for (const name of outputs) t.ok(keys.includes(name), `${name} is a provisioning.yaml environment key`);
});

t.test("every required key of an environment entry is an output", async (t) => {
  t.same(outputs, [...entry.required].sort());
});

t.test("outputs shaped like an apply's values make a valid configuration", async (t) => {
  const values: Record<string, string> = {
    plan_role_arn: "arn:aws:iam::123456789012:role/protonkit-plan",
    apply_role_arn: "arn:aws:iam::123456789012:role/protonkit-apply",
    region: "eu-west-1",
    state_bucket: "protonkit-tfstate-123456789012-eu-west-1",
  };
  t.same(Object.keys(values).sort(), outputs, "the sample covers every output");
  const config = validateProvisioningConfig({ version: 1, environments: { prod: values } }, "provisioning.yaml");
  t.same(config.environments.prod, values);
});

// Version 2: one role pair per environment. Its outputs, once decoded, give one environments
// entry per Proton environment, with that environment's own roles (the "*" entry cannot make
// one role serve several environments).
t.test("v2: the outputs fill one entry per environment, each with its own roles", async (t) => {
  const v2 = Object.keys(AccountBootstrapV2.definition.outputs).sort();
  t.same(v2, ["apply_role_arns", "gitlab_oidc_provider_arn", "oidc_subject_claim_keys", "pipeline_apply_role_arn", "pipeline_plan_role_arn", "plan_role_arns", "region", "state_bucket"]);
  const values = {
    plan_role_arns: JSON.stringify({ staging: "arn:aws:iam::123456789012:role/protonkit-plan-staging", production: "arn:aws:iam::123456789012:role/protonkit-plan-production" }),
    apply_role_arns: JSON.stringify({ staging: "arn:aws:iam::123456789012:role/protonkit-apply-staging", production: "arn:aws:iam::123456789012:role/protonkit-apply-production" }),
    region: "eu-west-1",
    state_bucket: "protonkit-tfstate-123456789012-eu-west-1",
  };
  const plan = JSON.parse(values.plan_role_arns) as Record<string, string>;
  const apply = JSON.parse(values.apply_role_arns) as Record<string, string>;
  const environments: Record<string, Record<string, string>> = {};
  for (const env of Object.keys(plan)) {
    environments[env] = { plan_role_arn: plan[env], apply_role_arn: apply[env], region: values.region, state_bucket: values.state_bucket };
  }
  const config = validateProvisioningConfig({ version: 1, environments }, "provisioning.yaml");
  t.equal(config.environments.staging.plan_role_arn, plan.staging);
  t.not(config.environments.staging.apply_role_arn, config.environments.production.apply_role_arn, "no role serves two environments");
  for (const key of Object.keys(environments.staging)) t.ok(Object.keys(entry.properties).includes(key), `${key} is a configuration key`);
});

t.test("v2: roles trust the generated reusable workflow at main, in the GitHub environments detect names", async (t) => {
  t.equal(JOBS_WORKFLOW, `.github/workflows/${PROVISION_JOBS_FILE}`, "the file the roles trust is the file the generator writes");
  t.same(githubEnvironments("production"), { plan_environment: "protonkit-plan-production", apply_environment: "production" });
  const roles = fs.readFileSync(path.join(__dirname, "../../proton-bundles/account-bootstrap/v2/infrastructure/roles.tf"), "utf8");
  t.match(roles, /"repo:%s:environment:%s:job_workflow_ref:%s"/);
  t.match(roles, /format\("protonkit-plan-%s", each\.value\)|"protonkit-plan-%s"/, "plan roles trust protonkit-plan-<environment>");
  t.notMatch(roles, /:pull_request"|ref:refs\/heads\/%s"\s*\]/, "no pull_request or bare branch subject");
  t.notMatch(roles, /"s3:PutObject"|"s3:DeleteObject"/, "plan roles write no lock");
});

// Version 2.1: pipelines (<service>/pipeline) belong to no environment. Their roles fill the
// "*" entry, which is what a pipeline resolves to; the environments keep their own entries, and
// the GitHub environments the pipeline roles trust are the ones detect gives pipelines.
t.test("v2.1: the pipeline roles fill the \"*\" entry, trusted from the GitHub environments detect gives pipelines", async (t) => {
  const values = {
    plan_role_arns: JSON.stringify({ test: "arn:aws:iam::123456789012:role/protonkit-plan-test" }),
    apply_role_arns: JSON.stringify({ test: "arn:aws:iam::123456789012:role/protonkit-apply-test" }),
    pipeline_plan_role_arn: "arn:aws:iam::123456789012:role/protonkit-plan-pipelines",
    pipeline_apply_role_arn: "arn:aws:iam::123456789012:role/protonkit-apply-pipelines",
    region: "eu-west-1",
    state_bucket: "protonkit-tfstate-123456789012-eu-west-1",
  };
  const shared = { region: values.region, state_bucket: values.state_bucket };
  const environments: Record<string, Record<string, string>> = {
    "*": { plan_role_arn: values.pipeline_plan_role_arn, apply_role_arn: values.pipeline_apply_role_arn, ...shared },
  };
  const plan = JSON.parse(values.plan_role_arns) as Record<string, string>;
  const apply = JSON.parse(values.apply_role_arns) as Record<string, string>;
  for (const env of Object.keys(plan)) environments[env] = { plan_role_arn: plan[env], apply_role_arn: apply[env], ...shared };
  const config = validateProvisioningConfig({ version: 1, environments }, "platform.yaml");

  const pipeline = resolveEnvironmentConfig(config, "");
  t.equal(pipeline.matched, "*", "a pipeline (environment \"\") resolves to the \"*\" entry");
  t.equal(pipeline.plan_role_arn, values.pipeline_plan_role_arn);
  t.equal(pipeline.apply_role_arn, values.pipeline_apply_role_arn);
  t.equal(resolveEnvironmentConfig(config, "test").apply_role_arn, apply.test, "an environment keeps its own roles");
  t.same(githubEnvironments(""), { plan_environment: PIPELINES_PLAN_ENVIRONMENT, apply_environment: PIPELINES_APPLY_ENVIRONMENT }, "the roles trust the GitHub environments detect names for pipelines");

  const roles = fs.readFileSync(path.join(__dirname, "../../proton-bundles/account-bootstrap/v2/infrastructure/pipelines.tf"), "utf8");
  t.match(roles, new RegExp(`"${PIPELINES_PLAN_ENVIRONMENT}"`), "the plan role trusts protonkit-plan-pipelines");
  t.match(roles, new RegExp(`"${PIPELINES_APPLY_ENVIRONMENT}"`), "the apply role trusts protonkit-pipelines");
  t.match(roles, /"repo:%s:environment:%s:job_workflow_ref:%s"/, "through the reusable workflow at main, as the environment roles");
  t.match(roles, /"%s\/%s\*\/pipeline\/\*"/, "the plan role reads objects under <prefix><service>/pipeline/ only");
  t.notMatch(roles, /"s3:PutObject"|"s3:DeleteObject"/, "the plan role writes no lock");
  const security = fs.readFileSync(path.join(__dirname, "../../docs/SECURITY.md"), "utf8");
  for (const env of [PIPELINES_PLAN_ENVIRONMENT, PIPELINES_APPLY_ENVIRONMENT]) {
    t.ok(security.includes(`repo:<repository>:environment:${env}:job_workflow_ref:<repository>/${JOBS_WORKFLOW}@refs/heads/<main>`), `docs/SECURITY.md states the ${env} subject`);
  }

  const pipelineRoleOutputs = Object.keys(AccountBootstrapV2.definition.outputs).filter((o) => o.startsWith("pipeline_"));
  t.same(pipelineRoleOutputs.map((o) => o.replace(/^pipeline_/, "")).sort(), ["apply_role_arn", "plan_role_arn"], "the pipeline outputs are the \"*\" entry's role keys");
});

t.test("v2.1: GitLab's provider accepts the audience the generated .gitlab-ci.yml asks for", async (t) => {
  const gitlab = fs.readFileSync(path.join(__dirname, "../../proton-bundles/account-bootstrap/v2/infrastructure/gitlab.tf"), "utf8");
  const ci = fs.readFileSync(path.join(__dirname, "../../templates/pipelines/gitlab.yml.hbs"), "utf8");
  const aud = /aud:\s*(\S+)/.exec(ci)?.[1];
  t.equal(aud, "sts.amazonaws.com");
  t.match(gitlab, new RegExp(`"${(aud ?? "").replace(/\./g, "\\.")}"`), "the provider lists it as a client ID");
});
