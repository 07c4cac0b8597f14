resource "aws_cloudwatch_log_group" "logs" {
  name              = "/protonkit/${var.environment.name}/${var.service.name}-${var.service_instance.name}"
  retention_in_days = tonumber(var.service_instance.inputs.log_retention_days)
}

resource "aws_ssm_parameter" "settings" {
  name = "/protonkit/${var.environment.name}/${var.service.name}-${var.service_instance.name}/settings"
  type = "String"
  value = jsonencode({
    "port"      = var.service_instance.inputs.port
    "debug"     = var.service_instance.inputs.debug
    "owner"     = var.service_instance.inputs.owner_email
    "subnets"   = jsondecode(var.environment.outputs.private_subnet_ids)
    "queue_url" = try(var.service_instance.components.default.outputs.queue_url, "")
  })
}
