data "aws_caller_identity" "service_alarms_account" {}

data "aws_partition" "service_alarms_partition" {}

data "aws_partition" "service_partition" {}

data "aws_region" "service_region" {}

data "aws_ssm_parameters_by_path" "service_imports" {
  for_each  = toset(var.service_instance.inputs.imports)
  path      = "/protonkit/${var.environment.name}/${element(split("=", each.value), 0)}"
  recursive = false

  lifecycle {
    postcondition {
      condition     = length(self.names) > 0
      error_message = "An imported instance published no endpoints under /protonkit/<environment>/<service>/<instance>: check the imports input and deploy the imported instance first."
    }
  }
}

resource "aws_appautoscaling_policy" "service_cpu_scaling" {
  name               = "${var.service.name}-${var.service_instance.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.service_scaling_target.resource_id
  scalable_dimension = aws_appautoscaling_target.service_scaling_target.scalable_dimension
  service_namespace  = aws_appautoscaling_target.service_scaling_target.service_namespace

  target_tracking_scaling_policy_configuration {
    scale_in_cooldown  = 120
    scale_out_cooldown = 60
    target_value       = var.service_instance.inputs.cpu_target

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_target" "service_scaling_target" {
  max_capacity       = local.service_max_count
  min_capacity       = local.service_min_count
  resource_id        = "service/${var.environment.outputs.cluster_name}/${aws_ecs_service.service_service.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  service_namespace  = "ecs"
}

resource "aws_cloudwatch_log_group" "service_logs" {
  name              = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}"
  retention_in_days = (var.service_instance.inputs.log_retention_days == "auto") ? tonumber(var.environment.outputs.log_retention_days) : tonumber(var.service_instance.inputs.log_retention_days)
}

resource "aws_cloudwatch_metric_alarm" "service_alarms_cpu" {
  alarm_actions       = [aws_sns_topic.service_alarms_topic.arn]
  alarm_description   = "CPUUtilization of ${join("-", [var.service.name, var.service_instance.name])}'s tasks high for 15 minutes: raise cpu or memory, or max_count."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-CPUUtilization"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 3
  dimensions = {
    ClusterName = var.environment.outputs.cluster_name
    ServiceName = aws_ecs_service.service_service.name
  }
  evaluation_periods = 3
  metric_name        = "CPUUtilization"
  namespace          = "AWS/ECS"
  ok_actions         = [aws_sns_topic.service_alarms_topic.arn]
  period             = 300
  statistic          = "Average"
  threshold          = var.service_instance.inputs.alarm_cpu_percent
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "service_alarms_errors_5xx" {
  alarm_actions       = [aws_sns_topic.service_alarms_topic.arn]
  alarm_description   = "More than alarm_5xx_percent of ${join("-", [var.service.name, var.service_instance.name])}'s requests answered 5xx: read the service's logs; 502/503 from the load balancer mean no healthy task."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-5xx-rate"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  evaluation_periods  = 1
  ok_actions          = [aws_sns_topic.service_alarms_topic.arn]
  threshold           = var.service_instance.inputs.alarm_5xx_percent
  treat_missing_data  = "notBreaching"

  metric_query {
    expression  = "IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)"
    id          = "rate"
    label       = "5xx % of requests"
    return_data = true
  }

  metric_query {
    id = "requests"

    metric {
      dimensions = {
        LoadBalancer = aws_lb.load_balancer_alb.arn_suffix
      }
      metric_name = "RequestCount"
      namespace   = "AWS/ApplicationELB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "target5xx"

    metric {
      dimensions = {
        LoadBalancer = aws_lb.load_balancer_alb.arn_suffix
      }
      metric_name = "HTTPCode_Target_5XX_Count"
      namespace   = "AWS/ApplicationELB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "elb5xx"

    metric {
      dimensions = {
        LoadBalancer = aws_lb.load_balancer_alb.arn_suffix
      }
      metric_name = "HTTPCode_ELB_5XX_Count"
      namespace   = "AWS/ApplicationELB"
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "service_alarms_latency" {
  alarm_actions       = [aws_sns_topic.service_alarms_topic.arn]
  alarm_description   = "p95 response time of ${join("-", [var.service.name, var.service_instance.name])} high for 15 minutes: find the slow dependency, or scale out."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-TargetResponseTime"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 3
  dimensions = {
    LoadBalancer = aws_lb.load_balancer_alb.arn_suffix
  }
  evaluation_periods = 3
  extended_statistic = "p95"
  metric_name        = "TargetResponseTime"
  namespace          = "AWS/ApplicationELB"
  ok_actions         = [aws_sns_topic.service_alarms_topic.arn]
  period             = 300
  threshold          = (var.service_instance.inputs.alarm_latency_ms / 1000)
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "service_alarms_memory" {
  alarm_actions       = [aws_sns_topic.service_alarms_topic.arn]
  alarm_description   = "MemoryUtilization of ${join("-", [var.service.name, var.service_instance.name])}'s tasks high for 15 minutes: raise cpu or memory, or max_count."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-MemoryUtilization"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 3
  dimensions = {
    ClusterName = var.environment.outputs.cluster_name
    ServiceName = aws_ecs_service.service_service.name
  }
  evaluation_periods = 3
  metric_name        = "MemoryUtilization"
  namespace          = "AWS/ECS"
  ok_actions         = [aws_sns_topic.service_alarms_topic.arn]
  period             = 300
  statistic          = "Average"
  threshold          = var.service_instance.inputs.alarm_memory_percent
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "service_alarms_unhealthy_hosts" {
  alarm_actions       = [aws_sns_topic.service_alarms_topic.arn]
  alarm_description   = "Tasks of ${join("-", [var.service.name, var.service_instance.name])} failing the health check for 3 minutes: read the service's logs and the health_check_path."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-UnHealthyHostCount"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 3
  dimensions = {
    LoadBalancer = aws_lb.load_balancer_alb.arn_suffix
    TargetGroup  = aws_lb_target_group.load_balancer_targets.arn_suffix
  }
  evaluation_periods = 3
  metric_name        = "UnHealthyHostCount"
  namespace          = "AWS/ApplicationELB"
  ok_actions         = [aws_sns_topic.service_alarms_topic.arn]
  period             = 60
  statistic          = "Maximum"
  threshold          = var.service_instance.inputs.alarm_unhealthy_hosts
  treat_missing_data = "notBreaching"
}

resource "aws_ecs_service" "service_service" {
  cluster                            = var.environment.outputs.cluster_arn
  deployment_maximum_percent         = 200
  deployment_minimum_healthy_percent = 100
  desired_count                      = local.service_desired_count
  enable_ecs_managed_tags            = true
  health_check_grace_period_seconds  = 60
  launch_type                        = "FARGATE"
  name                               = "${var.service.name}-${var.service_instance.name}"
  platform_version                   = "LATEST"
  propagate_tags                     = "SERVICE"
  task_definition                    = aws_ecs_task_definition.service_task.arn
  wait_for_steady_state              = true

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  load_balancer {
    container_name   = "app"
    container_port   = var.service_instance.inputs.port
    target_group_arn = aws_lb_target_group.load_balancer_targets.arn
  }

  network_configuration {
    assign_public_ip = false
    security_groups  = [aws_security_group.service_tasks.id]
    subnets          = jsondecode(var.environment.outputs.private_subnet_ids)
  }

  lifecycle {
    ignore_changes = [desired_count]

    precondition {
      condition     = ((local.service_min_count <= local.service_desired_count) && (local.service_desired_count <= local.service_max_count))
      error_message = "Tasks must satisfy min_count <= desired_count <= max_count (0 means the default of each)."
    }
  }
}

resource "aws_ecs_task_definition" "service_task" {
  container_definitions = jsonencode([
    {
      "name"                   = "app"
      "image"                  = var.service_instance.inputs.image
      "essential"              = true
      "readonlyRootFilesystem" = false
      "portMappings" = [
        {
          "containerPort" = var.service_instance.inputs.port
          "protocol"      = "tcp"
          "name"          = "http"
          "appProtocol"   = "http"
        },
      ]
      "environment" = [
        for k in sort(keys(local.service_container_environment)) : {
          name  = k
          value = local.service_container_environment[k]
        }
      ]
      "logConfiguration" = {
        "logDriver" = "awslogs"
        "options" = {
          "awslogs-group"         = aws_cloudwatch_log_group.service_logs.name
          "awslogs-region"        = data.aws_region.service_region.name
          "awslogs-stream-prefix" = "app"
        }
      }
    },
  ])
  cpu                      = var.service_instance.inputs.cpu
  execution_role_arn       = var.environment.outputs.task_execution_role_arn
  family                   = "${var.service.name}-${var.service_instance.name}"
  memory                   = var.service_instance.inputs.memory
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  task_role_arn            = aws_iam_role.service_task_role.arn

  runtime_platform {
    cpu_architecture        = "X86_64"
    operating_system_family = "LINUX"
  }

  lifecycle {
    precondition {
      condition = contains(
        lookup(
          {
            "256"  = ["512", "1024", "2048"]
            "512"  = ["1024", "2048", "3072", "4096"]
            "1024" = ["2048", "3072", "4096", "5120", "6144", "7168", "8192"]
            "2048" = ["4096", "5120", "6144", "7168", "8192", "12288", "16384"]
            "4096" = ["8192", "12288", "16384", "30720"]
          },
          var.service_instance.inputs.cpu,
          [],
        ),
        var.service_instance.inputs.memory,
      )
      error_message = "Fargate does not offer this memory size for this CPU size: see the memory input's description for the valid pairs."
    }
  }
}

resource "aws_iam_role" "service_deploy_role" {
  assume_role_policy = (var.service_instance.inputs.scm == "gitlab") ? jsonencode({ "Version" = "2012-10-17", "Statement" = [{ "Effect" = "Allow", "Principal" = { "Federated" = coalesce(var.service_instance.inputs.gitlab_oidc_provider_arn, format("arn:%s:iam::%s:oidc-provider/%s", data.aws_partition.service_partition.partition, var.environment.account_id, local.service_gitlab_host)) }, "Action" = "sts:AssumeRoleWithWebIdentity", "Condition" = { StringEquals = { (format("%s:aud", local.service_gitlab_host)) = "sts.amazonaws.com" }, StringLike = { (format("%s:sub", local.service_gitlab_host)) = [for r in local.service_gitlab_deploy_refs : format("project_path:%s:%s", local.service_gitlab_project, r)] } } }] }) : jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect" = "Allow"
        "Principal" = {
          "Federated" = format(
            "arn:%s:iam::%s:oidc-provider/token.actions.githubusercontent.com",
            data.aws_partition.service_partition.partition,
            var.environment.account_id,
          )
        }
        "Action" = "sts:AssumeRoleWithWebIdentity"
        "Condition" = {
          "StringEquals" = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = format(
              "repo:%s:environment:%s",
              var.service.repository_id,
              var.environment.name,
            )
          }
        }
      },
    ]
  })
  description          = (var.service_instance.inputs.scm == "gitlab") ? "GitLab CI of ${var.service_instance.inputs.gitlab_project} rolls ${var.service.name}-${var.service_instance.name} (environment ${var.environment.name})." : "GitHub Actions of the service's repository roll ${var.service.name}-${var.service_instance.name} (job environment ${var.environment.name})."
  max_session_duration = 3600
  name                 = substr("protonkit-${var.service.name}-${var.service_instance.name}-deploy", 0, 64)

  lifecycle {
    precondition {
      condition     = ((var.service_instance.inputs.scm != "gitlab") || (var.service_instance.inputs.gitlab_project != ""))
      error_message = "The instance's scm is gitlab: set gitlab_project to the GitLab project path (group/project) whose CI deploys the service."
    }
  }
}

resource "aws_iam_role" "service_task_role" {
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect"    = "Allow"
        "Principal" = { "Service" = "ecs-tasks.amazonaws.com" }
        "Action"    = "sts:AssumeRole"
        "Condition" = { "StringEquals" = { "aws:SourceAccount" = var.environment.account_id } }
      },
    ]
  })
  description = "Role of the application in ${var.service.name}-${var.service_instance.name}'s tasks; permissions come from the attached component."
  name        = substr("${var.service.name}-${var.service_instance.name}-task", 0, 64)
}

resource "aws_iam_role_policy" "service_deploy_policy" {
  name = "roll-ecs-service"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "RollThisService"
        "Effect"   = "Allow"
        "Action"   = ["ecs:UpdateService", "ecs:DescribeServices"]
        "Resource" = aws_ecs_service.service_service.id
      },
      {
        "Sid"      = "ReadTaskDefinitions"
        "Effect"   = "Allow"
        "Action"   = ["ecs:DescribeTaskDefinition"]
        "Resource" = "*"
      },
    ]
  })
  role = aws_iam_role.service_deploy_role.id
}

resource "aws_iam_role_policy_attachment" "service_component_policy" {
  count      = (try(var.service_instance.components.default.outputs.task_policy_arn, "") == "") ? 0 : 1
  policy_arn = try(var.service_instance.components.default.outputs.task_policy_arn, "")
  role       = aws_iam_role.service_task_role.name
}

resource "aws_kms_key" "service_alarms_key" {
  deletion_window_in_days = 7
  description             = "Encrypts the alarm topic ${join("-", [var.service.name, var.service_instance.name])}-alarms"
  enable_key_rotation     = true
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "AccountAdministers"
        "Effect" = "Allow"
        "Principal" = {
          "AWS" = "arn:${data.aws_partition.service_alarms_partition.partition}:iam::${data.aws_caller_identity.service_alarms_account.account_id}:root"
        }
        "Action"   = "kms:*"
        "Resource" = "*"
      },
      {
        "Sid"       = "CloudWatchAlarmsPublish"
        "Effect"    = "Allow"
        "Principal" = { "Service" = "cloudwatch.amazonaws.com" }
        "Action"    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        "Resource"  = "*"
        "Condition" = {
          "StringEquals" = {
            "aws:SourceAccount" = data.aws_caller_identity.service_alarms_account.account_id
          }
        }
      },
    ]
  })
}

resource "aws_security_group" "service_tasks" {
  description = "Tasks of ${var.service.name}-${var.service_instance.name}"
  name_prefix = "${var.service.name}-${var.service_instance.name}-"
  vpc_id      = var.environment.outputs.vpc_id

  egress {
    cidr_blocks = ["0.0.0.0/0"]
    description = "Outbound: images, AWS APIs, imported services"
    from_port   = 0
    protocol    = "-1"
    to_port     = 0
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sns_topic" "service_alarms_topic" {
  kms_master_key_id = aws_kms_key.service_alarms_key.arn
  name              = "${join("-", [var.service.name, var.service_instance.name])}-alarms"
}

resource "aws_sns_topic_subscription" "service_alarms_email" {
  for_each  = toset(var.service_instance.inputs.alarm_emails)
  endpoint  = each.value
  protocol  = "email"
  topic_arn = aws_sns_topic.service_alarms_topic.arn
}

resource "aws_sns_topic_subscription" "service_alarms_https" {
  for_each  = toset(var.service_instance.inputs.alarm_https_endpoints)
  endpoint  = each.value
  protocol  = "https"
  topic_arn = aws_sns_topic.service_alarms_topic.arn
}

resource "aws_vpc_security_group_ingress_rule" "service_tasks_from_load_balancer" {
  description                  = "From the load balancer only"
  from_port                    = var.service_instance.inputs.port
  ip_protocol                  = "tcp"
  referenced_security_group_id = aws_security_group.load_balancer_security_group.id
  security_group_id            = aws_security_group.service_tasks.id
  to_port                      = var.service_instance.inputs.port
}
