import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { ProtonkitError } from "../../src/errors";
import {
  PROVISIONING_CONFIG_SCHEMA,
  PROVISIONING_CONFIG_SCHEMA_PATH,
  loadProvisioningConfig,
  parseProvisioningConfig,
  resolveEnvironmentConfig,
  validateProvisioningConfig,
} from "../../src/provision/config";
import { CONFIG, tmp } from "./helpers";

const FILE = ".protonkit/provisioning.yaml";

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtonkitError) return err.problems.map((p) => p.toString());
    throw err;
  }
  throw new Error("expected a ProtonkitError");
}

t.test("a valid file loads with defaults filled in", async (t) => {
  const c = parseProvisioningConfig(CONFIG, FILE);
  t.equal(c.reporting, "proton");
  t.equal(c.report_sensitive_outputs, false);
  t.equal(c.terraform_version, "1.11.4");
  t.same(Object.keys(c.environments).sort(), ["*", "prod"]);
  const min = parseProvisioningConfig(
    "version: 1\nenvironments:\n  dev:\n    plan_role_arn: arn:aws:iam::123456789012:role/p\n    apply_role_arn: arn:aws:iam::123456789012:role/a\n    region: eu-central-1\n    state_bucket: b-dev\n",
    FILE,
  );
  t.equal(min.reporting, "proton");
  t.equal(min.environments.dev.lock_table, undefined);
});

t.test("problems name the file, the line, the key and the fix", async (t) => {
  const bad = [
    "version: 1",
    "environments:",
    "  prod:",
    "    plan_role_arn: arn:aws:iam::123456789012:role/p",
    "    apply_role_arn: not-an-arn",
    "    region: Europe",
    "    regoin: eu-west-1",
    "    state_bucket: acme",
    "reporting: gitt",
    "",
  ].join("\n");
  const ps = problems(() => parseProvisioningConfig(bad, FILE));
  t.ok(ps.some((p) => p.startsWith(`${FILE}:5: environments.prod.apply_role_arn: must match`) && p.includes("fix:")), ps.join("\n"));
  t.ok(ps.some((p) => p.startsWith(`${FILE}:6: environments.prod.region: must match`)));
  t.ok(ps.some((p) => p.startsWith(`${FILE}:7: environments.prod.regoin: unknown key`) && p.includes("region")));
  t.ok(ps.some((p) => p.startsWith(`${FILE}:9: reporting: must be one of "proton", "git", "none"`)));
  t.equal(ps.length, 4, "every problem reported once, together");
});

t.test("missing keys, wrong version, bad environment names, invalid YAML", async (t) => {
  let ps = problems(() => parseProvisioningConfig("version: 2\nenvironments:\n  prod: {}\n", FILE));
  t.ok(ps.some((p) => p.includes("version: must be 1")));
  for (const k of ["plan_role_arn", "apply_role_arn", "region", "state_bucket"]) {
    t.ok(ps.some((p) => p.includes(`environments.prod.${k}: is required`)), k);
  }
  ps = problems(() => parseProvisioningConfig("version: 1\nenvironments: {}\n", FILE));
  t.ok(ps.some((p) => p.includes("environments: needs at least one entry")));
  ps = problems(() => parseProvisioningConfig("version: 1\n", FILE));
  t.ok(ps.some((p) => p.includes("environments: is required")));
  ps = problems(() =>
    parseProvisioningConfig(
      'version: 1\nenvironments:\n  "bad name":\n    plan_role_arn: arn:aws:iam::123456789012:role/p\n    apply_role_arn: arn:aws:iam::123456789012:role/a\n    region: eu-west-1\n    state_bucket: bucket\n',
      FILE,
    ),
  );
  t.same(ps, [`${FILE}:3: environments.bad name: is not a valid environment name (fix: use the Proton environment name (letters, digits, "_" and "-") or "*")`]);
  ps = problems(() => parseProvisioningConfig("version: 1\nenvironments: [\n", FILE));
  t.match(ps[0], /^\.protonkit\/provisioning\.yaml:\d+: not valid YAML/);
  ps = problems(() => validateProvisioningConfig(null, "x.yaml"));
  t.match(ps[0], /^x\.yaml: \(top level\): must be object/);
  ps = problems(() => parseProvisioningConfig(CONFIG.replace("state_key_prefix: proton", "state_key_prefix: /proton/"), FILE));
  t.match(ps[0], /environments\.prod\.state_key_prefix: must match .*fix: remove the leading and trailing/);
});

t.test("loading a missing file says how to create it", async (t) => {
  const dir = tmp(t);
  const ps = problems(() => loadProvisioningConfig(path.join(dir, "nope.yaml"), FILE));
  t.match(ps[0], /^\.protonkit\/provisioning\.yaml: cannot read the provisioning configuration \(ENOENT\)/);
});

t.test("resolveEnvironmentConfig: exact entry, '*' fallback, clear error without either", async (t) => {
  const c = parseProvisioningConfig(CONFIG, FILE);
  t.equal(resolveEnvironmentConfig(c, "prod").state_bucket, "acme-tfstate-prod");
  t.equal(resolveEnvironmentConfig(c, "prod").matched, "prod");
  t.equal(resolveEnvironmentConfig(c, "staging").matched, "*");
  t.equal(resolveEnvironmentConfig(c, "staging").region, "us-west-2");
  t.equal(resolveEnvironmentConfig(c, "").matched, "*", "pipelines use '*'");
  const noStar = parseProvisioningConfig(CONFIG.replace(/ {2}"\*":[\s\S]*?reporting/, "reporting"), FILE);
  const ps = problems(() => resolveEnvironmentConfig(noStar, "staging"));
  t.same(ps, [
    `${FILE}: environments.staging: no entry for environment "staging" and no "*" fallback (entries: prod) (fix: add environments.staging (plan_role_arn, apply_role_arn, region, state_bucket) or a "*" entry)`,
  ]);
});

t.test("the schema file on disk is the exported schema, and it validates the example", async (t) => {
  t.same(JSON.parse(fs.readFileSync(PROVISIONING_CONFIG_SCHEMA_PATH, "utf8")), PROVISIONING_CONFIG_SCHEMA);
  const ajv = new Ajv({ strict: true });
  const validate = ajv.compile(PROVISIONING_CONFIG_SCHEMA);
  t.ok(validate(JSON.parse(JSON.stringify((await import("yaml")).parse(CONFIG)))));
});
