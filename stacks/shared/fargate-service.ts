import { Fn, Op, TerraformCount, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { EcsService, EcsServiceLoadBalancer, EcsServiceServiceRegistries } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { InputRefs } from "../../src/authoring/refs";
import { expr, literal } from "../../src/authoring/refs";
import { ECS_DEPLOY_ACTIONS, ECS_READ_ACTIONS } from "./delivery";
import { endpointPath, importEndpoints, type EndpointOwner } from "./endpoints";
import { githubProviderArn, githubTrustPolicy, gitlabProviderArn, gitlabTrustPolicy, serviceTrustPolicy } from "./trust-policy";
import { FARGATE_MEMORY_FOR_CPU, webServiceInputs } from "./web-inputs";

/** The environment outputs a Fargate service needs (vpc-ecs-environment declares them all). */
export interface FargateEnvironment {
  /** `test`, `staging` or `production`: picks the `0`/`auto` defaults. */
  readonly tier: string;
  /** VPC of the tasks' security group. */
  readonly vpc_id: string;
  /** JSON-encoded list of the subnets the tasks run in. */
  readonly private_subnet_ids: string;
  /** Cluster the service runs in. */
  readonly cluster_arn: string;
  /** Cluster name, for the autoscaling target. */
  readonly cluster_name: string;
  /** The environment's shared execution role (image pulls, log writes). */
  readonly task_execution_role_arn: string;
  /** Log retention when the `log_retention_days` input is `auto`. */
  readonly log_retention_days: string;
}

/**
 * Instance outputs every Fargate web service declares, spread into the template's `outputs`
 * after its own (a template may reword one, keeping its place); {@link FargateWebService.setOutputs}
 * sets them all.
 */
export const fargateServiceOutputs = {
  ecs_service_name: "Name of the ECS service.",
  ecs_service_arn: "ARN of the ECS service (the pipeline's deploy role may update it).",
  task_role_arn: "IAM role of the application's tasks.",
  security_group_id: "Security group of the tasks.",
  log_group_name: "CloudWatch log group of the containers.",
  endpoint_parameter_path: "SSM path under which this instance publishes its endpoints (url).",
  deploy_role_arn:
    "Role the service's CI assumes to roll the service from another account: GitHub jobs of the service's repository in the GitHub environment named like this environment, or with scm gitlab, GitLab CI jobs of gitlab_project on gitlab_deploy_refs.",
} as const;

/** A template that declares {@link fargateServiceOutputs}: a web service template's `this`. */
export interface FargateServiceOutputSink {
  /** Sets a declared instance output. */
  output(name: keyof typeof fargateServiceOutputs, value: string): void;
}

/** What {@link FargateWebService} is built from. */
export interface FargateWebServiceProps {
  /** Environment, service and instance names (the template's `context`). */
  readonly owner: EndpointOwner & { readonly environmentAccountId: string };
  /** The template's instance inputs; must include every input of {@link webServiceInputs}. */
  readonly inputs: InputRefs<typeof webServiceInputs>;
  /** Outputs of the environment the instance runs in. */
  readonly environment: FargateEnvironment;
  /** Outputs of the directly defined component attached to the instance (`{}` when none). */
  readonly componentOutputs: Record<string, string>;
  /** A managed policy the component offers for the task role (`""` when none). */
  readonly componentPolicyArn: string;
  /**
   * Target group the service registers its tasks in (public web services).
   * @default no load balancer (and no health check grace period)
   */
  readonly loadBalancer?: { readonly targetGroupArn: string };
  /**
   * Cloud Map service the tasks register in (private web services).
   * @default no service registry
   */
  readonly serviceRegistryArn?: string;
  /** `owner/name` of the service's GitHub repository (`var.service.repository_id`). */
  readonly repository: string;
}

/** A web service template (its `this`): what {@link fargateServiceProps} reads. */
export interface FargateServiceTemplate {
  /** Names, account, repository and environment outputs of the instance. */
  readonly context: FargateWebServiceProps["owner"] & {
    readonly repository: { readonly id: string };
    readonly environmentOutputs: FargateEnvironment;
  };
  /** The instance inputs. */
  readonly inputs: InputRefs<typeof webServiceInputs>;
  /** Every output of the attached component. */
  componentOutputs(): Record<string, string>;
  /** One output of the attached component, `""` when none is attached. */
  componentOutput(name: string): string;
}

/**
 * The props of a {@link FargateWebService} that come from the template itself: its context,
 * inputs, environment, repository, and the attached component's outputs and `task_policy_arn`.
 * The template adds how traffic reaches the tasks.
 */
export function fargateServiceProps(template: FargateServiceTemplate): FargateWebServiceProps {
  const { context } = template;
  return {
    owner: context,
    inputs: template.inputs,
    environment: context.environmentOutputs,
    componentOutputs: template.componentOutputs(),
    componentPolicyArn: template.componentOutput("task_policy_arn"),
    repository: context.repository.id,
  };
}

/**
 * One HTTP container on Fargate in the environment's private subnets: log group, task role,
 * task definition (environment variables from the spec, the imported endpoints and the
 * attached component), ECS service with circuit-breaker rollback, CPU target-tracking
 * autoscaling and the tasks' security group. How traffic reaches the tasks (load balancer or
 * service discovery, and the matching ingress rules) is the template's part.
 */
export class FargateWebService extends Construct {
  /** `<service>-<instance>`: the ECS service, task family and role name stem. */
  readonly name: string;
  /** Security group of the tasks; templates add ingress rules to it. */
  readonly securityGroup: SecurityGroup;
  /** Log group of the containers, `/protonkit/<environment>/<service>/<instance>`. */
  readonly logGroup: CloudwatchLogGroup;
  /** Role of the application in the tasks; the component's policy is attached to it. */
  readonly taskRole: IamRole;
  /** The task definition (one container, {@link FargateWebService.CONTAINER}). */
  readonly taskDefinition: EcsTaskDefinition;
  /** The ECS service. */
  readonly service: EcsService;
  /**
   * Role the service's CI assumes in this environment's account to roll the service, since the
   * pipeline's role cannot do that across accounts: only UpdateService/DescribeServices on this
   * ECS service (and DescribeTaskDefinition, which has no resource). Who may assume it follows
   * the instance's `scm` input (an instance cannot read the pipeline's): with `github` (the
   * default), jobs of the service's repository running in the GitHub environment named like
   * this Proton environment (`environment: <name>`); with `gitlab`, GitLab CI jobs of
   * `gitlab_project` on `gitlab_deploy_refs` (default the `main` branch), through the GitLab
   * OIDC provider of `gitlab_url` in this account, audience `sts.amazonaws.com`. GitLab's token
   * subject names no environment, so GitLab's protected branches and protected environments
   * gate who deploys there.
   */
  readonly deployRole: IamRole;
  /** Name of the container in the task definition (load balancers and registries point at it). */
  static readonly CONTAINER = "app";
  private readonly owner: EndpointOwner;

  constructor(scope: Construct, id: string, props: FargateWebServiceProps) {
    super(scope, id);
    const { owner, inputs, environment: env } = props;
    this.owner = owner;
    this.name = `${owner.serviceName}-${owner.instanceName}`;
    const region = new DataAwsRegion(this, "region");
    const partition = new DataAwsPartition(this, "partition");

    // `0` / `auto` inputs resolve against the environment's tier once, here.
    const desired = new TerraformLocal(
      this,
      "desired_count",
      Fn.conditional(Op.eq(inputs.desired_count, literal(0)), Fn.conditional(Op.eq(env.tier, "production"), 2, 1), inputs.desired_count),
    );
    const minCount = new TerraformLocal(this, "min_count", Fn.conditional(Op.eq(inputs.min_count, literal(0)), desired.asNumber, inputs.min_count));
    const maxCount = new TerraformLocal(
      this,
      "max_count",
      Fn.conditional(Op.eq(inputs.max_count, literal(0)), Fn.max([Op.mul(desired.asNumber, 4), minCount.asNumber]), inputs.max_count),
    );
    const retention = Fn.conditional(Op.eq(inputs.log_retention_days, "auto"), Fn.tonumber(env.log_retention_days), Fn.tonumber(inputs.log_retention_days));

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/protonkit/${owner.environmentName}/${owner.serviceName}/${owner.instanceName}`,
      retentionInDays: retention,
    });

    this.securityGroup = new SecurityGroup(this, "tasks", {
      namePrefix: `${this.name}-`, // a prefix: create_before_destroy needs two at once
      description: `Tasks of ${this.name}`,
      vpcId: env.vpc_id,
      egress: [{ description: "Outbound: images, AWS APIs, imported services", fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
      lifecycle: { createBeforeDestroy: true },
    });

    this.taskRole = new IamRole(this, "task_role", {
      name: Fn.substr(`${this.name}-task`, 0, 64),
      description: `Role of the application in ${this.name}'s tasks; permissions come from the attached component.`,
      assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", owner.environmentAccountId),
    });
    new IamRolePolicyAttachment(this, "component_policy", {
      count: TerraformCount.of(Fn.conditional(Op.eq(props.componentPolicyArn, literal("")), 0, 1)),
      role: this.taskRole.name,
      policyArn: props.componentPolicyArn,
    });

    // Environment variables, later sources winning: the spec's, the component's outputs
    // (COMPONENT_<OUTPUT>), the imported endpoints, then the platform's own.
    const fromSpec = new TerraformLocal(this, "spec_environment", inputs.environment);
    const fromSpecMap = expr(`{ for kv in local.${fromSpec.friendlyUniqueId} : split("=", kv)[0] => join("=", slice(split("=", kv), 1, length(split("=", kv)))) }`);
    const fromComponent = new TerraformLocal(this, "component_outputs", props.componentOutputs);
    const fromComponentMap = expr(`{ for k, v in local.${fromComponent.friendlyUniqueId} : upper(replace(format("COMPONENT_%s", k), "/[^0-9A-Za-z]+/", "_")) => tostring(v) }`);
    const imported = importEndpoints(this, owner, inputs.imports);
    const variables = new TerraformLocal(
      this,
      "container_environment",
      Fn.merge([
        fromSpecMap,
        fromComponentMap,
        imported,
        {
          PORT: Fn.tostring(inputs.port),
          PROTONKIT_ENVIRONMENT: owner.environmentName,
          PROTONKIT_SERVICE: owner.serviceName,
          PROTONKIT_INSTANCE: owner.instanceName,
        },
      ]),
    );
    const variableList = expr(`[for k in sort(keys(local.${variables.friendlyUniqueId})) : { name = k, value = local.${variables.friendlyUniqueId}[k] }]`);

    const memoryForCpu = Object.fromEntries(Object.entries(FARGATE_MEMORY_FOR_CPU).map(([cpu, mem]) => [cpu, [...mem]]));
    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: this.name,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: inputs.cpu,
      memory: inputs.memory,
      executionRoleArn: env.task_execution_role_arn,
      taskRoleArn: this.taskRole.arn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: Fn.jsonencode([
        {
          name: FargateWebService.CONTAINER,
          image: inputs.image,
          essential: true,
          readonlyRootFilesystem: false,
          portMappings: [{ containerPort: inputs.port, protocol: "tcp", name: "http", appProtocol: "http" }],
          environment: variableList,
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": this.logGroup.name,
              "awslogs-region": region.name,
              "awslogs-stream-prefix": FargateWebService.CONTAINER,
            },
          },
        },
      ]),
      lifecycle: {
        precondition: [
          {
            condition: Fn.contains(Fn.lookup(memoryForCpu, inputs.cpu, []), inputs.memory),
            errorMessage: "Fargate does not offer this memory size for this CPU size: see the memory input's description for the valid pairs.",
          },
        ],
      },
    });

    this.service = new EcsService(this, "service", {
      name: this.name,
      cluster: env.cluster_arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: desired.asNumber,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: { subnets: Fn.jsondecode(env.private_subnet_ids), securityGroups: [this.securityGroup.id], assignPublicIp: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      loadBalancer: props.loadBalancer
        ? [{ targetGroupArn: props.loadBalancer.targetGroupArn, containerName: FargateWebService.CONTAINER, containerPort: inputs.port } satisfies EcsServiceLoadBalancer]
        : undefined,
      healthCheckGracePeriodSeconds: props.loadBalancer ? 60 : undefined,
      serviceRegistries: props.serviceRegistryArn ? ({ registryArn: props.serviceRegistryArn } satisfies EcsServiceServiceRegistries) : undefined,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      // A deployment fails (and Proton reports it) when tasks never become healthy.
      waitForSteadyState: true,
      lifecycle: {
        ignoreChanges: ["desired_count"], // autoscaling owns it after creation
        precondition: [
          {
            condition: Op.and(Op.lte(minCount.asNumber, desired.asNumber), Op.lte(desired.asNumber, maxCount.asNumber)),
            errorMessage: "Tasks must satisfy min_count <= desired_count <= max_count (0 means the default of each).",
          },
        ],
      },
    });

    // Who may roll the service from another account follows the instance's scm (GitHub by default).
    const gitlab = Op.eq(inputs.scm, "gitlab");
    const githubTrust = githubTrustPolicy({
      // The account bootstrap creates this provider in every environment account.
      provider: githubProviderArn(partition.partition, owner.environmentAccountId),
      subjects: Fn.format("repo:%s:environment:%s", [props.repository, owner.environmentName]),
    });
    const gitlabHost = new TerraformLocal(this, "gitlab_host", Fn.trimprefix(inputs.gitlab_url, "https://"));
    const gitlabProject = new TerraformLocal(this, "gitlab_project", inputs.gitlab_project);
    const gitlabRefs = new TerraformLocal(this, "gitlab_deploy_refs", inputs.gitlab_deploy_refs);
    const gitlabTrust = gitlabTrustPolicy({
      // Empty gitlab_oidc_provider_arn: the provider account-bootstrap creates for gitlab_url in this account.
      provider: Fn.coalesce([inputs.gitlab_oidc_provider_arn, gitlabProviderArn(partition.partition, owner.environmentAccountId, gitlabHost.asString)]),
      hostExpression: `local.${gitlabHost.friendlyUniqueId}`,
      subjectsExpression: `[for r in local.${gitlabRefs.friendlyUniqueId} : format("project_path:%s:%s", local.${gitlabProject.friendlyUniqueId}, r)]`,
    });
    this.deployRole = new IamRole(this, "deploy_role", {
      name: Fn.substr(`protonkit-${this.name}-deploy`, 0, 64),
      description: Fn.conditional(
        gitlab,
        `GitLab CI of ${inputs.gitlab_project} rolls ${this.name} (environment ${owner.environmentName}).`,
        `GitHub Actions of the service's repository roll ${this.name} (job environment ${owner.environmentName}).`,
      ),
      maxSessionDuration: 3600,
      assumeRolePolicy: Fn.conditional(gitlab, gitlabTrust, githubTrust),
      lifecycle: {
        precondition: [
          {
            condition: Op.or(Op.neq(inputs.scm, "gitlab"), Op.neq(inputs.gitlab_project, literal(""))),
            errorMessage: "The instance's scm is gitlab: set gitlab_project to the GitLab project path (group/project) whose CI deploys the service.",
          },
        ],
      },
    });
    new IamRolePolicy(this, "deploy_policy", {
      name: "roll-ecs-service",
      role: this.deployRole.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          { Sid: "RollThisService", Effect: "Allow", Action: [...ECS_DEPLOY_ACTIONS], Resource: this.service.id },
          // DescribeTaskDefinition has no resource-level permissions; the deploy script reads the running image with it.
          { Sid: "ReadTaskDefinitions", Effect: "Allow", Action: [...ECS_READ_ACTIONS], Resource: "*" },
        ],
      }),
    });

    const scaling = new AppautoscalingTarget(this, "scaling_target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${env.cluster_name}/${this.service.name}`,
      minCapacity: minCount.asNumber,
      maxCapacity: maxCount.asNumber,
    });
    new AppautoscalingPolicy(this, "cpu_scaling", {
      name: `${this.name}-cpu`,
      policyType: "TargetTrackingScaling",
      serviceNamespace: scaling.serviceNamespace,
      scalableDimension: scaling.scalableDimension,
      resourceId: scaling.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: inputs.cpu_target,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        scaleInCooldown: 120,
        scaleOutCooldown: 60,
      },
    });
  }

  /** Sets every output of {@link fargateServiceOutputs} on `template`. */
  setOutputs(template: FargateServiceOutputSink): void {
    template.output("ecs_service_name", this.service.name);
    template.output("ecs_service_arn", this.service.id);
    template.output("task_role_arn", this.taskRole.arn);
    template.output("security_group_id", this.securityGroup.id);
    template.output("log_group_name", this.logGroup.name);
    template.output("endpoint_parameter_path", endpointPath(this.owner));
    template.output("deploy_role_arn", this.deployRole.arn);
  }
}
