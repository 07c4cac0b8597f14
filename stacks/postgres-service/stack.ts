import { Fn, Op, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Input } from "../../src/authoring/inputs";
import { serviceTemplate } from "../../src/authoring/template";
import { AlarmTopic, alarmInputs, metricAlarm } from "../shared/alarms";
import { publishEndpoints } from "../shared/endpoints";
import { VpcEcsEnvironment } from "../vpc-ecs-environment/stack";

const POSTGRES_PORT = 5432;

/** Memory (GiB) of a db.t / db.m instance by size; db.r has twice, db.x four times as much. */
const MEMORY_GIB: Readonly<Record<string, number>> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
  "4xlarge": 64,
  "8xlarge": 128,
  "12xlarge": 192,
  "16xlarge": 256,
  "24xlarge": 384,
};

/**
 * An RDS for PostgreSQL instance per service instance, reachable only from inside the
 * environment's VPC: private subnets, storage encryption, the master password kept by RDS in
 * Secrets Manager, and deletion protection that production always has. Alarms on CPU, free
 * storage and connections notify an encrypted SNS topic. A data template: no pipeline.
 */
export class PostgresService extends serviceTemplate({
  name: "postgres-service",
  major: 1,
  displayName: "PostgreSQL database",
  description:
    "An RDS for PostgreSQL instance in the environment's private subnets: encrypted storage, master password managed " +
    "by RDS in Secrets Manager, Multi-AZ and backup retention by input, deletion protection always on in production, " +
    "never publicly accessible, port 5432 open to the VPC CIDR only. Alarms on CPU, free storage and connections notify " +
    "an encrypted SNS topic (e-mail and HTTPS subscriptions). Publishes endpoint, port, db_name and secret_arn.",
  compatibleEnvironments: [VpcEcsEnvironment],
  inputs: {
    engine_version: Input.enum(["17", "16", "15"], {
      title: "PostgreSQL major version",
      description: "Major version; RDS picks the newest minor and applies minor upgrades in the maintenance window.",
      default: "17",
    }),
    instance_class: Input.string({
      title: "Instance class",
      description: "RDS instance class, e.g. db.t4g.micro (test) or db.m7g.large (production).",
      default: "db.t4g.micro",
      pattern: "^db\\.[a-z0-9]+\\.[a-z0-9]+$",
    }),
    allocated_storage: Input.integer({ title: "Storage (GiB)", description: "Initial gp3 storage.", default: 20, minimum: 20, maximum: 65536 }),
    max_allocated_storage: Input.integer({
      title: "Storage autoscaling limit (GiB)",
      description: "RDS grows storage up to this size; 0 turns autoscaling off.",
      default: 100,
      minimum: 0,
      maximum: 65536,
    }),
    db_name: Input.string({ title: "Database name", description: "Database created on the instance.", default: "app", pattern: "^[A-Za-z][A-Za-z0-9_]{0,62}$" }),
    master_username: Input.string({
      title: "Master user name",
      description: "Name of the master user; RDS generates its password and keeps it in Secrets Manager.",
      default: "dbadmin",
      pattern: "^[A-Za-z][A-Za-z0-9_]{0,15}$",
    }),
    multi_az: Input.boolean({ title: "Multi-AZ", description: "A synchronous standby in a second zone, with automatic failover.", default: false }),
    backup_retention_days: Input.integer({
      title: "Backup retention (days)",
      description: "Automated backups and point-in-time restore window.",
      default: 7,
      minimum: 1,
      maximum: 35,
    }),
    deletion_protection: Input.boolean({
      title: "Deletion protection",
      description: "Refuse to delete the database. Always on in production environments; this can only turn it on elsewhere.",
      default: false,
    }),
    ...alarmInputs,
    alarm_cpu_percent: Input.integer({
      title: "CPU alarm (%)",
      description: "Average CPU utilization that raises an alarm when it holds for 15 minutes.",
      default: 80,
      minimum: 1,
      maximum: 100,
    }),
    alarm_free_storage_percent: Input.integer({
      title: "Free storage alarm (% of allocated_storage)",
      description: "Free storage, as a share of allocated_storage, below which an alarm is raised.",
      default: 10,
      minimum: 1,
      maximum: 90,
    }),
    alarm_connections: Input.integer({
      title: "Connections alarm",
      description:
        "Open connections that raise an alarm when they hold for 10 minutes; 0 means 80% of the default max_connections of the instance class's memory (db.t/db.m by size, db.r twice, db.x four times that).",
      default: 0,
      minimum: 0,
      maximum: 100000,
    }),
  },
  outputs: {
    endpoint: "Host name of the database.",
    port: "Port of the database.",
    db_name: "Name of the database.",
    secret_arn: "ARN of the Secrets Manager secret holding the master user's credentials.",
    security_group_id: "Security group of the database.",
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, context } = this;
    const env = context.environmentOutputs;
    // RDS identifiers: lowercase letters, digits and hyphens, at most 63, starting with a letter.
    const identifier = new TerraformLocal(
      this.instance,
      "identifier",
      Fn.substr(Fn.lower(Fn.replace(Fn.join("-", ["pg", context.serviceName, context.instanceName]), "/[^0-9A-Za-z]+/", "-")), 0, 63),
    ).asString;
    // Production data is protected whatever the spec says; the input can only add protection.
    const protect = Op.or(Op.eq(env.tier, "production"), inputs.deletion_protection);

    const network = new Construct(this.instance, "network");
    const subnets = new DbSubnetGroup(network, "subnets", {
      name: identifier,
      description: `Private subnets of ${context.environmentName}`,
      subnetIds: Fn.jsondecode(env.private_subnet_ids),
    });
    // Rules as their own resources; no egress rule: the database opens no connections, and
    // Terraform removes AWS's default allow-all egress rule from new groups.
    const sg = new SecurityGroup(network, "database", {
      name: identifier,
      description: `PostgreSQL ${context.serviceName}/${context.instanceName}: port ${POSTGRES_PORT} from the VPC only`,
      vpcId: env.vpc_id,
    });
    new VpcSecurityGroupIngressRule(network, "postgres_from_vpc", {
      securityGroupId: sg.id,
      description: "PostgreSQL from the VPC",
      ipProtocol: "tcp",
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      cidrIpv4: env.vpc_cidr,
    });

    const db = new DbInstance(this.instance, "database", {
      identifier,
      engine: "postgres",
      engineVersion: inputs.engine_version,
      autoMinorVersionUpgrade: true,
      instanceClass: inputs.instance_class,
      storageType: "gp3",
      allocatedStorage: inputs.allocated_storage,
      maxAllocatedStorage: inputs.max_allocated_storage,
      storageEncrypted: true,
      dbName: inputs.db_name,
      username: inputs.master_username,
      manageMasterUserPassword: true,
      iamDatabaseAuthenticationEnabled: true,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [sg.id],
      publiclyAccessible: false,
      multiAz: inputs.multi_az,
      backupRetentionPeriod: inputs.backup_retention_days,
      copyTagsToSnapshot: true,
      deletionProtection: protect,
      // A protected database leaves a final snapshot when it is finally destroyed.
      skipFinalSnapshot: Op.not(protect),
      finalSnapshotIdentifier: `${identifier}-final`,
    });

    // ------------------------------------------------------------------------- alarms
    const alarms = new AlarmTopic(this.instance, "alarms", { name: `${identifier}-alarms`, emails: inputs.alarm_emails, httpsEndpoints: inputs.alarm_https_endpoints });
    const dimensions = { DBInstanceIdentifier: db.identifier };
    metricAlarm(alarms, "cpu", alarms, {
      name: `${identifier}-CPUUtilization`,
      description: `CPU of ${identifier} high for 15 minutes: look at slow queries (Performance Insights) or a larger instance_class.`,
      namespace: "AWS/RDS",
      metricName: "CPUUtilization",
      dimensions,
      statistic: "Average",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: inputs.alarm_cpu_percent,
      periods: 3,
    });
    metricAlarm(alarms, "free_storage", alarms, {
      name: `${identifier}-FreeStorageSpace`,
      description: `Free storage of ${identifier} low: raise allocated_storage or max_allocated_storage, or delete data.`,
      namespace: "AWS/RDS",
      metricName: "FreeStorageSpace",
      dimensions,
      statistic: "Minimum",
      comparison: "LessThanThreshold",
      // Bytes: the share of the allocated GiB.
      threshold: Token.asNumber(Fn.floor(Op.div(Op.mul(Op.mul(inputs.allocated_storage, 1073741824), inputs.alarm_free_storage_percent), 100))),
    });
    // RDS's default max_connections is LEAST(memory in bytes / 9531392, 5000).
    const classParts = Fn.split(".", inputs.instance_class);
    const family = Fn.substr(Fn.element(classParts, 1), 0, 1);
    const memoryGib = Op.mul(Fn.lookup(MEMORY_GIB, Fn.element(classParts, 2), 8), Fn.lookup({ r: 2, x: 4 }, family, 1));
    const connections = new TerraformLocal(
      alarms,
      "connections_threshold",
      Fn.conditional(Op.lt(0, inputs.alarm_connections), inputs.alarm_connections, Fn.floor(Op.mul(Fn.min([Op.div(Op.mul(memoryGib, 1073741824), 9531392), 5000]), 0.8))),
    );
    metricAlarm(alarms, "connections", alarms, {
      name: `${identifier}-DatabaseConnections`,
      description: `Connections to ${identifier} near max_connections: look for connection leaks, or pool connections (RDS Proxy).`,
      namespace: "AWS/RDS",
      metricName: "DatabaseConnections",
      dimensions,
      statistic: "Maximum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: connections.asNumber,
      periods: 2,
    });

    // RDS creates the secret because of manage_master_user_password.
    const secretArn = db.masterUserSecret.get(0).secretArn;
    publishEndpoints(this.instance, context, {
      endpoint: db.address,
      port: Fn.tostring(db.port),
      db_name: db.dbName,
      secret_arn: secretArn,
    });
    this.output("endpoint", db.address);
    this.output("port", db.port);
    this.output("db_name", db.dbName);
    this.output("secret_arn", secretArn);
    this.output("security_group_id", sg.id);
  }
}
