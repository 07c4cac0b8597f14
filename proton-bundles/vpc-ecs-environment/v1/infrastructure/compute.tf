resource "aws_ecs_cluster" "compute_cluster" {
  name = var.environment.name

  setting {
    name  = "containerInsights"
    value = var.environment.inputs.container_insights
  }
}

resource "aws_ecs_cluster_capacity_providers" "compute_capacity_providers" {
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
  cluster_name       = aws_ecs_cluster.compute_cluster.name

  default_capacity_provider_strategy {
    base              = 0
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_iam_role" "compute_task_execution_role" {
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect"    = "Allow"
        "Principal" = { "Service" = "ecs-tasks.amazonaws.com" }
        "Action"    = "sts:AssumeRole"
        "Condition" = {
          "StringEquals" = { "aws:SourceAccount" = data.aws_caller_identity.account.account_id }
        }
      },
    ]
  })
  description = "Shared ECS task execution role: pulls images and writes container logs for every service of the environment."
  name        = substr("${var.environment.name}-ecs-task-execution", 0, 64)
}

resource "aws_iam_role_policy_attachment" "compute_task_execution_policy" {
  policy_arn = "arn:${data.aws_partition.partition.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
  role       = aws_iam_role.compute_task_execution_role.name
}

resource "aws_service_discovery_private_dns_namespace" "compute_namespace" {
  description = "Service discovery for environment ${var.environment.name}"
  name        = local.namespace_name
  vpc         = aws_vpc.network_vpc.id
}
