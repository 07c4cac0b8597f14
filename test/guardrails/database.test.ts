import t from "tap";
import { Fn, Op, Token, ref } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RULES, checkGuardrails } from "../../src/guardrails";
import { guardrailFailure, newStack } from "./fixtures/stacks";

const fixOf = (id: string): string => RULES.find((r) => r.id === id)?.fix ?? "";
const production = Fn.conditional(Op.eq(ref("var.environment.inputs.tier"), "production"), true, false);

t.test("safe databases pass: encrypted, private, deletion protection literal or production expression", async (t) => {
  const { stack } = newStack();
  new DbInstance(stack, "literal", {
    instanceClass: "db.t4g.micro",
    engine: "postgres",
    storageEncrypted: true,
    publiclyAccessible: false,
    deletionProtection: true,
  });
  new DbInstance(stack, "byTier", {
    instanceClass: "db.t4g.micro",
    engine: "postgres",
    storageEncrypted: true,
    deletionProtection: Token.asAny(production),
  });
  const cluster = new RdsCluster(stack, "aurora", {
    engine: "aurora-postgresql",
    storageEncrypted: true,
    deletionProtection: Token.asAny(Fn.lookup(ref("var.environment.inputs"), "protect", true)),
  });
  new RdsClusterInstance(stack, "aurora-1", {
    clusterIdentifier: cluster.id,
    instanceClass: "db.r6g.large",
    engine: "aurora-postgresql",
  });
  t.same(checkGuardrails(stack), []);
});

t.test("PK-DB-001 fires on a publicly accessible database (literal true or expression)", async (t) => {
  const { stack } = newStack();
  new DbInstance(stack, "public", {
    instanceClass: "db.t4g.micro",
    storageEncrypted: true,
    deletionProtection: true,
    publiclyAccessible: true,
  });
  new RdsClusterInstance(stack, "member", {
    clusterIdentifier: "c",
    instanceClass: "db.r6g.large",
    engine: "aurora-postgresql",
    publiclyAccessible: Token.asAny(ref("var.service_instance.inputs.public")),
  });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-DB-001");
  t.match(err.message, "tpl/public");
  t.match(err.message, "aws_db_instance.public: publicly_accessible is true");
  t.ok(err.message.includes(fixOf("PK-DB-001")), "names the fix");
  t.same(
    checkGuardrails(stack).map((v) => [v.ruleId, v.path]),
    [
      ["PK-DB-001", "tpl/member"],
      ["PK-DB-001", "tpl/public"],
    ],
  );
});

t.test("PK-DB-002 fires on unencrypted storage (absent or false)", async (t) => {
  const { stack } = newStack();
  new DbInstance(stack, "plain", { instanceClass: "db.t4g.micro", deletionProtection: true });
  new RdsCluster(stack, "cluster", { engine: "aurora-mysql", storageEncrypted: false, deletionProtection: true });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-DB-002");
  t.match(err.message, "tpl/plain");
  t.match(err.message, "aws_db_instance.plain: storage_encrypted is absent; it must be true");
  t.match(err.message, "aws_rds_cluster.cluster: storage_encrypted is false");
  t.ok(err.message.includes(fixOf("PK-DB-002")), "names the fix");
  t.same(
    checkGuardrails(stack).map((v) => v.ruleId),
    ["PK-DB-002", "PK-DB-002"],
  );
});

t.test("PK-DB-003 fires on literal false or absent deletion protection, not on an expression", async (t) => {
  const { stack } = newStack();
  new DbInstance(stack, "off", { instanceClass: "db.t4g.micro", storageEncrypted: true, deletionProtection: false });
  new RdsCluster(stack, "unset", { engine: "aurora-postgresql", storageEncrypted: true });
  new RdsCluster(stack, "expr", {
    engine: "aurora-postgresql",
    storageEncrypted: true,
    deletionProtection: Token.asAny(production),
  });
  const err = guardrailFailure(stack);
  t.match(err.message, "PK-DB-003");
  t.match(err.message, "tpl/off");
  t.match(err.message, "aws_db_instance.off: deletion_protection is false");
  t.ok(err.message.includes(fixOf("PK-DB-003")), "names the fix");
  t.same(
    checkGuardrails(stack).map((v) => [v.ruleId, v.path]),
    [
      ["PK-DB-003", "tpl/off"],
      ["PK-DB-003", "tpl/unset"],
    ],
  );
});
