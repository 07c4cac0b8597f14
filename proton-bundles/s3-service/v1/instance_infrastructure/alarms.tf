data "aws_caller_identity" "alarms_account" {}

data "aws_partition" "alarms_partition" {}

resource "aws_cloudwatch_metric_alarm" "alarms_client_errors" {
  count               = var.service_instance.inputs.request_metrics ? 1 : 0
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "4xxErrors of bucket ${aws_s3_bucket.storage_bucket.bucket}: denied or missing objects: check the callers' keys and permissions."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-4xxErrors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    BucketName = aws_s3_bucket.storage_bucket.bucket
    FilterId   = "EntireBucket"
  }
  evaluation_periods = 1
  metric_name        = "4xxErrors"
  namespace          = "AWS/S3"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Sum"
  threshold          = var.service_instance.inputs.alarm_4xx_errors
  treat_missing_data = "notBreaching"
}

resource "aws_cloudwatch_metric_alarm" "alarms_server_errors" {
  count               = var.service_instance.inputs.request_metrics ? 1 : 0
  alarm_actions       = [aws_sns_topic.alarms_topic.arn]
  alarm_description   = "5xxErrors of bucket ${aws_s3_bucket.storage_bucket.bucket}: S3 failing or throttling (503 SlowDown): spread the key prefixes, retry with backoff."
  alarm_name          = "${join("-", [var.service.name, var.service_instance.name])}-5xxErrors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    BucketName = aws_s3_bucket.storage_bucket.bucket
    FilterId   = "EntireBucket"
  }
  evaluation_periods = 1
  metric_name        = "5xxErrors"
  namespace          = "AWS/S3"
  ok_actions         = [aws_sns_topic.alarms_topic.arn]
  period             = 300
  statistic          = "Sum"
  threshold          = var.service_instance.inputs.alarm_5xx_errors
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

resource "aws_s3_bucket_metric" "alarms_request_metrics" {
  count  = var.service_instance.inputs.request_metrics ? 1 : 0
  bucket = aws_s3_bucket.storage_bucket.id
  name   = "EntireBucket"
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
