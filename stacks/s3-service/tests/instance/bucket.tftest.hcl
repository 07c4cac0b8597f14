# What s3-service promises, checked on every example spec and on inputs set here.
mock_provider "aws" {}

run "bucket_is_private_encrypted_and_tls_only" {
  command = apply

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.storage_public_access.block_public_acls,
      aws_s3_bucket_public_access_block.storage_public_access.block_public_policy,
      aws_s3_bucket_public_access_block.storage_public_access.ignore_public_acls,
      aws_s3_bucket_public_access_block.storage_public_access.restrict_public_buckets,
    ])
    error_message = "all four public access block flags must be on"
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.storage_public_access.bucket == aws_s3_bucket.storage_bucket.id
    error_message = "the public access block must apply to the bucket"
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.storage_ownership.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.storage_encryption.rule).apply_server_side_encryption_by_default[0].sse_algorithm == var.service_instance.inputs.encryption
    error_message = "default encryption must use the algorithm the spec asks for"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.storage_encryption.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == try(var.service_instance.inputs.kms_key_arn, null)
    error_message = "SSE-KMS must use the spec's key (or the aws/s3 key when none is given)"
  }

  assert {
    condition     = aws_s3_bucket_policy.storage_policy.bucket == aws_s3_bucket.storage_bucket.id
    error_message = "the bucket policy must be on the bucket"
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.storage_policy.policy).Statement :
      s.Effect == "Deny"
      && s.Principal == "*"
      && contains(flatten([s.Action]), "s3:*")
      && contains(flatten([s.Resource]), aws_s3_bucket.storage_bucket.arn)
      && contains(flatten([s.Resource]), "${aws_s3_bucket.storage_bucket.arn}/*")
      && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "the bucket policy must deny every request made without TLS, to the bucket and its objects"
  }

  assert {
    condition     = !aws_s3_bucket.storage_bucket.force_destroy
    error_message = "the bucket must not be deletable while it holds objects"
  }

  assert {
    condition     = aws_s3_bucket_versioning.storage_versioning.versioning_configuration[0].status == (var.service_instance.inputs.versioning ? "Enabled" : "Suspended")
    error_message = "versioning must follow the versioning input"
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.lifecycle.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation == 7 && aws_s3_bucket_lifecycle_configuration.lifecycle.rule[0].status == "Enabled"
    error_message = "incomplete multipart uploads must always be cleaned up after 7 days"
  }
}

run "endpoints_are_published" {
  command = apply

  assert {
    condition     = aws_ssm_parameter.endpoints["bucket_arn"].name == "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/bucket_arn" && aws_ssm_parameter.endpoints["bucket_arn"].value == aws_s3_bucket.storage_bucket.arn
    error_message = "bucket_arn must be published under /protonkit/<environment>/<service>/<instance>/bucket_arn"
  }

  assert {
    condition     = aws_ssm_parameter.endpoints["bucket_name"].value == aws_s3_bucket.storage_bucket.bucket && output.bucket_name == aws_s3_bucket.storage_bucket.bucket
    error_message = "bucket_name must be published as an SSM parameter and an output"
  }

  assert {
    condition     = length(aws_ssm_parameter.endpoints) == 2 && output.bucket_arn == aws_s3_bucket.storage_bucket.arn
    error_message = "exactly bucket_name and bucket_arn are published"
  }
}

run "alarms_follow_the_spec" {
  command = apply

  assert {
    condition     = length(aws_s3_bucket_metric.alarms_request_metrics) == (var.service_instance.inputs.request_metrics ? 1 : 0) && length(aws_cloudwatch_metric_alarm.alarms_client_errors) == (var.service_instance.inputs.request_metrics ? 1 : 0) && length(aws_cloudwatch_metric_alarm.alarms_server_errors) == (var.service_instance.inputs.request_metrics ? 1 : 0)
    error_message = "request metrics and the 4xx and 5xx alarms exist exactly when request_metrics is on"
  }

  assert {
    condition = alltrue([for a in concat(aws_cloudwatch_metric_alarm.alarms_client_errors, aws_cloudwatch_metric_alarm.alarms_server_errors) :
    a.namespace == "AWS/S3" && a.dimensions.BucketName == aws_s3_bucket.storage_bucket.bucket && a.dimensions.FilterId == one(aws_s3_bucket_metric.alarms_request_metrics).name && a.alarm_actions == toset([aws_sns_topic.alarms_topic.arn])])
    error_message = "the alarms watch the bucket's request metrics (FilterId of the metrics configuration) and notify the instance's topic"
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.alarms_client_errors : a.metric_name == "4xxErrors" && a.threshold == var.service_instance.inputs.alarm_4xx_errors]) && alltrue([for a in aws_cloudwatch_metric_alarm.alarms_server_errors : a.metric_name == "5xxErrors" && a.threshold == var.service_instance.inputs.alarm_5xx_errors])
    error_message = "the 4xx and 5xx thresholds come from the spec"
  }

  assert {
    condition     = aws_sns_topic.alarms_topic.kms_master_key_id == aws_kms_key.alarms_key.arn && toset([for s in aws_sns_topic_subscription.alarms_email : s.endpoint]) == toset(var.service_instance.inputs.alarm_emails) && toset([for s in aws_sns_topic_subscription.alarms_https : s.endpoint]) == toset(var.service_instance.inputs.alarm_https_endpoints)
    error_message = "the topic is encrypted with its own key and subscribes the spec's e-mail addresses and HTTPS endpoints"
  }
}

run "defaults_expire_old_versions_and_keep_objects_in_standard" {
  command = plan
  # Own state, not the spec runs' applied one.
  state_key = "defaults_expire_old_versions_and_keep_objects_in_standard"

  variables {
    service_instance = {
      name       = "defaults"
      inputs     = { versioning = true, noncurrent_expiration_days = 90, transition_to_ia_days = 0, encryption = "AES256", request_metrics = false, alarm_emails = [], alarm_https_endpoints = [], alarm_4xx_errors = 100, alarm_5xx_errors = 5 }
      components = {}
    }
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.lifecycle.rule[1].status == "Enabled" && aws_s3_bucket_lifecycle_configuration.lifecycle.rule[1].noncurrent_version_expiration[0].noncurrent_days == 90
    error_message = "noncurrent versions must expire after noncurrent_expiration_days"
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.lifecycle.rule[2].status == "Disabled"
    error_message = "transition_to_ia_days = 0 must leave the Standard-IA rule disabled"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.storage_encryption.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256" && one(aws_s3_bucket_server_side_encryption_configuration.storage_encryption.rule).bucket_key_enabled == false
    error_message = "the default is SSE-S3, without bucket keys"
  }
}

run "lifecycle_follows_inputs" {
  command = plan
  # Own state, not the spec runs' applied one.
  state_key = "lifecycle_follows_inputs"

  variables {
    service_instance = {
      name       = "tuned"
      inputs     = { versioning = false, noncurrent_expiration_days = 0, transition_to_ia_days = 45, encryption = "aws:kms", request_metrics = false, alarm_emails = [], alarm_https_endpoints = [], alarm_4xx_errors = 100, alarm_5xx_errors = 5 }
      components = {}
    }
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.lifecycle.rule[1].status == "Disabled"
    error_message = "noncurrent_expiration_days = 0 must keep old versions (rule disabled)"
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.lifecycle.rule[2].status == "Enabled" && one(aws_s3_bucket_lifecycle_configuration.lifecycle.rule[2].transition).days == 45 && one(aws_s3_bucket_lifecycle_configuration.lifecycle.rule[2].transition).storage_class == "STANDARD_IA"
    error_message = "objects must move to STANDARD_IA after transition_to_ia_days"
  }

  assert {
    condition     = aws_s3_bucket_versioning.storage_versioning.versioning_configuration[0].status == "Suspended"
    error_message = "versioning = false must suspend versioning"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.storage_encryption.rule).bucket_key_enabled == true
    error_message = "SSE-KMS must use bucket keys"
  }
}

run "transition_sooner_than_30_days_is_refused" {
  command = plan
  # Own state, not the spec runs' applied one.
  state_key = "transition_sooner_than_30_days_is_refused"

  variables {
    service_instance = {
      name       = "too-soon"
      inputs     = { versioning = true, noncurrent_expiration_days = 90, transition_to_ia_days = 10, encryption = "AES256", request_metrics = false, alarm_emails = [], alarm_https_endpoints = [], alarm_4xx_errors = 100, alarm_5xx_errors = 5 }
      components = {}
    }
  }

  expect_failures = [aws_s3_bucket_lifecycle_configuration.lifecycle]
}

run "kms_key_without_kms_encryption_is_refused" {
  command = plan
  # Own state, not the spec runs' applied one.
  state_key = "kms_key_without_kms_encryption_is_refused"

  variables {
    service_instance = {
      name       = "wrong-key"
      inputs     = { versioning = true, noncurrent_expiration_days = 90, transition_to_ia_days = 0, encryption = "AES256", kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", request_metrics = false, alarm_emails = [], alarm_https_endpoints = [], alarm_4xx_errors = 100, alarm_5xx_errors = 5 }
      components = {}
    }
  }

  expect_failures = [aws_s3_bucket_lifecycle_configuration.lifecycle]
}
