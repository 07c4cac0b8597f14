# What postgres-service promises, checked on every example spec and on inputs set here.
mock_provider "aws" {
  source = "./tests/mocks/aws"
}

variables {
  network = {
    vpc_id             = "vpc-0a1b2c3d4e5f60718"
    vpc_cidr           = "10.0.0.0/16"
    private_subnet_ids = "[\"subnet-0bb00000000000001\",\"subnet-0bb00000000000002\"]"
  }
  defaults = {
    engine_version        = "17"
    instance_class        = "db.t4g.micro"
    allocated_storage     = 20
    max_allocated_storage = 100
    db_name               = "app"
    master_username       = "dbadmin"
    multi_az              = false
    backup_retention_days = 7
    deletion_protection   = false
  }
}

run "database_is_private_encrypted_and_follows_the_spec" {
  command = apply

  assert {
    condition     = aws_db_instance.database.publicly_accessible == false
    error_message = "the database must never be publicly accessible"
  }

  assert {
    condition     = aws_db_instance.database.storage_encrypted == true
    error_message = "storage must be encrypted"
  }

  assert {
    condition     = aws_db_instance.database.manage_master_user_password == true && aws_db_instance.database.password == null
    error_message = "RDS must manage the master password in Secrets Manager; the template must not set one"
  }

  assert {
    condition     = aws_db_instance.database.engine == "postgres" && aws_db_instance.database.engine_version == var.service_instance.inputs.engine_version
    error_message = "engine and major version must follow the spec"
  }

  assert {
    condition     = aws_db_instance.database.multi_az == var.service_instance.inputs.multi_az && aws_db_instance.database.backup_retention_period == var.service_instance.inputs.backup_retention_days
    error_message = "Multi-AZ and backup retention must follow the spec"
  }

  assert {
    condition     = aws_db_instance.database.deletion_protection == (var.environment.outputs.tier == "production" || var.service_instance.inputs.deletion_protection)
    error_message = "deletion protection must be on in production and wherever the spec asks for it"
  }

  assert {
    condition     = aws_db_subnet_group.network_subnets.subnet_ids == toset(jsondecode(var.environment.outputs.private_subnet_ids)) && aws_db_instance.database.db_subnet_group_name == aws_db_subnet_group.network_subnets.name
    error_message = "the database must live in the environment's private subnets"
  }

  assert {
    condition     = aws_db_instance.database.vpc_security_group_ids == toset([aws_security_group.network_database.id]) && aws_security_group.network_database.vpc_id == var.environment.outputs.vpc_id
    error_message = "the database must use its own security group, in the environment's VPC"
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.network_postgres_from_vpc.security_group_id == aws_security_group.network_database.id
      && aws_vpc_security_group_ingress_rule.network_postgres_from_vpc.cidr_ipv4 == var.environment.outputs.vpc_cidr
      && aws_vpc_security_group_ingress_rule.network_postgres_from_vpc.ip_protocol == "tcp"
      && aws_vpc_security_group_ingress_rule.network_postgres_from_vpc.from_port == 5432
      && aws_vpc_security_group_ingress_rule.network_postgres_from_vpc.to_port == 5432
    )
    error_message = "only TCP 5432 from the VPC CIDR may reach the database"
  }
}

run "endpoints_are_published" {
  command = apply

  assert {
    condition     = output.secret_arn == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123-AbCdEf" && aws_ssm_parameter.endpoints["secret_arn"].value == output.secret_arn
    error_message = "secret_arn must be the managed master user secret, as output and SSM parameter"
  }

  assert {
    condition     = aws_ssm_parameter.endpoints["endpoint"].name == "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/endpoint" && aws_ssm_parameter.endpoints["endpoint"].value == aws_db_instance.database.address
    error_message = "endpoint must be published under /protonkit/<environment>/<service>/<instance>/endpoint"
  }

  assert {
    condition     = aws_ssm_parameter.endpoints["port"].value == tostring(aws_db_instance.database.port) && aws_ssm_parameter.endpoints["db_name"].value == var.service_instance.inputs.db_name
    error_message = "port and db_name must be published"
  }

  assert {
    condition     = output.endpoint == aws_db_instance.database.address && output.port == aws_db_instance.database.port && output.db_name == var.service_instance.inputs.db_name
    error_message = "endpoint, port and db_name must be outputs"
  }
}

run "production_is_protected_whatever_the_spec_says" {
  command   = plan
  state_key = "production"

  variables {
    environment      = { account_id = "123456789012", name = "production", outputs = merge(var.network, { tier = "production" }) }
    service_instance = { name = "prod", inputs = merge(var.defaults, { deletion_protection = false }), components = {} }
  }

  assert {
    condition     = aws_db_instance.database.deletion_protection == true
    error_message = "a production database must have deletion protection even when the spec sets deletion_protection = false"
  }

  assert {
    condition     = aws_db_instance.database.skip_final_snapshot == false
    error_message = "destroying a protected database must leave a final snapshot"
  }
}

run "test_tier_is_unprotected_unless_asked" {
  command   = plan
  state_key = "test"

  variables {
    environment      = { account_id = "123456789012", name = "test", outputs = merge(var.network, { tier = "test" }) }
    service_instance = { name = "scratch", inputs = var.defaults, components = {} }
  }

  assert {
    condition     = aws_db_instance.database.deletion_protection == false && aws_db_instance.database.skip_final_snapshot == true
    error_message = "outside production the default is no deletion protection and no final snapshot"
  }
}

run "the_input_turns_protection_on_outside_production" {
  command   = plan
  state_key = "staging"

  variables {
    environment      = { account_id = "123456789012", name = "staging", outputs = merge(var.network, { tier = "staging" }) }
    service_instance = { name = "keep", inputs = merge(var.defaults, { deletion_protection = true }), components = {} }
  }

  assert {
    condition     = aws_db_instance.database.deletion_protection == true
    error_message = "deletion_protection = true must protect the database in any tier"
  }
}
