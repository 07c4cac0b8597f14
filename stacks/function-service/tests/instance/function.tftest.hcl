# What function-service promises, checked on every example spec and on inputs set here.
mock_provider "aws" {}

# Published endpoints of the instances the import runs below read.
override_data {
  target = data.aws_ssm_parameters_by_path.imports["orders/prod"]
  values = {
    names  = ["/protonkit/test/orders/prod/url", "/protonkit/test/orders/prod/table_arn"]
    values = ["https://orders.test.internal", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-prod"]
  }
}

override_data {
  target = data.aws_ssm_parameters_by_path.imports["orders/prod=ORDERS"]
  values = {
    names  = ["/protonkit/test/orders/prod/url"]
    values = ["https://orders.test.internal"]
  }
}

override_data {
  target = data.aws_ssm_parameters_by_path.imports["billing-api/eu_1"]
  values = {
    names  = ["/protonkit/test/billing-api/eu_1/url"]
    values = ["https://billing.test.internal"]
  }
}

variables {
  test_environment = {
    account_id = "123456789012"
    name       = "test"
    outputs = {
      tier               = "test"
      vpc_id             = "vpc-0a1b2c3d4e5f60718"
      private_subnet_ids = "[\"subnet-0bb00000000000001\",\"subnet-0bb00000000000002\"]"
      log_retention_days = "7"
    }
  }
  zip = {
    runtime              = "python3.13"
    handler              = "index.handler"
    code_s3_bucket       = "artifacts-123456789012"
    code_s3_key          = "fn/1.0.0/function.zip"
    architecture         = "x86_64"
    memory_mb            = 256
    timeout_seconds      = 30
    reserved_concurrency = -1
    vpc                  = false
    function_url         = false
    function_url_auth    = "AWS_IAM"
    log_retention_days   = "auto"
    imports              = []
    alarm_emails           = []
    alarm_https_endpoints  = []
    alarm_errors           = 1
    alarm_throttles        = 1
    alarm_duration_percent = 80
  }
  image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pricing:1.2.3"
}

run "function_follows_the_spec" {
  command = apply

  assert {
    condition     = aws_lambda_function.function.function_name == "${var.service.name}-${var.service_instance.name}" && output.function_name == aws_lambda_function.function.function_name
    error_message = "the function is named <service>-<instance>"
  }

  assert {
    condition     = aws_lambda_function.function.package_type == (try(var.service_instance.inputs.image_uri, null) != null ? "Image" : "Zip")
    error_message = "the package type must follow the code source the spec gives"
  }

  assert {
    condition     = aws_lambda_function.function.memory_size == var.service_instance.inputs.memory_mb && aws_lambda_function.function.timeout == var.service_instance.inputs.timeout_seconds
    error_message = "memory and timeout must follow the spec"
  }

  assert {
    condition     = aws_cloudwatch_log_group.logs.name == "/aws/lambda/${aws_lambda_function.function.function_name}" && aws_lambda_function.function.logging_config[0].log_group == aws_cloudwatch_log_group.logs.name
    error_message = "the function must log to its own log group"
  }

  assert {
    condition     = aws_cloudwatch_log_group.logs.retention_in_days == tonumber(var.service_instance.inputs.log_retention_days == "auto" ? var.environment.outputs.log_retention_days : var.service_instance.inputs.log_retention_days)
    error_message = "log retention must be the spec's, or the environment's on auto"
  }

  assert {
    condition = jsondecode(aws_iam_role.access_role.assume_role_policy).Statement == [
      { Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }
    ]
    error_message = "only Lambda may assume the execution role"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.access_write_logs.policy).Statement == [
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "${aws_cloudwatch_log_group.logs.arn}:*" }
    ]
    error_message = "the role may write to the function's own log group only"
  }

  assert {
    condition     = aws_lambda_function.function.role == aws_iam_role.access_role.arn && output.role_arn == aws_iam_role.access_role.arn
    error_message = "the function must run as its execution role"
  }

  assert {
    condition     = aws_lambda_function.function.environment[0].variables["PROTONKIT_ENVIRONMENT"] == var.environment.name && aws_lambda_function.function.environment[0].variables["PROTONKIT_INSTANCE"] == var.service_instance.name
    error_message = "the function must know its environment, service and instance"
  }

  assert {
    condition = alltrue([
      for imp in var.service_instance.inputs.imports :
      anytrue([for k in keys(aws_lambda_function.function.environment[0].variables) : startswith(k, "${upper(replace(imp, "/[^0-9A-Za-z]+/", "_"))}_")])
    ])
    error_message = "every import of the spec must bring <SERVICE>_<INSTANCE>_ variables"
  }

  assert {
    condition     = aws_ssm_parameter.endpoints["function_arn"].name == "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/function_arn" && aws_ssm_parameter.endpoints["function_arn"].value == aws_lambda_function.function.arn
    error_message = "function_arn must be published under /protonkit/<environment>/<service>/<instance>/function_arn"
  }

  assert {
    condition     = contains(keys(aws_ssm_parameter.endpoints), "url") == var.service_instance.inputs.function_url && output.url == (var.service_instance.inputs.function_url ? aws_lambda_function_url.url[0].function_url : "")
    error_message = "url must be published exactly when the function has a URL"
  }
}

run "alarms_follow_the_spec" {
  command = apply

  assert {
    condition = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_errors, aws_cloudwatch_metric_alarm.alarms_throttles, aws_cloudwatch_metric_alarm.alarms_duration] :
    a.namespace == "AWS/Lambda" && a.dimensions.FunctionName == aws_lambda_function.function.function_name && a.alarm_actions == toset([aws_sns_topic.alarms_topic.arn]) && a.ok_actions == toset([aws_sns_topic.alarms_topic.arn])])
    error_message = "the errors, throttles and duration alarms watch the function and notify its topic"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_errors.threshold == var.service_instance.inputs.alarm_errors && aws_cloudwatch_metric_alarm.alarms_throttles.threshold == var.service_instance.inputs.alarm_throttles
    error_message = "the errors and throttles thresholds come from the spec"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_duration.extended_statistic == "p95" && aws_cloudwatch_metric_alarm.alarms_duration.threshold == var.service_instance.inputs.timeout_seconds * 1000 * var.service_instance.inputs.alarm_duration_percent / 100
    error_message = "the duration alarm fires when p95 reaches alarm_duration_percent of the timeout, in milliseconds"
  }

  assert {
    condition     = aws_sns_topic.alarms_topic.kms_master_key_id == aws_kms_key.alarms_key.arn && toset([for s in aws_sns_topic_subscription.alarms_email : s.endpoint]) == toset(var.service_instance.inputs.alarm_emails) && toset([for s in aws_sns_topic_subscription.alarms_https : s.endpoint]) == toset(var.service_instance.inputs.alarm_https_endpoints)
    error_message = "the topic is encrypted with its own key and subscribes the spec's e-mail addresses and HTTPS endpoints"
  }
}

run "zip_package_outside_the_vpc_without_url" {
  command   = apply
  state_key = "zip"

  variables {
    environment      = var.test_environment
    service_instance = { name = "zip", inputs = var.zip, components = {} }
  }

  assert {
    condition     = aws_lambda_function.function.package_type == "Zip" && aws_lambda_function.function.runtime == "python3.13" && aws_lambda_function.function.handler == "index.handler"
    error_message = "a zip package runs on the chosen runtime and handler"
  }

  assert {
    condition     = aws_lambda_function.function.s3_bucket == "artifacts-123456789012" && aws_lambda_function.function.s3_key == "fn/1.0.0/function.zip" && aws_lambda_function.function.image_uri == null
    error_message = "a zip package comes from code_s3_bucket/code_s3_key"
  }

  assert {
    condition     = length(aws_security_group.network_function) == 0 && length(aws_iam_role_policy.access_vpc_networking) == 0 && length(aws_lambda_function.function.vpc_config[0].subnet_ids) == 0
    error_message = "outside the VPC: no security group, no network permissions, no subnets"
  }

  assert {
    condition     = length(aws_lambda_function_url.url) == 0 && length(aws_lambda_permission.public_url) == 0 && output.url == ""
    error_message = "no function URL unless asked for"
  }

  assert {
    condition     = aws_cloudwatch_log_group.logs.retention_in_days == 7
    error_message = "log_retention_days = auto must use the environment's retention"
  }

  assert {
    condition     = length(aws_ssm_parameter.endpoints) == 2
    error_message = "without a URL only function_arn and function_name are published"
  }
}

run "image_in_the_vpc" {
  command   = apply
  state_key = "image"

  variables {
    environment = var.test_environment
    service_instance = {
      name       = "image"
      inputs     = merge(var.zip, { code_s3_bucket = null, code_s3_key = null, image_uri = var.image, vpc = true, log_retention_days = "90" })
      components = {}
    }
  }

  assert {
    condition     = aws_lambda_function.function.package_type == "Image" && aws_lambda_function.function.image_uri == var.image
    error_message = "image_uri must make an Image package"
  }

  assert {
    condition     = aws_lambda_function.function.runtime == null && aws_lambda_function.function.handler == null && aws_lambda_function.function.s3_bucket == null
    error_message = "an image package has no runtime, handler or S3 code"
  }

  assert {
    condition     = aws_lambda_function.function.vpc_config[0].subnet_ids == toset(["subnet-0bb00000000000001", "subnet-0bb00000000000002"])
    error_message = "vpc = true must place the function in the environment's private subnets"
  }

  assert {
    condition     = aws_lambda_function.function.vpc_config[0].security_group_ids == toset([aws_security_group.network_function[0].id]) && aws_security_group.network_function[0].vpc_id == "vpc-0a1b2c3d4e5f60718"
    error_message = "the function must have its own security group in the environment's VPC"
  }

  assert {
    condition     = length(aws_security_group.network_function[0].ingress) == 0
    error_message = "the function's security group must allow no inbound traffic"
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.access_vpc_networking[0].policy).Statement :
      alltrue([for a in s.Action : startswith(a, "ec2:") && a != "ec2:*"])
    ])
    error_message = "in the VPC the role gets network interface permissions only"
  }

  assert {
    condition     = aws_cloudwatch_log_group.logs.retention_in_days == 90
    error_message = "an explicit log_retention_days wins over the environment's"
  }
}

run "function_url_uses_iam_auth_by_default" {
  command   = apply
  state_key = "iam_url"

  variables {
    environment      = var.test_environment
    service_instance = { name = "iam-url", inputs = merge(var.zip, { function_url = true }), components = {} }
  }

  assert {
    condition     = aws_lambda_function_url.url[0].authorization_type == "AWS_IAM"
    error_message = "a function URL must use IAM auth unless the spec says NONE"
  }

  assert {
    condition     = length(aws_lambda_permission.public_url) == 0
    error_message = "an IAM-authenticated URL must not be opened to everyone"
  }

  assert {
    condition     = aws_ssm_parameter.endpoints["url"].value == aws_lambda_function_url.url[0].function_url && output.url == aws_lambda_function_url.url[0].function_url
    error_message = "the URL must be published as the url endpoint and output"
  }
}

run "public_function_url_only_when_asked" {
  command   = apply
  state_key = "public_url"

  variables {
    environment      = var.test_environment
    service_instance = { name = "public-url", inputs = merge(var.zip, { function_url = true, function_url_auth = "NONE" }), components = {} }
  }

  assert {
    condition     = aws_lambda_function_url.url[0].authorization_type == "NONE"
    error_message = "function_url_auth = NONE must make a public URL"
  }

  assert {
    condition = (
      aws_lambda_permission.public_url[0].action == "lambda:InvokeFunctionUrl"
      && aws_lambda_permission.public_url[0].principal == "*"
      && aws_lambda_permission.public_url[0].function_url_auth_type == "NONE"
    )
    error_message = "a public URL is opened through the URL only (lambda:InvokeFunctionUrl with auth type NONE)"
  }
}

run "imported_endpoints_arrive_as_environment_variables" {
  command   = apply
  state_key = "imports"

  variables {
    environment      = var.test_environment
    service_instance = { name = "importer", inputs = merge(var.zip, { imports = ["orders/prod", "billing-api/eu_1"] }), components = {} }
  }

  assert {
    condition     = data.aws_ssm_parameters_by_path.imports["orders/prod"].path == "/protonkit/test/orders/prod"
    error_message = "imports are read from /protonkit/<environment>/<service>/<instance>"
  }

  assert {
    condition = (
      aws_lambda_function.function.environment[0].variables["ORDERS_PROD_URL"] == "https://orders.test.internal"
      && aws_lambda_function.function.environment[0].variables["ORDERS_PROD_TABLE_ARN"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-prod"
      && aws_lambda_function.function.environment[0].variables["BILLING_API_EU_1_URL"] == "https://billing.test.internal"
    )
    error_message = "each imported endpoint must arrive as <SERVICE>_<INSTANCE>_<ENDPOINT>"
  }

  assert {
    condition     = length(aws_lambda_function.function.environment[0].variables) == 6
    error_message = "the three imported endpoints plus the three PROTONKIT_ variables, nothing else"
  }
}

run "an_import_prefix_names_the_variables" {
  command   = apply
  state_key = "imports-prefix"

  variables {
    environment      = var.test_environment
    service_instance = { name = "importer", inputs = merge(var.zip, { imports = ["orders/prod=ORDERS"] }), components = {} }
  }

  assert {
    condition     = data.aws_ssm_parameters_by_path.imports["orders/prod=ORDERS"].path == "/protonkit/test/orders/prod"
    error_message = "the prefix is not part of the path read"
  }

  assert {
    condition     = aws_lambda_function.function.environment[0].variables["ORDERS_URL"] == "https://orders.test.internal"
    error_message = "orders/prod=ORDERS must give ORDERS_URL"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.function.environment[0].variables), "ORDERS_PROD_URL")
    error_message = "with a prefix, the instance name is not in the variable name"
  }
}

run "both_code_sources_are_refused" {
  command   = plan
  state_key = "both"

  variables {
    environment      = var.test_environment
    service_instance = { name = "both", inputs = merge(var.zip, { image_uri = var.image }), components = {} }
  }

  expect_failures = [aws_lambda_function.function]
}

run "no_code_source_is_refused" {
  command   = plan
  state_key = "none"

  variables {
    environment      = var.test_environment
    service_instance = { name = "none", inputs = merge(var.zip, { code_s3_bucket = null, code_s3_key = null }), components = {} }
  }

  expect_failures = [aws_lambda_function.function]
}

run "bucket_without_key_is_refused" {
  command   = plan
  state_key = "half"

  variables {
    environment      = var.test_environment
    service_instance = { name = "half", inputs = merge(var.zip, { code_s3_key = null, image_uri = var.image }), components = {} }
  }

  expect_failures = [aws_lambda_function.function]
}
