import { Fn } from "cdktf";
import { Construct } from "constructs";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { serviceTrustPolicy } from "../shared/trust-policy";

/** What {@link Compute} is built from; every value may be a Terraform expression. */
export interface ComputeProps {
  /** The environment's name: the cluster's name and the execution role's name stem. */
  readonly environmentName: string;
  /** ECS Container Insights level: `enabled` or `enhanced`. */
  readonly containerInsights: string;
  /** Domain of the private DNS namespace services register in. */
  readonly namespaceName: string;
  /** The VPC the namespace resolves in. */
  readonly vpcId: string;
  /** The environment's account: the only one ECS tasks may assume the execution role for. */
  readonly accountId: string;
  /** The account's partition (`aws`, `aws-cn`, ...), for the managed policy's ARN. */
  readonly partition: string;
}

/**
 * What the environment's services run on: an ECS cluster (Fargate and Fargate Spot, Fargate by
 * default), a private DNS namespace for service discovery, and the task execution role every
 * service shares (pulls images, writes container logs).
 */
export class Compute extends Construct {
  /** The ECS cluster. */
  readonly cluster: EcsCluster;
  /** The private DNS namespace. */
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  /** The shared task execution role. */
  readonly executionRole: IamRole;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const env = props.environmentName;
    this.cluster = new EcsCluster(this, "cluster", {
      name: env,
      setting: [{ name: "containerInsights", value: props.containerInsights }],
    });
    new EcsClusterCapacityProviders(this, "capacity_providers", {
      clusterName: this.cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
    });
    this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
      name: props.namespaceName,
      vpc: props.vpcId,
      description: `Service discovery for environment ${env}`,
    });
    this.executionRole = new IamRole(this, "task_execution_role", {
      name: Fn.substr(`${env}-ecs-task-execution`, 0, 64),
      description: "Shared ECS task execution role: pulls images and writes container logs for every service of the environment.",
      assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", props.accountId),
    });
    new IamRolePolicyAttachment(this, "task_execution_policy", {
      role: this.executionRole.name,
      policyArn: `arn:${props.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
    });
  }
}
