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
    alarm_emails               = []
    alarm_https_endpoints      = []
    alarm_cpu_percent          = 80
    alarm_free_storage_percent = 10
    alarm_connections          = 0
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

run "alarms_follow_the_spec" {
  command = apply

  assert {
    condition = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_cpu, aws_cloudwatch_metric_alarm.alarms_free_storage, aws_cloudwatch_metric_alarm.alarms_connections] :
    a.namespace == "AWS/RDS" && a.dimensions.DBInstanceIdentifier == aws_db_instance.database.identifier && a.alarm_actions == toset([aws_sns_topic.alarms_topic.arn]) && a.ok_actions == toset([aws_sns_topic.alarms_topic.arn])])
    error_message = "the CPU, free storage and connections alarms watch the instance and notify its topic"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_cpu.metric_name == "CPUUtilization" && aws_cloudwatch_metric_alarm.alarms_cpu.threshold == var.service_instance.inputs.alarm_cpu_percent
    error_message = "the CPU alarm's threshold is alarm_cpu_percent"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_free_storage.comparison_operator == "LessThanThreshold" && aws_cloudwatch_metric_alarm.alarms_free_storage.threshold == floor(var.service_instance.inputs.allocated_storage * 1073741824 * var.service_instance.inputs.alarm_free_storage_percent / 100)
    error_message = "the free storage alarm fires below alarm_free_storage_percent of allocated_storage, in bytes"
  }

  assert {
    condition     = var.service_instance.inputs.alarm_connections == 0 || aws_cloudwatch_metric_alarm.alarms_connections.threshold == var.service_instance.inputs.alarm_connections
    error_message = "a non-zero alarm_connections is the connections alarm's threshold"
  }

  assert {
    condition     = aws_sns_topic.alarms_topic.kms_master_key_id == aws_kms_key.alarms_key.arn && toset([for s in aws_sns_topic_subscription.alarms_email : s.endpoint]) == toset(var.service_instance.inputs.alarm_emails) && toset([for s in aws_sns_topic_subscription.alarms_https : s.endpoint]) == toset(var.service_instance.inputs.alarm_https_endpoints)
    error_message = "the topic is encrypted with its own key and subscribes the spec's e-mail addresses and HTTPS endpoints"
  }
}

run "connection_alarm_defaults_follow_the_instance_class" {
  command   = plan
  state_key = "alarm_defaults"

  variables {
    environment      = { account_id = "123456789012", name = "test", outputs = merge(var.network, { tier = "test" }) }
    service_instance = { name = "small", inputs = var.defaults, components = {} }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_connections.threshold == 90 && aws_cloudwatch_metric_alarm.alarms_cpu.threshold == 80 && aws_cloudwatch_metric_alarm.alarms_free_storage.threshold == 2147483648
    error_message = "defaults: db.t4g.micro (1 GiB, max_connections 112) alarms at 90 connections, CPU at 80%, free storage below 2 GiB of 20"
  }
}

run "connection_alarm_of_a_memory_optimized_class" {
  command   = plan
  state_key = "alarm_r_class"

  variables {
    environment      = { account_id = "123456789012", name = "test", outputs = merge(var.network, { tier = "test" }) }
    service_instance = { name = "big", inputs = merge(var.defaults, { instance_class = "db.r7g.large" }), components = {} }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_connections.threshold == 1441
    error_message = "db.r7g.large (16 GiB, max_connections 1802) alarms at 1441 connections (80% of 1802.45, rounded down)"
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
