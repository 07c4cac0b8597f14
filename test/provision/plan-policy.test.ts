import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkPlan, globMatches, type PlanJson } from "../../src/provision/plan-policy";
import { loadSuppressions, parseSuppressions } from "../../src/provision/plan-policy-suppressions";
import { parseYamlText } from "../../src/support/yaml";
import { ProtonkitError } from "../../src/errors";
import type { TfObject } from "../../src/guardrails/terraform-json";
import { cli, tmp } from "./helpers";

const provider = {
  aws: { name: "aws", full_name: "registry.terraform.io/hashicorp/aws", expressions: { default_tags: [{ tags: { references: ["var.proton_tags"] } }] } },
};

function res(address: string, after: TfObject, afterUnknown: TfObject = {}, moduleAddress?: string) {
  const local = moduleAddress ? address.slice(moduleAddress.length + 1) : address;
  const [type, name] = local.split(".") as [string, string];
  return { address, ...(moduleAddress ? { module_address: moduleAddress } : {}), mode: "managed", type, name, change: { actions: ["create"], after, after_unknown: afterUnknown } };
}

function cfg(address: string, expressions: Record<string, unknown>) {
  const [type, name] = address.split(".") as [string, string];
  return { address, mode: "managed", type, name, expressions };
}

const ref = (...references: string[]) => ({ references });

/** A bucket with every companion the S3 rules want, referenced by `.id` (unknown until apply). */
const goodBucket: PlanJson = {
  resource_changes: [
    res("aws_s3_bucket.b", { bucket: "b" }, { id: true, arn: true }),
    res("aws_s3_bucket_public_access_block.b", { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }, { bucket: true }),
    res("aws_s3_bucket_server_side_encryption_configuration.b", { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "AES256" }] }] }, { bucket: true }),
    res("aws_s3_bucket_policy.b", {}, { bucket: true, policy: true }),
  ],
  configuration: {
    provider_config: provider,
    root_module: {
      resources: [
        cfg("aws_s3_bucket.b", { bucket: { constant_value: "b" } }),
        cfg("aws_s3_bucket_public_access_block.b", { bucket: ref("aws_s3_bucket.b.id", "aws_s3_bucket.b") }),
        cfg("aws_s3_bucket_server_side_encryption_configuration.b", { bucket: ref("aws_s3_bucket.b.id", "aws_s3_bucket.b") }),
        cfg("aws_s3_bucket_policy.b", {
          bucket: ref("aws_s3_bucket.b.id", "aws_s3_bucket.b"),
          policy: {
            constant_value: JSON.stringify({
              Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
            }),
          },
        }),
      ],
    },
  },
};

t.test("a bucket whose companions reference it by an unknown id passes", async (t) => {
  const r = checkPlan(goodBucket, "envs/dev/services/api/instances/web");
  t.same(r.violations, []);
});

t.test("violations name the rule, the address and the fix", async (t) => {
  const plan: PlanJson = {
    resource_changes: [
      res("aws_security_group.open", { ingress: [{ cidr_blocks: ["0.0.0.0/0"], ipv6_cidr_blocks: [], from_port: 22, to_port: 22, protocol: "tcp" }] }, { id: true }),
      res("aws_cloudwatch_log_group.l", { retention_in_days: 0 }),
      res("aws_db_instance.db", { publicly_accessible: true, storage_encrypted: true, deletion_protection: true }),
      res("aws_iam_policy.admin", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }),
      { address: "aws_s3_bucket.gone", mode: "managed", type: "aws_s3_bucket", name: "gone", change: { actions: ["delete"], after: null } },
    ],
    configuration: { provider_config: provider, root_module: { resources: [] } },
  };
  const r = checkPlan(plan, "d");
  t.same(
    r.violations.map((v) => [v.ruleId, v.address]),
    [
      ["PK-LOG-001", "aws_cloudwatch_log_group.l"],
      ["PK-DB-001", "aws_db_instance.db"],
      ["PK-IAM-001", "aws_iam_policy.admin"],
      ["PK-NET-001", "aws_security_group.open"],
    ],
    "a deleted bucket is not checked",
  );
  t.ok(r.violations.every((v) => v.fix.length > 0 && v.message.includes(v.address)));
});

t.test("a provider without Proton default tags and resources in a module", async (t) => {
  const plan: PlanJson = {
    resource_changes: [res("module.logs.aws_cloudwatch_log_group.l", { retention_in_days: 30 }, {}, "module.logs")],
    configuration: { provider_config: { aws: { name: "aws", expressions: { region: { constant_value: "us-east-1" } } } }, root_module: { module_calls: { logs: { module: { resources: [] } } } } },
  };
  const r = checkPlan(plan, "d");
  t.same(r.violations.map((v) => [v.ruleId, v.address]), [["PK-TAG-001", "provider[aws]"]]);
  t.match(r.violations[0]?.message, /module\.logs: aws provider: default_tags is missing/);
});

t.test("suppressions by address and by directory glob", async (t) => {
  const plan: PlanJson = {
    resource_changes: [res("aws_cloudwatch_log_group.audit", { retention_in_days: 0 }), res("aws_cloudwatch_log_group.other", { retention_in_days: 0 })],
    configuration: { provider_config: provider },
  };
  const byAddress = checkPlan(plan, "envs/prod/x", [{ rule: "PK-LOG-001", address: "aws_cloudwatch_log_group.audit", reason: "kept forever" }]);
  t.same(byAddress.violations.map((v) => v.address), ["aws_cloudwatch_log_group.other"]);
  t.same(byAddress.suppressed.map((v) => [v.address, v.reason]), [["aws_cloudwatch_log_group.audit", "kept forever"]]);
  const byDir = checkPlan(plan, "envs/prod/x", [{ rule: "PK-LOG-001", directory: "envs/prod/**", reason: "r" }]);
  t.same(byDir.violations, []);
  const otherDir = checkPlan(plan, "envs/dev/x", [{ rule: "PK-LOG-001", directory: "envs/prod/**", reason: "r" }]);
  t.equal(otherDir.violations.length, 2);
  const otherRule = checkPlan(plan, "envs/prod/x", [{ rule: "PK-NET-001", directory: "**", reason: "r" }]);
  t.equal(otherRule.violations.length, 2);
  t.ok(globMatches("envs/*/x", "envs/prod/x"));
  t.notOk(globMatches("envs/*", "envs/prod/x"));
});

t.test("the suppressions file is validated with file:line", async (t) => {
  const text = [
    "suppressions:",
    "  - rule: PK-LOG-001",
    "    address: aws_cloudwatch_log_group.audit",
    "    reason: audit logs are kept forever",
    "  - rule: PK-NOPE-1",
    "    directory: envs/**",
    "    reason: r",
    "  - rule: PK-NET-001",
    "    reason: r",
    "  - rule: PK-NET-001",
    "    address: aws_security_group.x",
    "    colour: red",
    "",
  ].join("\n");
  const { source } = parseYamlText(text, "policy.yaml", "policy suppressions file");
  if (!source) throw new Error("parse");
  const { suppressions, problems } = parseSuppressions(source);
  t.same(suppressions, [{ rule: "PK-LOG-001", reason: "audit logs are kept forever", address: "aws_cloudwatch_log_group.audit" }]);
  t.same(
    problems.map((p) => p.toString().replace(/ \(fix:.*$/, "")),
    [
      'policy.yaml:5: suppressions[1].rule: unknown rule "PK-NOPE-1"',
      "policy.yaml:8: suppressions[2]: address or directory is required",
      'policy.yaml:12: suppressions[3].colour: unknown key "colour"',
      "policy.yaml:10: suppressions[3]: reason is required",
    ],
  );
  const dir = tmp(t);
  const file = path.join(dir, "policy.yaml");
  fs.writeFileSync(file, text);
  t.throws(() => loadSuppressions(file), ProtonkitError);
  t.same(loadSuppressions(path.join(dir, "missing.yaml")), [], "a missing default file means no suppressions");
  t.throws(() => loadSuppressions(path.join(dir, "missing.yaml"), { required: true }), ProtonkitError);
});

t.test("provision policy: exit 1 on a violation, 0 when suppressed", async (t) => {
  const dir = tmp(t);
  const planFile = path.join(dir, "plan.json");
  fs.writeFileSync(planFile, JSON.stringify({ resource_changes: [res("aws_cloudwatch_log_group.l", { retention_in_days: 0 })], configuration: { provider_config: provider } }));
  const bad = await cli(["provision", "policy", "--plan-json", planFile, "--dir", "envs/dev/x", "--repo", dir]);
  t.equal(bad.code, 1, bad.stderr);
  t.match(bad.stdout, /PK-LOG-001.*aws_cloudwatch_log_group\.l.*Fix: Set retentionInDays/);
  fs.mkdirSync(path.join(dir, ".protonkit"));
  fs.writeFileSync(path.join(dir, ".protonkit/policy.yaml"), "suppressions:\n  - rule: PK-LOG-001\n    directory: envs/**\n    reason: kept\n");
  const ok = await cli(["provision", "policy", "--plan-json", planFile, "--dir", "envs/dev/x", "--repo", dir]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /no violations[\s\S]*suppressed PK-LOG-001/);
  fs.writeFileSync(path.join(dir, ".protonkit/policy.yaml"), "suppressions:\n  - rule: PK-LOG-001\n    directory: envs/**\n");
  const invalid = await cli(["provision", "policy", "--plan-json", planFile, "--dir", "envs/dev/x", "--repo", dir]);
  t.equal(invalid.code, 1);
  t.match(invalid.stderr, /policy\.yaml:2: suppressions\[0\]: reason is required/);
});
