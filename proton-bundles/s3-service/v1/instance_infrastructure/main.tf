resource "aws_s3_bucket_lifecycle_configuration" "lifecycle" {
  depends_on = [aws_s3_bucket_versioning.storage_versioning]
  bucket     = aws_s3_bucket.storage_bucket.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }

    filter {
      prefix = ""
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = (0 < var.service_instance.inputs.noncurrent_expiration_days) ? "Enabled" : "Disabled"

    filter {
      prefix = ""
    }

    noncurrent_version_expiration {
      noncurrent_days = max(var.service_instance.inputs.noncurrent_expiration_days, 1)
    }
  }

  rule {
    id     = "transition-to-standard-ia"
    status = (0 < var.service_instance.inputs.transition_to_ia_days) ? "Enabled" : "Disabled"

    filter {
      prefix = ""
    }

    transition {
      days          = max(var.service_instance.inputs.transition_to_ia_days, 30)
      storage_class = "STANDARD_IA"
    }
  }

  lifecycle {
    precondition {
      condition     = ((0 == var.service_instance.inputs.transition_to_ia_days) || (30 <= var.service_instance.inputs.transition_to_ia_days))
      error_message = "transition_to_ia_days must be 0 (never) or at least 30: S3 moves objects to STANDARD_IA no sooner."
    }

    precondition {
      condition     = ((try(var.service_instance.inputs.kms_key_arn, null) == null) || (var.service_instance.inputs.encryption == "aws:kms"))
      error_message = "kms_key_arn is only used with encryption aws:kms: set encryption to aws:kms or remove kms_key_arn."
    }
  }
}

resource "aws_ssm_parameter" "endpoints" {
  for_each = {
    bucket_name = aws_s3_bucket.storage_bucket.bucket
    bucket_arn  = aws_s3_bucket.storage_bucket.arn
  }
  description = "protonkit endpoint ${each.key} of ${var.service.name}/${var.service_instance.name}"
  name        = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/${each.key}"
  type        = "String"
  value       = each.value
}
