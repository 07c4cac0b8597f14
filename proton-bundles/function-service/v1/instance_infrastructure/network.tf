resource "aws_security_group" "network_function" {
  count       = var.service_instance.inputs.vpc ? 1 : 0
  description = "Lambda function ${local.function_name}: outbound only"
  name        = local.function_name
  vpc_id      = var.environment.outputs.vpc_id

  egress {
    cidr_blocks = ["0.0.0.0/0"]
    description = "Outbound to AWS APIs and dependencies"
    from_port   = 0
    protocol    = "-1"
    to_port     = 0
  }
}
