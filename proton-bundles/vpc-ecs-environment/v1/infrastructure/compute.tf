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

resource "aws_iam_role" "compute_team_access_role" {
  for_each = local.compute_team_access_teams
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect"    = "Allow"
        "Principal" = { "AWS" = each.value.principal }
        "Action"    = "sts:AssumeRole"
      },
    ]
  })
  description = "Read-only: logs of team ${each.key}'s services in ${var.environment.name}, and the account's metrics"
  name        = substr("${var.environment.name}-${each.key}-observer", 0, 64)
}

resource "aws_iam_role_policy" "compute_team_access_read" {
  for_each   = local.compute_team_access_teams
  depends_on = [aws_iam_role.compute_team_access_role]
  name       = "read-own-logs-and-metrics"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "ReadOwnServicesLogs"
        "Effect" = "Allow"
        "Action" = [
          "logs:DescribeLogStreams",
          "logs:FilterLogEvents",
          "logs:GetLogEvents",
          "logs:GetLogGroupFields",
          "logs:StartLiveTail",
          "logs:StartQuery",
        ]
        "Resource" = "arn:${data.aws_partition.partition.partition}:logs:${data.aws_region.region.name}:${data.aws_caller_identity.account.account_id}:log-group:*"
        "Condition" = {
          "StringLike" = {
            "aws:ResourceTag/proton:service" = formatlist(
              "arn:*:proton:*:*:service/%s",
              each.value.services,
            )
          }
        }
      },
      {
        "Sid"    = "ListLogGroupsAndOwnQueries"
        "Effect" = "Allow"
        "Action" = [
          "logs:DescribeLogGroups",
          "logs:DescribeQueries",
          "logs:GetQueryResults",
          "logs:StopQuery",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "ReadMetricsAccountWide"
        "Effect" = "Allow"
        "Action" = [
          "cloudwatch:DescribeAlarmHistory",
          "cloudwatch:DescribeAlarms",
          "cloudwatch:GetMetricData",
          "cloudwatch:GetMetricStatistics",
          "cloudwatch:GetMetricWidgetImage",
          "cloudwatch:ListMetrics",
        ]
        "Resource" = "*"
      },
    ]
  })
  role = substr("${var.environment.name}-${each.key}-observer", 0, 64)
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
