# Values the AWS provider validates on apply (a random mock string is not an ARN), and
# endpoints for the example specs' imports.
mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mock-function-role"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/mock"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:mock"
    invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:mock/invocations"
    qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock:$LATEST"
  }
}

mock_resource "aws_lambda_function_url" {
  defaults = {
    function_url = "https://mockmockmockmockmockmockmockmock.lambda-url.eu-west-1.on.aws/"
  }
}

mock_data "aws_ssm_parameters_by_path" {
  defaults = {
    names  = ["/protonkit/mock/imported/instance/url"]
    values = ["https://imported.mock.internal"]
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/ci"
    user_id    = "AIDAEXAMPLE"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/mock"
    repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mock"
  }
}
