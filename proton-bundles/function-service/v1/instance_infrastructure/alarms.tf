data "aws_caller_identity" "alarms_account" {}

data "aws_partition" "alarms_partition" {}

resource "aws_cloudwatch_metric_alarm" "alarms_duration" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "p95 duration of ${local.function_name} close to its timeout: find the slow dependency, or raise memory_mb or timeout_seconds."
  alarm_name          = "${local.function_name}-Duration"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 3
  dimensions = {
    FunctionName = aws_lambda_function.function.function_name
  }
  evaluation_periods = 3
  extended_statistic = "p95"
  metric_name        = "Duration"
  namespace          = "AWS/Lambda"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  threshold          = (((var.service_instance.inputs.timeout_seconds * 1000) * var.service_instance.inputs.alarm_duration_percent) / 100)
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "alarms_errors" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "Invocations of ${local.function_name} failing: read the function's log group."
  alarm_name          = "${local.function_name}-Errors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    FunctionName = aws_lambda_function.function.function_name
  }
  evaluation_periods = 1
  metric_name        = "Errors"
  namespace          = "AWS/Lambda"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Sum"
  threshold          = var.service_instance.inputs.alarm_errors
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "alarms_throttles" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "Invocations of ${local.function_name} throttled: raise reserved_concurrency or the account's concurrency quota."
  alarm_name          = "${local.function_name}-Throttles"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    FunctionName = aws_lambda_function.function.function_name
  }
  evaluation_periods = 1
  metric_name        = "Throttles"
  namespace          = "AWS/Lambda"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Sum"
  threshold          = var.service_instance.inputs.alarm_throttles
  treat_missing_data = "notBreaching"
}

resource "aws_kms_key" "alarms_key" {
  deletion_window_in_days = 7
  description             = "Encrypts the alarm topic ${local.function_name}-alarms"
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
  name              = "${local.function_name}-alarms"
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
