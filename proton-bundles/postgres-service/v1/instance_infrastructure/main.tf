locals {
  alarms_connections_threshold = (0 < var.service_instance.inputs.alarm_connections) ? var.service_instance.inputs.alarm_connections : floor((min((((lookup({ "micro" = 1, "small" = 2, "medium" = 4, "large" = 8, "xlarge" = 16, "2xlarge" = 32, "4xlarge" = 64, "8xlarge" = 128, "12xlarge" = 192, "16xlarge" = 256, "24xlarge" = 384 }, element(split(".", var.service_instance.inputs.instance_class), 2), 8) * lookup({ "r" = 2, "x" = 4 }, substr(element(split(".", var.service_instance.inputs.instance_class), 1), 0, 1), 1)) * 1073741824) / 9531392), 5000) * 0.8))
  identifier = substr(
    lower(replace(
      join("-", ["pg", var.service.name, var.service_instance.name]),
      "/[^0-9A-Za-z]+/",
      "-",
    )),
    0,
    63,
  )
}

resource "aws_db_instance" "database" {
  allocated_storage                   = var.service_instance.inputs.allocated_storage
  auto_minor_version_upgrade          = true
  backup_retention_period             = var.service_instance.inputs.backup_retention_days
  copy_tags_to_snapshot               = true
  db_name                             = var.service_instance.inputs.db_name
  db_subnet_group_name                = aws_db_subnet_group.network_subnets.name
  deletion_protection                 = ((var.environment.outputs.tier == "production") || var.service_instance.inputs.deletion_protection)
  engine                              = "postgres"
  engine_version                      = var.service_instance.inputs.engine_version
  final_snapshot_identifier           = "${local.identifier}-final"
  iam_database_authentication_enabled = true
  identifier                          = local.identifier
  instance_class                      = var.service_instance.inputs.instance_class
  manage_master_user_password         = true
  max_allocated_storage               = var.service_instance.inputs.max_allocated_storage
  multi_az                            = var.service_instance.inputs.multi_az
  publicly_accessible                 = false
  skip_final_snapshot                 = !((var.environment.outputs.tier == "production") || var.service_instance.inputs.deletion_protection)
  storage_encrypted                   = true
  storage_type                        = "gp3"
  username                            = var.service_instance.inputs.master_username
  vpc_security_group_ids              = [aws_security_group.network_database.id]
}

resource "aws_ssm_parameter" "endpoints" {
  for_each = {
    endpoint   = aws_db_instance.database.address
    port       = tostring(aws_db_instance.database.port)
    db_name    = aws_db_instance.database.db_name
    secret_arn = aws_db_instance.database.master_user_secret[0].secret_arn
  }
  description = "protonkit endpoint ${each.key} of ${var.service.name}/${var.service_instance.name}"
  name        = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/${each.key}"
  type        = "String"
  value       = each.value
}
