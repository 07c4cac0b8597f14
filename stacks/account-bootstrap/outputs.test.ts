import t from "tap";
import { validateProvisioningConfig } from "../../src/provision/config";
import PROVISIONING_CONFIG_SCHEMA from "../../src/provision/provisioning-config.schema.json";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVISION_JOBS_FILE } from "../../generators/workflow/render";
import { githubEnvironments } from "../../src/provision/detect";
import { AccountBootstrap } from "./stack";
import { AccountBootstrapV2, JOBS_WORKFLOW } from "./v2";

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
  t.same(v2, ["apply_role_arns", "oidc_subject_claim_keys", "plan_role_arns", "region", "state_bucket"]);
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
