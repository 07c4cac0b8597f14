resource "aws_dynamodb_table" "table" {
  billing_mode                = var.service_instance.inputs.billing_mode
  deletion_protection_enabled = ((var.environment.outputs.tier == "production") || var.service_instance.inputs.deletion_protection)
  hash_key                    = var.service_instance.inputs.partition_key
  name                        = join("-", [var.service.name, var.service_instance.name])
  range_key                   = try(var.service_instance.inputs.sort_key, null)
  read_capacity               = (var.service_instance.inputs.billing_mode == "PROVISIONED") ? var.service_instance.inputs.read_capacity : null
  write_capacity              = (var.service_instance.inputs.billing_mode == "PROVISIONED") ? var.service_instance.inputs.write_capacity : null

  dynamic "attribute" {
    for_each = toset(concat(
      [
        {
          "name" = var.service_instance.inputs.partition_key
          "type" = var.service_instance.inputs.partition_key_type
        },
      ],
      (try(var.service_instance.inputs.sort_key, null) != null) ? [{ "name" = try(var.service_instance.inputs.sort_key, null), "type" = var.service_instance.inputs.sort_key_type }] : [],
    ))
    iterator = each

    content {
      name = each.value.name
      type = each.value.type
    }
  }

  point_in_time_recovery {
    enabled = var.service_instance.inputs.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = (var.service_instance.inputs.encryption == "KMS")
    kms_key_arn = try(var.service_instance.inputs.kms_key_arn, null)
  }

  ttl {
    attribute_name = try(var.service_instance.inputs.ttl_attribute, null)
    enabled        = (try(var.service_instance.inputs.ttl_attribute, null) != null)
  }

  lifecycle {
    precondition {
      condition     = ((try(var.service_instance.inputs.kms_key_arn, null) == null) || (var.service_instance.inputs.encryption == "KMS"))
      error_message = "kms_key_arn is only used with encryption KMS: set encryption to KMS or remove kms_key_arn."
    }

    precondition {
      condition     = (!(try(var.service_instance.inputs.sort_key, null) != null) || (try(var.service_instance.inputs.sort_key, null) != var.service_instance.inputs.partition_key))
      error_message = "sort_key must differ from partition_key."
    }
  }
}

resource "aws_ssm_parameter" "endpoints" {
  for_each = {
    table_name = aws_dynamodb_table.table.name
    table_arn  = aws_dynamodb_table.table.arn
  }
  description = "protonkit endpoint ${each.key} of ${var.service.name}/${var.service_instance.name}"
  name        = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/${each.key}"
  type        = "String"
  value       = each.value
}
