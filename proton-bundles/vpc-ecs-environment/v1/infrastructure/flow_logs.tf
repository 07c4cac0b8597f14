resource "aws_cloudwatch_log_group" "flow_logs_log_group" {
  count             = local.flow_logs_enabled ? 1 : 0
  name              = "/protonkit/${var.environment.name}/vpc-flow-logs"
  retention_in_days = local.log_retention_days
}

resource "aws_flow_log" "flow_logs_vpc" {
  count                    = local.flow_logs_enabled ? 1 : 0
  iam_role_arn             = element(aws_iam_role.flow_logs_role[*].arn, 0)
  log_destination          = element(aws_cloudwatch_log_group.flow_logs_log_group[*].arn, 0)
  log_destination_type     = "cloud-watch-logs"
  max_aggregation_interval = 60
  tags = {
    Name = var.environment.name
  }
  traffic_type = "ALL"
  vpc_id       = aws_vpc.network_vpc.id
}

resource "aws_iam_role" "flow_logs_role" {
  count = local.flow_logs_enabled ? 1 : 0
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect"    = "Allow"
        "Principal" = { "Service" = "vpc-flow-logs.amazonaws.com" }
        "Action"    = "sts:AssumeRole"
        "Condition" = {
          "StringEquals" = { "aws:SourceAccount" = data.aws_caller_identity.account.account_id }
        }
      },
    ]
  })
  description = "Lets VPC Flow Logs deliver to the environment's flow log group."
  name        = substr("${var.environment.name}-vpc-flow-logs", 0, 64)
}

resource "aws_iam_role_policy" "flow_logs_delivery" {
  count = local.flow_logs_enabled ? 1 : 0
  name  = "deliver-flow-logs"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect" = "Allow"
        "Action" = [
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "logs:DescribeLogGroups",
          "logs:DescribeLogStreams",
        ]
        "Resource" = [
          element(aws_cloudwatch_log_group.flow_logs_log_group[*].arn, 0),
          "${element(aws_cloudwatch_log_group.flow_logs_log_group[*].arn, 0)}:*",
        ]
      },
    ]
  })
  role = element(aws_iam_role.flow_logs_role[*].id, 0)
}
