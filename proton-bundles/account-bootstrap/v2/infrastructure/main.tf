locals {
  oidc_provider_arn = one(concat(
    aws_iam_openid_connect_provider.github_oidc_provider[*].arn,
    data.aws_iam_openid_connect_provider.github_existing_oidc_provider[*].arn,
  ))
  state_bucket_name = ("" == var.environment.inputs.state_bucket_name) ? join("-", [var.environment.inputs.name_prefix, "tfstate", data.aws_caller_identity.account.account_id, data.aws_region.region.name]) : var.environment.inputs.state_bucket_name
}

data "aws_caller_identity" "account" {}

data "aws_partition" "partition" {}

data "aws_region" "region" {}

resource "aws_s3_bucket_lifecycle_configuration" "state_lifecycle" {
  depends_on = [aws_s3_bucket_versioning.state_versioning]
  bucket     = aws_s3_bucket.state_bucket.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }

    filter {
      prefix = ""
    }

    noncurrent_version_expiration {
      noncurrent_days = var.environment.inputs.noncurrent_state_days
    }
  }
}
