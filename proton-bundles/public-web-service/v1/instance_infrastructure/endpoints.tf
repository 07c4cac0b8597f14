resource "aws_ssm_parameter" "endpoints_endpoints" {
  for_each = {
    url = (var.service_instance.inputs.certificate_arn != "") ? "https://${aws_lb.load_balancer_alb.dns_name}" : "http://${aws_lb.load_balancer_alb.dns_name}"
  }
  description = "protonkit endpoint ${each.key} of ${var.service.name}/${var.service_instance.name}"
  name        = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/${each.key}"
  type        = "String"
  value       = each.value
}
