resource "aws_service_discovery_service" "network_discovery" {
  description   = "${var.service.name}/${var.service_instance.name}"
  force_destroy = true
  name          = (var.service_instance.inputs.dns_name == "") ? replace(lower(var.service.name), "_", "-") : var.service_instance.inputs.dns_name

  dns_config {
    namespace_id   = var.environment.outputs.namespace_id
    routing_policy = "MULTIVALUE"

    dns_records {
      ttl  = 10
      type = "A"
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_vpc_security_group_ingress_rule" "network_from_callers" {
  for_each                     = toset(toset(var.service_instance.inputs.allowed_security_group_ids))
  description                  = "HTTP from an allowed caller"
  from_port                    = var.service_instance.inputs.port
  ip_protocol                  = "tcp"
  referenced_security_group_id = each.value
  security_group_id            = aws_security_group.service_tasks.id
  to_port                      = var.service_instance.inputs.port
}

resource "aws_vpc_security_group_ingress_rule" "network_from_vpc" {
  count             = (length(var.service_instance.inputs.allowed_security_group_ids) == 0) ? 1 : 0
  cidr_ipv4         = var.environment.outputs.vpc_cidr
  description       = "HTTP from inside the VPC"
  from_port         = var.service_instance.inputs.port
  ip_protocol       = "tcp"
  security_group_id = aws_security_group.service_tasks.id
  to_port           = var.service_instance.inputs.port
}
