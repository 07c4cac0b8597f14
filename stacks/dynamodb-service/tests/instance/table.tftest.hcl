# What dynamodb-service promises, checked on every example spec and on inputs set here.
mock_provider "aws" {}

variables {
  test_environment       = { account_id = "123456789012", name = "test", outputs = { tier = "test" } }
  production_environment = { account_id = "123456789012", name = "production", outputs = { tier = "production" } }
  defaults = {
    partition_key          = "pk"
    partition_key_type     = "S"
    sort_key_type          = "S"
    billing_mode           = "PAY_PER_REQUEST"
    read_capacity          = 5
    write_capacity         = 5
    point_in_time_recovery = true
    encryption             = "AWS_OWNED"
    deletion_protection    = false
    alarm_emails           = []
    alarm_https_endpoints  = []
    alarm_throttle_events  = 1
    alarm_system_errors    = 1
  }
}

run "table_follows_the_spec" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.table.name == "${var.service.name}-${var.service_instance.name}"
    error_message = "the table is named <service>-<instance>"
  }

  assert {
    condition     = aws_dynamodb_table.table.hash_key == var.service_instance.inputs.partition_key && contains(aws_dynamodb_table.table.attribute, { name = var.service_instance.inputs.partition_key, type = var.service_instance.inputs.partition_key_type })
    error_message = "the partition key and its type must come from the spec"
  }

  assert {
    condition     = aws_dynamodb_table.table.point_in_time_recovery[0].enabled == var.service_instance.inputs.point_in_time_recovery
    error_message = "point-in-time recovery must follow the spec"
  }

  assert {
    condition     = aws_dynamodb_table.table.deletion_protection_enabled == (var.environment.outputs.tier == "production" || var.service_instance.inputs.deletion_protection)
    error_message = "deletion protection must be on in production and wherever the spec asks for it"
  }

  assert {
    condition     = aws_ssm_parameter.endpoints["table_arn"].name == "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/table_arn" && aws_ssm_parameter.endpoints["table_arn"].value == aws_dynamodb_table.table.arn
    error_message = "table_arn must be published under /protonkit/<environment>/<service>/<instance>/table_arn"
  }

  assert {
    condition     = aws_ssm_parameter.endpoints["table_name"].value == aws_dynamodb_table.table.name && output.table_name == aws_dynamodb_table.table.name && output.table_arn == aws_dynamodb_table.table.arn
    error_message = "table_name and table_arn must be published as SSM parameters and outputs"
  }
}

run "alarms_follow_the_spec" {
  command = apply

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_read_throttles.threshold == var.service_instance.inputs.alarm_throttle_events && aws_cloudwatch_metric_alarm.alarms_write_throttles.threshold == var.service_instance.inputs.alarm_throttle_events
    error_message = "the throttle alarms' threshold must be alarm_throttle_events"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_read_throttles.metric_name == "ReadThrottleEvents" && aws_cloudwatch_metric_alarm.alarms_write_throttles.metric_name == "WriteThrottleEvents" && aws_cloudwatch_metric_alarm.alarms_read_throttles.dimensions.TableName == aws_dynamodb_table.table.name
    error_message = "the throttle alarms watch the table's read and write throttle events"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.alarms_system_errors.threshold == var.service_instance.inputs.alarm_system_errors && length(aws_cloudwatch_metric_alarm.alarms_system_errors.metric_query) == 10
    error_message = "the system error alarm adds up nine operations' SystemErrors and uses alarm_system_errors"
  }

  assert {
    condition = alltrue([for a in [aws_cloudwatch_metric_alarm.alarms_read_throttles, aws_cloudwatch_metric_alarm.alarms_write_throttles, aws_cloudwatch_metric_alarm.alarms_system_errors] :
    a.alarm_actions == toset([aws_sns_topic.alarms_topic.arn]) && a.ok_actions == toset([aws_sns_topic.alarms_topic.arn])])
    error_message = "every alarm notifies the instance's topic when it fires and when it recovers"
  }

  assert {
    condition     = aws_sns_topic.alarms_topic.kms_master_key_id == aws_kms_key.alarms_key.arn && aws_kms_key.alarms_key.enable_key_rotation
    error_message = "the alarm topic is encrypted with its own rotated KMS key"
  }

  assert {
    condition     = contains(jsondecode(aws_kms_key.alarms_key.policy).Statement[*].Principal, { Service = "cloudwatch.amazonaws.com" })
    error_message = "the key policy must let CloudWatch alarms publish to the encrypted topic"
  }

  assert {
    condition     = toset([for s in aws_sns_topic_subscription.alarms_email : s.endpoint]) == toset(var.service_instance.inputs.alarm_emails) && alltrue([for s in aws_sns_topic_subscription.alarms_email : s.protocol == "email"])
    error_message = "each alarm_emails address is an e-mail subscription"
  }

  assert {
    condition     = toset([for s in aws_sns_topic_subscription.alarms_https : s.endpoint]) == toset(var.service_instance.inputs.alarm_https_endpoints) && alltrue([for s in aws_sns_topic_subscription.alarms_https : s.protocol == "https"])
    error_message = "each alarm_https_endpoints URL is an HTTPS subscription"
  }
}

run "defaults_are_on_demand_with_pitr_and_no_deletion_protection_in_test" {
  command = plan
  # Own state: optional+computed attributes would otherwise keep values from the run before.
  state_key = "defaults_are_on_demand_with_pitr_and_no_deletion_protection_in_test"

  variables {
    environment      = var.test_environment
    service_instance = { name = "defaults", inputs = var.defaults, components = {} }
  }

  assert {
    condition     = aws_dynamodb_table.table.point_in_time_recovery[0].enabled == true
    error_message = "point-in-time recovery must be on by default"
  }

  assert {
    condition     = aws_dynamodb_table.table.billing_mode == "PAY_PER_REQUEST"
    error_message = "the default is on demand"
  }

  assert {
    condition     = aws_dynamodb_table.table.range_key == null && length(aws_dynamodb_table.table.attribute) == 1
    error_message = "without sort_key the table has a partition key only"
  }

  assert {
    condition     = aws_dynamodb_table.table.server_side_encryption[0].enabled == false
    error_message = "the default encryption is DynamoDB's AWS owned key"
  }

  assert {
    condition     = aws_dynamodb_table.table.ttl[0].enabled == false
    error_message = "without ttl_attribute TTL stays off"
  }

  assert {
    condition     = aws_dynamodb_table.table.deletion_protection_enabled == false
    error_message = "outside production deletion protection is off unless asked for"
  }
}

run "production_is_protected_whatever_the_spec_says" {
  command = plan
  # Own state: optional+computed attributes would otherwise keep values from the run before.
  state_key = "production_is_protected_whatever_the_spec_says"

  variables {
    environment      = var.production_environment
    service_instance = { name = "prod", inputs = merge(var.defaults, { deletion_protection = false }), components = {} }
  }

  assert {
    condition     = aws_dynamodb_table.table.deletion_protection_enabled == true
    error_message = "a production table must have deletion protection even when the spec sets deletion_protection = false"
  }
}

run "the_input_turns_protection_on_outside_production" {
  command = plan
  # Own state: optional+computed attributes would otherwise keep values from the run before.
  state_key = "the_input_turns_protection_on_outside_production"

  variables {
    environment      = var.test_environment
    service_instance = { name = "keep", inputs = merge(var.defaults, { deletion_protection = true }), components = {} }
  }

  assert {
    condition     = aws_dynamodb_table.table.deletion_protection_enabled == true
    error_message = "deletion_protection = true must protect the table in any tier"
  }
}

run "provisioned_composite_key_kms_and_ttl" {
  command = plan
  # Own state: optional+computed attributes would otherwise keep values from the run before.
  state_key = "provisioned_composite_key_kms_and_ttl"

  variables {
    environment = var.test_environment
    service_instance = {
      name = "tuned"
      inputs = merge(var.defaults, {
        sort_key               = "created_at"
        sort_key_type          = "N"
        billing_mode           = "PROVISIONED"
        read_capacity          = 20
        write_capacity         = 10
        point_in_time_recovery = false
        encryption             = "KMS"
        kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ttl_attribute          = "expires_at"
      })
      components = {}
    }
  }

  assert {
    condition     = aws_dynamodb_table.table.range_key == "created_at" && contains(aws_dynamodb_table.table.attribute, { name = "created_at", type = "N" }) && length(aws_dynamodb_table.table.attribute) == 2
    error_message = "sort_key and its type must become the range key attribute"
  }

  assert {
    condition     = aws_dynamodb_table.table.billing_mode == "PROVISIONED" && aws_dynamodb_table.table.read_capacity == 20 && aws_dynamodb_table.table.write_capacity == 10
    error_message = "provisioned capacity must follow read_capacity and write_capacity"
  }

  assert {
    condition     = aws_dynamodb_table.table.server_side_encryption[0].enabled && aws_dynamodb_table.table.server_side_encryption[0].kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "encryption KMS must use the given key"
  }

  assert {
    condition     = aws_dynamodb_table.table.ttl[0].enabled && aws_dynamodb_table.table.ttl[0].attribute_name == "expires_at"
    error_message = "ttl_attribute must turn TTL on for that attribute"
  }

  assert {
    condition     = aws_dynamodb_table.table.point_in_time_recovery[0].enabled == false
    error_message = "point_in_time_recovery = false must turn it off"
  }
}

run "kms_key_without_kms_encryption_is_refused" {
  command = plan
  # Own state: optional+computed attributes would otherwise keep values from the run before.
  state_key = "kms_key_without_kms_encryption_is_refused"

  variables {
    environment      = var.test_environment
    service_instance = { name = "wrong-key", inputs = merge(var.defaults, { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }), components = {} }
  }

  expect_failures = [aws_dynamodb_table.table]
}
