resource "aws_iam_role" "access_role" {
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect"    = "Allow"
        "Principal" = { "Service" = "lambda.amazonaws.com" }
        "Action"    = "sts:AssumeRole"
      },
    ]
  })
  description = "Execution role of Lambda function ${local.function_name}"
  name        = local.function_name
}

resource "aws_iam_role_policy" "access_vpc_networking" {
  count = var.service_instance.inputs.vpc ? 1 : 0
  name  = "vpc-networking"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect" = "Allow"
        "Action" = [
          "ec2:CreateNetworkInterface",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeSubnets",
          "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses",
          "ec2:UnassignPrivateIpAddresses",
        ]
        "Resource" = "*"
      },
    ]
  })
  role = aws_iam_role.access_role.id
}

resource "aws_iam_role_policy" "access_write_logs" {
  name = "write-logs"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect"   = "Allow"
        "Action"   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        "Resource" = "${aws_cloudwatch_log_group.logs.arn}:*"
      },
    ]
  })
  role = aws_iam_role.access_role.id
}
