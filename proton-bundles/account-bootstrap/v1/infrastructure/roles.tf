resource "aws_iam_role" "roles_apply" {
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"       = "GitHubActionsProvisioningRepository"
        "Effect"    = "Allow"
        "Principal" = { "Federated" = local.oidc_provider_arn }
        "Action"    = "sts:AssumeRoleWithWebIdentity"
        "Condition" = {
          "StringEquals" = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = [
              "repo:${var.environment.inputs.repository}:ref:refs/heads/${var.environment.inputs.main_branch}",
            ]
          }
        }
      },
    ]
  })
  description          = "protonkit apply: deploys whatever merges to ${var.environment.inputs.main_branch} of ${var.environment.inputs.repository}"
  max_session_duration = 3600
  name                 = "${var.environment.inputs.name_prefix}-apply"
}

resource "aws_iam_role" "roles_plan" {
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"       = "GitHubActionsProvisioningRepository"
        "Effect"    = "Allow"
        "Principal" = { "Federated" = local.oidc_provider_arn }
        "Action"    = "sts:AssumeRoleWithWebIdentity"
        "Condition" = {
          "StringEquals" = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = [
              "repo:${var.environment.inputs.repository}:pull_request",
              "repo:${var.environment.inputs.repository}:ref:refs/heads/${var.environment.inputs.main_branch}",
            ]
          }
        }
      },
    ]
  })
  description          = "protonkit plan: read-only, for pull requests and ${var.environment.inputs.main_branch} of ${var.environment.inputs.repository}"
  max_session_duration = 3600
  name                 = "${var.environment.inputs.name_prefix}-plan"
}

resource "aws_iam_role_policy" "roles_plan_state" {
  name = "terraform-state"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "ListState"
        "Effect"   = "Allow"
        "Action"   = "s3:ListBucket"
        "Resource" = aws_s3_bucket.state_bucket.arn
      },
      {
        "Sid"      = "ReadState"
        "Effect"   = "Allow"
        "Action"   = "s3:GetObject"
        "Resource" = "${aws_s3_bucket.state_bucket.arn}/*"
      },
      {
        "Sid"      = "Lock"
        "Effect"   = "Allow"
        "Action"   = ["s3:PutObject", "s3:DeleteObject"]
        "Resource" = "${aws_s3_bucket.state_bucket.arn}/*.tflock"
      },
    ]
  })
  role = aws_iam_role.roles_plan.id
}

resource "aws_iam_role_policy_attachment" "roles_apply_administrator" {
  policy_arn = "arn:${data.aws_partition.partition.partition}:iam::aws:policy/AdministratorAccess"
  role       = aws_iam_role.roles_apply.name
}

resource "aws_iam_role_policy_attachment" "roles_plan_read_only" {
  policy_arn = "arn:${data.aws_partition.partition.partition}:iam::aws:policy/ReadOnlyAccess"
  role       = aws_iam_role.roles_plan.name
}
