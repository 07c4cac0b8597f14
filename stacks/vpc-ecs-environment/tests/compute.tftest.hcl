# Compute promises of vpc-ecs-environment: cluster, namespace and the shared execution role.

mock_provider "aws" {
  source = "./tests/mocks/aws"

  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "210987654321"
    }
  }
}

run "cluster_namespace_and_roles" {
  command = apply

  variables {
    environment = {
      name = "pizza-staging"
      inputs = {
        tier               = "staging"
        vpc_cidr           = "10.20.0.0/16"
        az_count           = 2
        nat_mode           = "auto"
        flow_logs          = "auto"
        log_retention_days = "auto"
        container_insights = "enhanced"
        namespace_name     = ""
        vpc_endpoints      = "auto"
      }
    }
  }

  assert {
    condition     = aws_ecs_cluster.compute_cluster.name == "pizza-staging" && one([for s in aws_ecs_cluster.compute_cluster.setting : s.value if s.name == "containerInsights"]) == "enhanced"
    error_message = "the cluster is named after the environment and has Container Insights at the requested level"
  }
  assert {
    condition     = output.cluster_name == aws_ecs_cluster.compute_cluster.name && output.cluster_arn == aws_ecs_cluster.compute_cluster.arn
    error_message = "cluster outputs must name the cluster"
  }
  assert {
    condition     = aws_ecs_cluster_capacity_providers.compute_capacity_providers.cluster_name == aws_ecs_cluster.compute_cluster.name && contains(aws_ecs_cluster_capacity_providers.compute_capacity_providers.capacity_providers, "FARGATE")
    error_message = "the cluster must offer Fargate capacity"
  }
  assert {
    condition     = aws_service_discovery_private_dns_namespace.compute_namespace.vpc == aws_vpc.network_vpc.id && output.namespace_id == aws_service_discovery_private_dns_namespace.compute_namespace.id && output.namespace_name == "pizza-staging.internal"
    error_message = "the private DNS namespace must be attached to the VPC and published"
  }
  assert {
    condition     = aws_iam_role_policy_attachment.compute_task_execution_policy.role == aws_iam_role.compute_task_execution_role.name && aws_iam_role_policy_attachment.compute_task_execution_policy.policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    error_message = "the execution role must carry AmazonECSTaskExecutionRolePolicy"
  }
  assert {
    condition     = jsondecode(aws_iam_role.compute_task_execution_role.assume_role_policy).Statement[0].Principal.Service == "ecs-tasks.amazonaws.com" && output.task_execution_role_arn == aws_iam_role.compute_task_execution_role.arn
    error_message = "only ECS tasks may assume the execution role, and its ARN is published"
  }
  assert {
    condition     = output.log_retention_days == "30" && length(aws_flow_log.flow_logs_vpc) == 1 && output.nat_mode == "single"
    error_message = "staging keeps logs 30 days, has flow logs and a single NAT gateway"
  }
  assert {
    condition     = aws_default_security_group.network_default_security_group.vpc_id == aws_vpc.network_vpc.id && length(coalesce(aws_default_security_group.network_default_security_group.ingress, [])) == 0
    error_message = "the VPC's default security group must be managed and left without rules"
  }
}
