resource "aws_security_group" "network_worker" {
  description = "Worker ${var.service.name}-${var.service_instance.name}"
  name        = "${var.service.name}-${var.service_instance.name}"
  vpc_id      = var.environment.outputs.vpc_id

  egress {
    cidr_blocks = ["0.0.0.0/0"]
    description = "All outbound"
    from_port   = 0
    protocol    = "-1"
    to_port     = 0
  }

  ingress {
    cidr_blocks = var.service_instance.inputs.allowed_cidrs
    description = "Worker port"
    from_port   = var.service_instance.inputs.port
    protocol    = "tcp"
    to_port     = var.service_instance.inputs.port
  }
}
