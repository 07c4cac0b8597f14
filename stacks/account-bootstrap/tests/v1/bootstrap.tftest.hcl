# What account-bootstrap promises: roles only the provisioning repository can assume (plan:
# pull requests and the main branch; apply: the main branch only), a protected state bucket,
# and outputs that fill an environments entry of .protonkit/provisioning.yaml.
mock_provider "aws" {
  source = "./tests/mocks/aws"
}

variables {
  issuer = "token.actions.githubusercontent.com"
}

run "roles_trust_only_the_provisioning_repository" {
  command = apply

  assert {
    condition = jsondecode(aws_iam_role.roles_plan.assume_role_policy).Statement == [{
      Sid       = "GitHubActionsProvisioningRepository"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = [
            "repo:${var.environment.inputs.repository}:pull_request",
            "repo:${var.environment.inputs.repository}:ref:refs/heads/${var.environment.inputs.main_branch}",
          ]
        }
      }
    }]
    error_message = "the plan role must trust exactly the repository's pull requests and main branch, through GitHub's OIDC provider, audience sts.amazonaws.com"
  }

  assert {
    condition = jsondecode(aws_iam_role.roles_apply.assume_role_policy).Statement == [{
      Sid       = "GitHubActionsProvisioningRepository"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = ["repo:${var.environment.inputs.repository}:ref:refs/heads/${var.environment.inputs.main_branch}"]
        }
      }
    }]
    error_message = "the apply role must trust only the repository's main branch (no pull requests, no other repository, no wildcard)"
  }

  assert {
    condition     = aws_iam_role_policy_attachment.roles_plan_read_only.role == aws_iam_role.roles_plan.name && aws_iam_role_policy_attachment.roles_plan_read_only.policy_arn == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    error_message = "the plan role must have ReadOnlyAccess"
  }

  assert {
    condition     = aws_iam_role_policy_attachment.roles_apply_administrator.role == aws_iam_role.roles_apply.name && aws_iam_role_policy_attachment.roles_apply_administrator.role != aws_iam_role.roles_plan.name
    error_message = "AdministratorAccess belongs to the apply role only"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.roles_plan_state.policy).Statement == [
      { Sid = "ListState", Effect = "Allow", Action = "s3:ListBucket", Resource = aws_s3_bucket.state_bucket.arn },
      { Sid = "ReadState", Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.state_bucket.arn}/*" },
      { Sid = "Lock", Effect = "Allow", Action = ["s3:PutObject", "s3:DeleteObject"], Resource = "${aws_s3_bucket.state_bucket.arn}/*.tflock" },
    ] && aws_iam_role_policy.roles_plan_state.role == aws_iam_role.roles_plan.id
    error_message = "beyond read-only, the plan role may read state and write only lock files"
  }

  assert {
    condition     = aws_iam_role.roles_plan.name == "${var.environment.inputs.name_prefix}-plan" && aws_iam_role.roles_apply.name == "${var.environment.inputs.name_prefix}-apply"
    error_message = "roles are named <prefix>-plan and <prefix>-apply"
  }
}

run "github_oidc_provider" {
  command = apply

  assert {
    condition = var.environment.inputs.create_oidc_provider ? (
      length(aws_iam_openid_connect_provider.github_oidc_provider) == 1
      && aws_iam_openid_connect_provider.github_oidc_provider[0].url == "https://${var.issuer}"
      && toset(aws_iam_openid_connect_provider.github_oidc_provider[0].client_id_list) == toset(["sts.amazonaws.com"])
      ) : (
      length(aws_iam_openid_connect_provider.github_oidc_provider) == 0
      && data.aws_iam_openid_connect_provider.github_existing_oidc_provider[0].url == "https://${var.issuer}"
    )
    error_message = "GitHub's OIDC provider (audience sts.amazonaws.com) is created, or looked up when create_oidc_provider is false"
  }
}

run "state_bucket_is_protected" {
  command = apply

  assert {
    condition     = aws_s3_bucket.state_bucket.bucket == (var.environment.inputs.state_bucket_name == "" ? "${var.environment.inputs.name_prefix}-tfstate-123456789012-eu-west-1" : var.environment.inputs.state_bucket_name)
    error_message = "the state bucket is named by the spec, else <prefix>-tfstate-<account>-<region>"
  }

  assert {
    condition     = aws_s3_bucket_versioning.state_versioning.versioning_configuration[0].status == "Enabled"
    error_message = "state must be versioned"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.state_public_access.bucket == aws_s3_bucket.state_bucket.id,
      aws_s3_bucket_public_access_block.state_public_access.block_public_acls,
      aws_s3_bucket_public_access_block.state_public_access.block_public_policy,
      aws_s3_bucket_public_access_block.state_public_access.ignore_public_acls,
      aws_s3_bucket_public_access_block.state_public_access.restrict_public_buckets,
    ])
    error_message = "all public access to the state bucket must be blocked"
  }

  assert {
    condition     = contains(["AES256", "aws:kms"], one(aws_s3_bucket_server_side_encryption_configuration.state_encryption.rule).apply_server_side_encryption_by_default[0].sse_algorithm) && aws_s3_bucket_server_side_encryption_configuration.state_encryption.bucket == aws_s3_bucket.state_bucket.id
    error_message = "state must be encrypted at rest"
  }

  assert {
    condition = aws_s3_bucket_policy.state_policy.bucket == aws_s3_bucket.state_bucket.id && anytrue([
      for s in jsondecode(aws_s3_bucket_policy.state_policy.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*"
      && toset(s.Resource) == toset([aws_s3_bucket.state_bucket.arn, "${aws_s3_bucket.state_bucket.arn}/*"])
      && s.Condition == { Bool = { "aws:SecureTransport" = "false" } }
    ])
    error_message = "the state bucket must refuse every request made without TLS"
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.state_ownership.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled on the state bucket"
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.state_lifecycle.rule[0].noncurrent_version_expiration).noncurrent_days == var.environment.inputs.noncurrent_state_days
    error_message = "old state versions expire after noncurrent_state_days"
  }

  assert {
    condition     = !aws_s3_bucket.state_bucket.force_destroy
    error_message = "the state bucket must not be deletable while it holds state"
  }
}

run "outputs_are_a_provisioning_yaml_entry" {
  command = apply

  assert {
    condition     = output.plan_role_arn == aws_iam_role.roles_plan.arn && output.apply_role_arn == aws_iam_role.roles_apply.arn
    error_message = "plan_role_arn and apply_role_arn must be the roles' ARNs"
  }

  assert {
    condition     = output.region == "eu-west-1" && output.state_bucket == aws_s3_bucket.state_bucket.bucket
    error_message = "region and state_bucket must be the bucket's region and name"
  }
}

run "existing_oidc_provider_is_looked_up" {
  command   = apply
  state_key = "existing_provider"

  variables {
    environment = {
      name   = "acct"
      inputs = { repository = "acme/provisioning", main_branch = "trunk", name_prefix = "acme", state_bucket_name = "", create_oidc_provider = false, noncurrent_state_days = 30 }
    }
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github_oidc_provider) == 0 && length(data.aws_iam_openid_connect_provider.github_existing_oidc_provider) == 1
    error_message = "create_oidc_provider = false must look the provider up instead of creating one"
  }

  assert {
    condition     = jsondecode(aws_iam_role.roles_apply.assume_role_policy).Statement[0].Principal.Federated == data.aws_iam_openid_connect_provider.github_existing_oidc_provider[0].arn
    error_message = "the roles must trust the existing provider"
  }

  assert {
    condition     = jsondecode(aws_iam_role.roles_apply.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == ["repo:acme/provisioning:ref:refs/heads/trunk"]
    error_message = "the apply role must follow main_branch"
  }

  assert {
    condition     = output.state_bucket == "acme-tfstate-123456789012-eu-west-1"
    error_message = "an empty state_bucket_name gives <prefix>-tfstate-<account>-<region>"
  }
}
