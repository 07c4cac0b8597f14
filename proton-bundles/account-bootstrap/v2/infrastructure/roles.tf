resource "aws_iam_role" "roles_apply" {
  for_each = toset(toset(var.environment.inputs.environments))
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"       = "GitHubReusableWorkflowAtMainInEnvironment"
        "Effect"    = "Allow"
        "Principal" = { "Federated" = local.oidc_provider_arn }
        "Action"    = "sts:AssumeRoleWithWebIdentity"
        "Condition" = {
          "StringEquals" = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = format(
              "repo:%s:environment:%s:job_workflow_ref:%s",
              var.environment.inputs.repository,
              each.value,
              format(
                "%s/%s@refs/heads/%s",
                var.environment.inputs.repository,
                ".github/workflows/protonkit-provision-jobs.yml",
                var.environment.inputs.main_branch,
              ),
            )
          }
        }
      },
    ]
  })
  description = format(
    "protonkit apply of environment %s: deploys what merges to %s of %s",
    each.value,
    var.environment.inputs.main_branch,
    var.environment.inputs.repository,
  )
  max_session_duration = 3600
  name                 = format("%s-apply-%s", var.environment.inputs.name_prefix, each.value)
}

resource "aws_iam_role" "roles_plan" {
  for_each = toset(toset(var.environment.inputs.environments))
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"       = "GitHubReusableWorkflowAtMainInEnvironment"
        "Effect"    = "Allow"
        "Principal" = { "Federated" = local.oidc_provider_arn }
        "Action"    = "sts:AssumeRoleWithWebIdentity"
        "Condition" = {
          "StringEquals" = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = format(
              "repo:%s:environment:%s:job_workflow_ref:%s",
              var.environment.inputs.repository,
              format("protonkit-plan-%s", each.value),
              format(
                "%s/%s@refs/heads/%s",
                var.environment.inputs.repository,
                ".github/workflows/protonkit-provision-jobs.yml",
                var.environment.inputs.main_branch,
              ),
            )
          }
        }
      },
    ]
  })
  description = format(
    "protonkit plan of environment %s: view-only, from %s",
    each.value,
    var.environment.inputs.repository,
  )
  max_session_duration = 3600
  name                 = format("%s-plan-%s", var.environment.inputs.name_prefix, each.value)
}

resource "aws_iam_role_policy" "roles_plan_limits" {
  for_each = aws_iam_role.roles_plan
  name     = "protonkit-plan-limits"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "NoDataPlaneReads"
        "Effect" = "Deny"
        "Action" = [
          "athena:GetQueryResults",
          "dynamodb:BatchGetItem",
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:Scan",
          "ec2:GetPasswordData",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "kinesis:GetRecords",
          "kms:Decrypt",
          "logs:FilterLogEvents",
          "logs:GetLogEvents",
          "rds:DownloadDBLogFilePortion",
          "secretsmanager:GetSecretValue",
          "sqs:ReceiveMessage",
          "ssm:GetParameter",
          "ssm:GetParameterHistory",
          "ssm:GetParameters",
          "ssm:GetParametersByPath",
        ]
        "Resource" = "*"
      },
      {
        "Sid"    = "NoObjectReadsButOwnState"
        "Effect" = "Deny"
        "Action" = ["s3:GetObject", "s3:GetObjectVersion"]
        "NotResource" = [
          format(
            "%s/%s%s/*",
            aws_s3_bucket.state_bucket.arn,
            var.environment.inputs.state_key_prefix,
            each.key,
          ),
          format(
            "%s/%senvironments/%s/*",
            aws_s3_bucket.state_bucket.arn,
            var.environment.inputs.state_key_prefix,
            each.key,
          ),
        ]
      },
      {
        "Sid"      = "ListState"
        "Effect"   = "Allow"
        "Action"   = "s3:ListBucket"
        "Resource" = aws_s3_bucket.state_bucket.arn
      },
      {
        "Sid"    = "ReadOwnState"
        "Effect" = "Allow"
        "Action" = "s3:GetObject"
        "Resource" = [
          format(
            "%s/%s%s/*",
            aws_s3_bucket.state_bucket.arn,
            var.environment.inputs.state_key_prefix,
            each.key,
          ),
          format(
            "%s/%senvironments/%s/*",
            aws_s3_bucket.state_bucket.arn,
            var.environment.inputs.state_key_prefix,
            each.key,
          ),
        ]
      },
    ]
  })
  role = each.value.id
}

resource "aws_iam_role_policy_attachment" "roles_apply_administrator" {
  for_each   = aws_iam_role.roles_apply
  policy_arn = "arn:${data.aws_partition.partition.partition}:iam::aws:policy/AdministratorAccess"
  role       = each.value.name
}

resource "aws_iam_role_policy_attachment" "roles_plan_read_only" {
  for_each   = aws_iam_role.roles_plan
  policy_arn = "arn:${data.aws_partition.partition.partition}:iam::aws:policy/ReadOnlyAccess"
  role       = each.value.name
}
