data "aws_caller_identity" "alarms_account" {}

data "aws_partition" "alarms_partition" {}

resource "aws_cloudwatch_metric_alarm" "alarms_connections" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "Connections to ${local.identifier} near max_connections: look for connection leaks, or pool connections (RDS Proxy)."
  alarm_name          = "${local.identifier}-DatabaseConnections"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 2
  dimensions = {
    DBInstanceIdentifier = aws_db_instance.database.identifier
  }
  evaluation_periods = 2
  metric_name        = "DatabaseConnections"
  namespace          = "AWS/RDS"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Maximum"
  threshold          = local.alarms_connections_threshold
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "alarms_cpu" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "CPU of ${local.identifier} high for 15 minutes: look at slow queries (Performance Insights) or a larger instance_class."
  alarm_name          = "${local.identifier}-CPUUtilization"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 3
  dimensions = {
    DBInstanceIdentifier = aws_db_instance.database.identifier
  }
  evaluation_periods = 3
  metric_name        = "CPUUtilization"
  namespace          = "AWS/RDS"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Average"
  threshold          = var.service_instance.inputs.alarm_cpu_percent
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "alarms_free_storage" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "Free storage of ${local.identifier} low: raise allocated_storage or max_allocated_storage, or delete data."
  alarm_name          = "${local.identifier}-FreeStorageSpace"
  comparison_operator = "LessThanThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    DBInstanceIdentifier = aws_db_instance.database.identifier
  }
  evaluation_periods = 1
  metric_name        = "FreeStorageSpace"
  namespace          = "AWS/RDS"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Minimum"
  threshold          = floor((((var.service_instance.inputs.allocated_storage * 1073741824) * var.service_instance.inputs.alarm_free_storage_percent) / 100))
  treat_missing_data = "notBreaching"
}

resource "aws_kms_key" "alarms_key" {
  deletion_window_in_days = 7
  description             = "Encrypts the alarm topic ${local.identifier}-alarms"
  enable_key_rotation     = true
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "AccountAdministers"
        "Effect" = "Allow"
        "Principal" = {
          "AWS" = "arn:${data.aws_partition.alarms_partition.partition}:iam::${data.aws_caller_identity.alarms_account.account_id}:root"
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
            "aws:SourceAccount" = data.aws_caller_identity.alarms_account.account_id
          }
        }
      },
    ]
  })
}

resource "aws_sns_topic" "alarms_topic" {
  kms_master_key_id = aws_kms_key.alarms_key.arn
  name              = "${local.identifier}-alarms"
}

resource "aws_sns_topic_subscription" "alarms_email" {
  for_each  = toset(var.service_instance.inputs.alarm_emails)
  endpoint  = each.value
  protocol  = "email"
  topic_arn = aws_sns_topic.alarms_topic.arn
}

resource "aws_sns_topic_subscription" "alarms_https" {
  for_each  = toset(var.service_instance.inputs.alarm_https_endpoints)
  endpoint  = each.value
  protocol  = "https"
  topic_arn = aws_sns_topic.alarms_topic.arn
}
