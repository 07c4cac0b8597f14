resource "aws_s3_bucket" "storage_bucket" {
  bucket_prefix = substr(
    lower(replace(join("-", [var.service.name, var.service_instance.name]), "/[^0-9A-Za-z-]+/", "-")),
    0,
    36,
  )
  force_destroy = false
}

resource "aws_s3_bucket_ownership_controls" "storage_ownership" {
  bucket = aws_s3_bucket.storage_bucket.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "storage_policy" {
  bucket = aws_s3_bucket.storage_bucket.id
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"       = "DenyInsecureTransport"
        "Effect"    = "Deny"
        "Principal" = "*"
        "Action"    = "s3:*"
        "Resource"  = [aws_s3_bucket.storage_bucket.arn, "${aws_s3_bucket.storage_bucket.arn}/*"]
        "Condition" = { "Bool" = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_s3_bucket_public_access_block" "storage_public_access" {
  block_public_acls       = true
  block_public_policy     = true
  bucket                  = aws_s3_bucket.storage_bucket.id
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "storage_encryption" {
  bucket = aws_s3_bucket.storage_bucket.id

  rule {
    bucket_key_enabled = (var.service_instance.inputs.encryption == "aws:kms")

    apply_server_side_encryption_by_default {
      kms_master_key_id = try(var.service_instance.inputs.kms_key_arn, null)
      sse_algorithm     = var.service_instance.inputs.encryption
    }
  }
}

resource "aws_s3_bucket_versioning" "storage_versioning" {
  bucket = aws_s3_bucket.storage_bucket.id

  versioning_configuration {
    status = var.service_instance.inputs.versioning ? "Enabled" : "Suspended"
  }
}
