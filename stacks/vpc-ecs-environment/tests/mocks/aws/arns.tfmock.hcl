# ARN-shaped values for resources whose ARN feeds an attribute the AWS provider validates as an
# ARN (a random mock string would fail validation on apply).
mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:210987654321:log-group:/protonkit/mock/vpc-flow-logs"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::210987654321:role/mock-role"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}
