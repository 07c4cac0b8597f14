data "aws_caller_identity" "alarms_account" {}

data "aws_partition" "alarms_partition" {}

resource "aws_cloudwatch_metric_alarm" "alarms_read_throttles" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "ReadThrottleEvents of table ${aws_dynamodb_table.table.name}: raise capacity (PROVISIONED) or spread the keys (a hot partition)."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-ReadThrottleEvents"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    TableName = aws_dynamodb_table.table.name
  }
  evaluation_periods = 1
  metric_name        = "ReadThrottleEvents"
  namespace          = "AWS/DynamoDB"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Sum"
  threshold          = var.service_instance.inputs.alarm_throttle_events
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "alarms_system_errors" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "DynamoDB system errors on table ${aws_dynamodb_table.table.name} (all item operations): check the AWS Health Dashboard; clients retry them."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-SystemErrors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  evaluation_periods  = 1
  ok_actions          = [aws_sns_topic.alarms_topic.arn]
  threshold           = var.service_instance.inputs.alarm_system_errors
  treat_missing_data  = "notBreaching"

  metric_query {
    expression  = "FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0) + FILL(m4, 0) + FILL(m5, 0) + FILL(m6, 0) + FILL(m7, 0) + FILL(m8, 0)"
    id          = "errors"
    label       = "SystemErrors"
    return_data = true
  }

  metric_query {
    id = "m0"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "GetItem"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m1"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "PutItem"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m2"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "UpdateItem"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m3"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "DeleteItem"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m4"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "Query"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m5"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "Scan"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m6"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "BatchGetItem"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m7"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "BatchWriteItem"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "m8"

    metric {
      dimensions = {
        TableName = aws_dynamodb_table.table.name
        Operation = "TransactWriteItems"
      }
      metric_name = "SystemErrors"
      namespace   = "AWS/DynamoDB"
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "alarms_write_throttles" {
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "WriteThrottleEvents of table ${aws_dynamodb_table.table.name}: raise capacity (PROVISIONED) or spread the keys (a hot partition)."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-WriteThrottleEvents"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    TableName = aws_dynamodb_table.table.name
  }
  evaluation_periods = 1
  metric_name        = "WriteThrottleEvents"
  namespace          = "AWS/DynamoDB"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Sum"
  threshold          = var.service_instance.inputs.alarm_throttle_events
  treat_missing_data = "notBreaching"
}

resource "aws_kms_key" "alarms_key" {
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
  name              = "${join("-", [var.service.name, var.service_instance.name])}-alarms"
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
