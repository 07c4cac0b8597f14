import t from "tap";
import { validateProvisioningConfig } from "../../src/provision/config";
import PROVISIONING_CONFIG_SCHEMA from "../../src/provision/provisioning-config.schema.json";
import { AccountBootstrap } from "./stack";

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
