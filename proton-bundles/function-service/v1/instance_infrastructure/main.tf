locals {
  function_name = substr(join("-", [var.service.name, var.service_instance.name]), 0, 64)
  imported_endpoints = merge([
    for key, found in data.aws_ssm_parameters_by_path.imports : {
      for i, name in found.names : format(
        "%s_%s",
        length(split("=", key)) > 1 ? split("=", key)[1] : upper(replace(key, "/[^0-9A-Za-z]+/", "_")),
        upper(replace(basename(name), "/[^0-9A-Za-z]+/", "_")),
      ) => found.values[i]
    }
  ]...)
}

data "aws_ssm_parameters_by_path" "imports" {
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

resource "aws_cloudwatch_log_group" "logs" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = (var.service_instance.inputs.log_retention_days == "auto") ? tonumber(var.environment.outputs.log_retention_days) : tonumber(var.service_instance.inputs.log_retention_days)
}

resource "aws_lambda_function" "function" {
  depends_on                     = [aws_cloudwatch_log_group.logs, aws_iam_role_policy.access_write_logs, aws_iam_role_policy.access_vpc_networking]
  architectures                  = [var.service_instance.inputs.architecture]
  description                    = "${var.service.name}/${var.service_instance.name} in ${var.environment.name}"
  function_name                  = local.function_name
  handler                        = (try(var.service_instance.inputs.image_uri, null) != null) ? null : var.service_instance.inputs.handler
  image_uri                      = try(var.service_instance.inputs.image_uri, null)
  memory_size                    = var.service_instance.inputs.memory_mb
  package_type                   = (try(var.service_instance.inputs.image_uri, null) != null) ? "Image" : "Zip"
  reserved_concurrent_executions = var.service_instance.inputs.reserved_concurrency
  role                           = aws_iam_role.access_role.arn
  runtime                        = (try(var.service_instance.inputs.image_uri, null) != null) ? null : var.service_instance.inputs.runtime
  s3_bucket = (try(var.service_instance.inputs.image_uri, null) != null) ? null : try(
    var.service_instance.inputs.code_s3_bucket,
    null,
  )
  s3_key  = (try(var.service_instance.inputs.image_uri, null) != null) ? null : try(var.service_instance.inputs.code_s3_key, null)
  timeout = var.service_instance.inputs.timeout_seconds

  environment {
    variables = merge(
      local.imported_endpoints,
      {
        "PROTONKIT_ENVIRONMENT" = var.environment.name
        "PROTONKIT_SERVICE"     = var.service.name
        "PROTONKIT_INSTANCE"    = var.service_instance.name
      },
    )
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.logs.name
  }

  vpc_config {
    security_group_ids = var.service_instance.inputs.vpc ? aws_security_group.network_function[*].id : []
    subnet_ids         = var.service_instance.inputs.vpc ? jsondecode(var.environment.outputs.private_subnet_ids) : []
  }

  lifecycle {
    precondition {
      condition     = ((try(var.service_instance.inputs.image_uri, null) != null) != ((try(var.service_instance.inputs.code_s3_bucket, null) != null) && (try(var.service_instance.inputs.code_s3_key, null) != null)))
      error_message = "Give the code either as code_s3_bucket + code_s3_key (zip package) or as image_uri (container image), not both and not neither."
    }

    precondition {
      condition     = ((try(var.service_instance.inputs.code_s3_bucket, null) == null) == (try(var.service_instance.inputs.code_s3_key, null) == null))
      error_message = "code_s3_bucket and code_s3_key go together: give both."
    }
  }
}

resource "aws_lambda_function_url" "url" {
  count              = var.service_instance.inputs.function_url ? 1 : 0
  authorization_type = var.service_instance.inputs.function_url_auth
  function_name      = aws_lambda_function.function.function_name
}

resource "aws_lambda_permission" "public_url" {
  count                  = (var.service_instance.inputs.function_url && (var.service_instance.inputs.function_url_auth == "NONE")) ? 1 : 0
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.function.function_name
  function_url_auth_type = "NONE"
  principal              = "*"
  statement_id           = "FunctionUrlAllowPublicAccess"
}

resource "aws_ssm_parameter" "endpoints" {
  for_each = merge(
    {
      "function_arn"  = aws_lambda_function.function.arn
      "function_name" = aws_lambda_function.function.function_name
    },
    var.service_instance.inputs.function_url ? { "url" = try(aws_lambda_function_url.url[0].function_url, "") } : {},
  )
  description = "protonkit endpoint ${each.key} of ${var.service.name}/${var.service_instance.name}"
  name        = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/${each.key}"
  type        = "String"
  value       = each.value
}
