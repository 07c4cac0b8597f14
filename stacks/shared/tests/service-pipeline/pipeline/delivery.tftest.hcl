# What ServicePipeline (addServicePipeline) promises, for every template that uses it: an
# encrypted, scanned ECR repository with a lifecycle policy, pulls for the instances' accounts,
# and a deploy role only the service's GitHub repository or GitLab project (chosen refs) can
# assume, allowed to push there and update this service's ECS services.
# Runs with each example spec's variables, so it asserts against var.*, never a template's names.

# The pipeline inputs' defaults, which the runs below change: each merges in what it sets.
variables {
  pipeline_defaults = {
    github_repository        = ""
    deploy_refs              = ["ref:refs/heads/main"]
    oidc_provider_arn        = ""
    image_tag_mutability     = "IMMUTABLE"
    keep_images              = 50
    scm                      = "github"
    gitlab_project           = ""
    gitlab_deploy_refs       = ["ref_type:branch:ref:main"]
    gitlab_url               = "https://gitlab.com"
    gitlab_oidc_provider_arn = ""
    unit_test_command        = ""
  }
}

run "repository_and_deploy_role" {
  command = apply

  assert {
    condition     = aws_ecr_repository.delivery_repository.name == lower(var.service.name) && aws_ecr_repository.delivery_repository.image_scanning_configuration[0].scan_on_push && aws_ecr_repository.delivery_repository.encryption_configuration[0].encryption_type == "AES256" && aws_ecr_repository.delivery_repository.image_tag_mutability == var.pipeline.inputs.image_tag_mutability
    error_message = "the repository is named after the service, encrypted, scans on push and follows the spec's tag mutability"
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.delivery_lifecycle.policy).rules[0].selection.tagStatus == "untagged" && jsondecode(aws_ecr_lifecycle_policy.delivery_lifecycle.policy).rules[1].selection.countNumber == var.pipeline.inputs.keep_images
    error_message = "the lifecycle policy expires untagged images and keeps keep_images tagged ones"
  }
  assert {
    condition = length(aws_ecr_repository_policy.delivery_pull_access) == (length(var.service_instances) == 0 ? 0 : 1) && alltrue([
      for p in aws_ecr_repository_policy.delivery_pull_access :
      toset(jsondecode(p.policy).Statement[0].Principal.AWS) == toset([for i in var.service_instances : "arn:aws:iam::${i.environment.account_id}:root"]) && !contains(jsondecode(p.policy).Statement[0].Action, "ecr:PutImage")
    ])
    error_message = "the instances' accounts may pull, not push"
  }
  assert {
    condition     = var.pipeline.inputs.scm == "gitlab" || jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Principal.Federated == (var.pipeline.inputs.oidc_provider_arn != "" ? var.pipeline.inputs.oidc_provider_arn : "arn:aws:iam::${data.aws_caller_identity.delivery_account.account_id}:oidc-provider/token.actions.githubusercontent.com") && jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity"
    error_message = "with scm github, the deploy role trusts the pipeline account's GitHub OIDC provider unless the spec names one"
  }
  assert {
    condition = var.pipeline.inputs.scm == "gitlab" || jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
      StringLike = {
        "token.actions.githubusercontent.com:sub" = [
          for r in var.pipeline.inputs.deploy_refs :
          "repo:${var.pipeline.inputs.github_repository != "" ? var.pipeline.inputs.github_repository : var.service.repository_id}:${r}"
        ]
      }
    }
    error_message = "with scm github, only the service's repository (the linked one unless the spec names one), on the spec's refs, may assume the deploy role"
  }
  assert {
    condition = var.pipeline.inputs.scm == "github" || jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "${trimprefix(var.pipeline.inputs.gitlab_url, "https://")}:aud" = "sts.amazonaws.com" }
      StringLike = {
        "${trimprefix(var.pipeline.inputs.gitlab_url, "https://")}:sub" = [
          for r in var.pipeline.inputs.gitlab_deploy_refs : "project_path:${var.pipeline.inputs.gitlab_project}:${r}"
        ]
      }
    }
    error_message = "with scm gitlab, only the GitLab project, on the spec's refs, may assume the deploy role, for the generated pipeline's audience"
  }
  assert {
    condition     = startswith(aws_iam_role.delivery_deploy_role.description, var.pipeline.inputs.scm == "gitlab" ? "GitLab CI of ${var.pipeline.inputs.gitlab_project} " : "GitHub Actions of ${var.pipeline.inputs.github_repository != "" ? var.pipeline.inputs.github_repository : var.service.repository_id} ")
    error_message = "the description names who deploys (scm defaults to github: existing specs keep their GitHub trust)"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.delivery_push.policy).Statement[1].Resource == aws_ecr_repository.delivery_repository.arn && contains(jsondecode(aws_iam_role_policy.delivery_push.policy).Statement[1].Action, "ecr:PutImage") && jsondecode(aws_iam_role_policy.delivery_push.policy).Statement[0].Action == ["ecr:GetAuthorizationToken"]
    error_message = "the deploy role may push to this repository only (plus the registry login)"
  }
  assert {
    condition = length(aws_iam_role_policy.delivery_deploy) == (length([for i in var.service_instances : i if can(i.outputs["ecs_service_arn"])]) == 0 ? 0 : 1) && alltrue([
      for p in aws_iam_role_policy.delivery_deploy :
      tolist(jsondecode(p.policy).Statement[0].Resource) == sort([for i in var.service_instances : i.outputs["ecs_service_arn"] if can(i.outputs["ecs_service_arn"])]) && jsondecode(p.policy).Statement[0].Action == ["ecs:UpdateService", "ecs:DescribeServices"]
    ])
    error_message = "the deploy role may update exactly the deployed instances' ECS services (none before the first deployment)"
  }
  assert {
    condition = alltrue([
      for p in aws_iam_role_policy.delivery_deploy :
      length(jsondecode(p.policy).Statement) == 2 && jsondecode(p.policy).Statement[1] == { Sid = "ReadTaskDefinitions", Effect = "Allow", Action = ["ecs:DescribeTaskDefinition"], Resource = "*" }
    ])
    error_message = "the deploy script reads the running image with DescribeTaskDefinition, which has no resource-level permissions; nothing else is added"
  }
  assert {
    condition     = output.deploy_role_arn == aws_iam_role.delivery_deploy_role.arn && output.repository_url == aws_ecr_repository.delivery_repository.repository_url && output.repository_arn == aws_ecr_repository.delivery_repository.arn
    error_message = "pipeline outputs must name the repository and the role"
  }
}

run "explicit_repository_and_provider" {
  command = plan

  variables {
    service_instances = []
    pipeline = {
      inputs = merge(var.pipeline_defaults, {
        github_repository    = "pizza-ananas/other"
        deploy_refs          = ["ref:refs/tags/v*"]
        oidc_provider_arn    = "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"
        image_tag_mutability = "MUTABLE"
        keep_images          = 10
      })
    }
  }

  assert {
    condition     = jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com" && jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == ["repo:pizza-ananas/other:ref:refs/tags/v*"]
    error_message = "the inputs must override the repository and the OIDC provider"
  }
  assert {
    condition     = length(aws_iam_role_policy.delivery_deploy) == 0 && length(aws_ecr_repository_policy.delivery_pull_access) == 0
    error_message = "before any instance is deployed there is no ECS permission and no cross-account pull"
  }
}

# GitLab: the role trusts the account's GitLab provider (the bootstrap's), GitLab's default
# subject (project_path, ref_type, ref) of the project's chosen refs, and the audience the
# generated .gitlab-ci.yml asks for; nothing from GitHub.
run "gitlab_project_trust" {
  command = plan

  variables {
    pipeline = {
      inputs = merge(var.pipeline_defaults, {
        scm                = "gitlab"
        gitlab_project     = "pizza-ananas/kitchen/shop"
        gitlab_deploy_refs = ["ref_type:branch:ref:main", "ref_type:tag:ref:v*"]
        gitlab_url         = "https://gitlab.example.com"
        unit_test_command  = "npm test"
      })
    }
  }

  assert {
    condition     = jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::${data.aws_caller_identity.delivery_account.account_id}:oidc-provider/gitlab.example.com"
    error_message = "the deploy role trusts the account's provider for the GitLab instance"
  }
  assert {
    condition = jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "gitlab.example.com:aud" = "sts.amazonaws.com" }
      StringLike = {
        "gitlab.example.com:sub" = [
          "project_path:pizza-ananas/kitchen/shop:ref_type:branch:ref:main",
          "project_path:pizza-ananas/kitchen/shop:ref_type:tag:ref:v*",
        ]
      }
    }
    error_message = "only the GitLab project's chosen refs may assume the deploy role, with the generated pipeline's audience"
  }
  assert {
    condition     = length(jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement) == 1 && !strcontains(aws_iam_role.delivery_deploy_role.assume_role_policy, "token.actions.githubusercontent.com")
    error_message = "with scm gitlab, GitHub is not trusted"
  }
  assert {
    condition     = startswith(aws_iam_role.delivery_deploy_role.description, "GitLab CI of pizza-ananas/kitchen/shop ")
    error_message = "the description names the GitLab project"
  }
}

run "gitlab_needs_a_project" {
  command = plan

  variables {
    pipeline = {
      inputs = merge(var.pipeline_defaults, {
        scm = "gitlab"
      })
    }
  }

  expect_failures = [aws_iam_role.delivery_deploy_role]
}
