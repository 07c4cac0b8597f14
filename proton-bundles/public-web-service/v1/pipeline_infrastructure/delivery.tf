data "aws_caller_identity" "delivery_account" {}

data "aws_partition" "delivery_partition" {}

resource "aws_ecr_lifecycle_policy" "delivery_lifecycle" {
  policy = jsonencode({
    "rules" = [
      {
        "rulePriority" = 1
        "description"  = "Expire untagged images after 7 days"
        "selection" = {
          "tagStatus"   = "untagged"
          "countType"   = "sinceImagePushed"
          "countUnit"   = "days"
          "countNumber" = 7
        }
        "action" = { "type" = "expire" }
      },
      {
        "rulePriority" = 2
        "description"  = "Keep the newest tagged images"
        "selection" = {
          "tagStatus"   = "any"
          "countType"   = "imageCountMoreThan"
          "countNumber" = var.pipeline.inputs.keep_images
        }
        "action" = { "type" = "expire" }
      },
    ]
  })
  repository = aws_ecr_repository.delivery_repository.name
}

resource "aws_ecr_repository" "delivery_repository" {
  image_tag_mutability = var.pipeline.inputs.image_tag_mutability
  name                 = lower(var.service.name)

  encryption_configuration {
    encryption_type = "AES256"
  }

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_repository_policy" "delivery_pull_access" {
  count = (length(local.delivery_pull_accounts) == 0) ? 0 : 1
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"    = "InstanceAccountsPull"
        "Effect" = "Allow"
        "Principal" = {
          "AWS" = [
            for a in local.delivery_pull_accounts : format(
              "arn:%s:iam::%s:root",
              data.aws_partition.delivery_partition.partition,
              a,
            )
          ]
        }
        "Action" = [
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchCheckLayerAvailability",
        ]
      },
    ]
  })
  repository = aws_ecr_repository.delivery_repository.name
}

resource "aws_iam_role" "delivery_deploy_role" {
  assume_role_policy = (var.pipeline.inputs.scm == "gitlab") ? jsonencode({ "Version" = "2012-10-17", "Statement" = [{ "Effect" = "Allow", "Principal" = { "Federated" = coalesce(var.pipeline.inputs.gitlab_oidc_provider_arn, format("arn:%s:iam::%s:oidc-provider/%s", data.aws_partition.delivery_partition.partition, data.aws_caller_identity.delivery_account.account_id, local.delivery_gitlab_host)) }, "Action" = "sts:AssumeRoleWithWebIdentity", "Condition" = { StringEquals = { (format("%s:aud", local.delivery_gitlab_host)) = "sts.amazonaws.com" }, StringLike = { (format("%s:sub", local.delivery_gitlab_host)) = [for r in local.delivery_gitlab_deploy_refs : format("project_path:%s:%s", var.pipeline.inputs.gitlab_project, r)] } } }] }) : jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Effect" = "Allow"
        "Principal" = {
          "Federated" = coalesce(
            var.pipeline.inputs.oidc_provider_arn,
            format(
              "arn:%s:iam::%s:oidc-provider/token.actions.githubusercontent.com",
              data.aws_partition.delivery_partition.partition,
              data.aws_caller_identity.delivery_account.account_id,
            ),
          )
        }
        "Action" = "sts:AssumeRoleWithWebIdentity"
        "Condition" = {
          "StringEquals" = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
          "StringLike" = {
            "token.actions.githubusercontent.com:sub" = [
              for r in local.delivery_deploy_refs : format(
                "repo:%s:%s",
                local.delivery_github_repository,
                r,
              )
            ]
          }
        }
      },
    ]
  })
  description          = (var.pipeline.inputs.scm == "gitlab") ? "GitLab CI of ${var.pipeline.inputs.gitlab_project} push images and deploy service ${var.service.name}." : "GitHub Actions of ${local.delivery_github_repository} push images and deploy service ${var.service.name}."
  max_session_duration = 3600
  name                 = substr("protonkit-${var.service.name}-deploy", 0, 64)

  lifecycle {
    precondition {
      condition     = ((var.pipeline.inputs.scm != "gitlab") || (var.pipeline.inputs.gitlab_project != ""))
      error_message = "The pipeline's scm is gitlab: set gitlab_project to the GitLab project path (group/project) whose CI deploys the service."
    }
  }
}

resource "aws_iam_role_policy" "delivery_deploy" {
  count = (length(local.delivery_ecs_service_arns) == 0) ? 0 : 1
  name  = "update-ecs-services"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "UpdateServiceInstances"
        "Effect"   = "Allow"
        "Action"   = ["ecs:UpdateService", "ecs:DescribeServices"]
        "Resource" = local.delivery_ecs_service_arns
      },
      {
        "Sid"      = "ReadTaskDefinitions"
        "Effect"   = "Allow"
        "Action"   = ["ecs:DescribeTaskDefinition"]
        "Resource" = "*"
      },
    ]
  })
  role = aws_iam_role.delivery_deploy_role.id
}

resource "aws_iam_role_policy" "delivery_push" {
  name = "push-images"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [
      {
        "Sid"      = "EcrLogin"
        "Effect"   = "Allow"
        "Action"   = ["ecr:GetAuthorizationToken"]
        "Resource" = "*"
      },
      {
        "Sid"    = "PushToServiceRepository"
        "Effect" = "Allow"
        "Action" = [
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchCheckLayerAvailability",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
          "ecr:PutImage",
          "ecr:DescribeImages",
        ]
        "Resource" = aws_ecr_repository.delivery_repository.arn
      },
    ]
  })
  role = aws_iam_role.delivery_deploy_role.id
}
