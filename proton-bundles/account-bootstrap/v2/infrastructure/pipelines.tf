resource "aws_iam_role" "pipelines_apply" {
  count = var.environment.inputs.pipelines ? 1 : 0
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
              "protonkit-pipelines",
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
    "protonkit apply of the services' pipelines: deploys what merges to %s of %s",
    var.environment.inputs.main_branch,
    var.environment.inputs.repository,
  )
  max_session_duration = 3600
  name                 = format("%s-apply-pipelines", var.environment.inputs.name_prefix)
}

resource "aws_iam_role" "pipelines_plan" {
  count = var.environment.inputs.pipelines ? 1 : 0
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
              "protonkit-plan-pipelines",
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
    "protonkit plan of the services' pipelines: view-only, from %s",
    var.environment.inputs.repository,
  )
  max_session_duration = 3600
  name                 = format("%s-plan-pipelines", var.environment.inputs.name_prefix)
}

resource "aws_iam_role_policy" "pipelines_plan_limits" {
  count = var.environment.inputs.pipelines ? 1 : 0
  name  = "protonkit-plan-limits"
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
        "Sid"    = "NoObjectReadsButPipelineState"
        "Effect" = "Deny"
        "Action" = ["s3:GetObject", "s3:GetObjectVersion"]
        "NotResource" = [
          format(
            "%s/%s*/pipeline/*",
            aws_s3_bucket.state_bucket.arn,
            var.environment.inputs.state_key_prefix,
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
        "Sid"    = "ReadPipelineState"
        "Effect" = "Allow"
        "Action" = "s3:GetObject"
        "Resource" = [
          format(
            "%s/%s*/pipeline/*",
            aws_s3_bucket.state_bucket.arn,
            var.environment.inputs.state_key_prefix,
          ),
        ]
      },
    ]
  })
  role = one(aws_iam_role.pipelines_plan[*].id)
}

resource "aws_iam_role_policy" "pipelines_plan_no_environment_state" {
  count = (var.environment.inputs.pipelines && (length(var.environment.inputs.environments) > 0)) ? 1 : 0
  name  = "protonkit-plan-no-environment-state"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "NoEnvironmentState"
        "Effect" = "Deny"
        "Action" = ["s3:GetObject", "s3:GetObjectVersion"]
        "Resource" = flatten([
          for e in var.environment.inputs.environments : [
            format(
              "%s/%s%s/*",
              aws_s3_bucket.state_bucket.arn,
              var.environment.inputs.state_key_prefix,
              e,
            ),
            format(
              "%s/%senvironments/%s/*",
              aws_s3_bucket.state_bucket.arn,
              var.environment.inputs.state_key_prefix,
              e,
            ),
          ]
        ])
      },
    ]
  })
  role = one(aws_iam_role.pipelines_plan[*].id)
}

resource "aws_iam_role_policy_attachment" "pipelines_apply_administrator" {
  count      = var.environment.inputs.pipelines ? 1 : 0
  policy_arn = "arn:${data.aws_partition.partition.partition}:iam::aws:policy/AdministratorAccess"
  role       = one(aws_iam_role.pipelines_apply[*].name)
}

resource "aws_iam_role_policy_attachment" "pipelines_plan_read_only" {
  count      = var.environment.inputs.pipelines ? 1 : 0
  policy_arn = "arn:${data.aws_partition.partition.partition}:iam::aws:policy/ReadOnlyAccess"
  role       = one(aws_iam_role.pipelines_plan[*].name)
}
