resource "aws_ssm_parameter" "endpoints_endpoints" {
  for_each = {
    url = format(
      "http://%s:%d",
      format(
        "%s.%s",
        aws_service_discovery_service.network_discovery.name,
        var.environment.outputs.namespace_name,
      ),
      var.service_instance.inputs.port,
    )
  }
  description = "protonkit endpoint ${each.key} of ${var.service.name}/${var.service_instance.name}"
  name        = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/${each.key}"
  type        = "String"
  value       = each.value
}
