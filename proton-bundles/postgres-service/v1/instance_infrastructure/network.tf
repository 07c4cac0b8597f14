resource "aws_db_subnet_group" "network_subnets" {
  description = "Private subnets of ${var.environment.name}"
  name        = local.identifier
  subnet_ids  = jsondecode(var.environment.outputs.private_subnet_ids)
}

resource "aws_security_group" "network_database" {
  description = "PostgreSQL ${var.service.name}/${var.service_instance.name}: port 5432 from the VPC only"
  name        = local.identifier
  vpc_id      = var.environment.outputs.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "network_postgres_from_vpc" {
  cidr_ipv4         = var.environment.outputs.vpc_cidr
  description       = "PostgreSQL from the VPC"
  from_port         = 5432
  ip_protocol       = "tcp"
  security_group_id = aws_security_group.network_database.id
  to_port           = 5432
}
