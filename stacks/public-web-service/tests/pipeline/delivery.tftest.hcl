# What the pipeline promises: an encrypted, scanned ECR repository with a lifecycle policy,
# pulls for the instances' accounts, and a deploy role only the service's GitHub repository
# (chosen refs) can assume, allowed to push there and update this service's ECS services.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

variables {
  service = {
    name                      = "menu-web"
    branch_name               = "main"
    repository_connection_arn = ""
    repository_id             = "pizza-ananas/menu-web"
  }
  service_instances = [
    {
      name = "web-production"
      inputs = {
        image                 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/menu-web:1.0.0"
        port                  = 8080
        cpu                   = "256"
        memory                = "512"
        desired_count         = 0
        min_count             = 0
        max_count             = 0
        cpu_target            = 60
        health_check_path     = "/"
        environment           = []
        imports               = []
        log_retention_days    = "auto"
        certificate_arn       = ""
        alarm_emails          = []
        alarm_https_endpoints = []
        alarm_cpu_percent     = 80
        alarm_memory_percent  = 80
        alarm_5xx_percent     = 5
        alarm_latency_ms      = 1000
        alarm_unhealthy_hosts = 1
      }
      outputs = { ecs_service_arn = "arn:aws:ecs:eu-west-1:210987654303:service/production/menu-web-web-production" }
      environment = {
        account_id = "210987654303"
        name       = "production"
        outputs    = {}
      }
    },
    {
      name = "web-test"
      inputs = {
        image                 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/menu-web:1.0.0"
        port                  = 8080
        cpu                   = "256"
        memory                = "512"
        desired_count         = 0
        min_count             = 0
        max_count             = 0
        cpu_target            = 60
        health_check_path     = "/"
        environment           = []
        imports               = []
        log_retention_days    = "auto"
        certificate_arn       = ""
        alarm_emails          = []
        alarm_https_endpoints = []
        alarm_cpu_percent     = 80
        alarm_memory_percent  = 80
        alarm_5xx_percent     = 5
        alarm_latency_ms      = 1000
        alarm_unhealthy_hosts = 1
      }
      outputs = {}
      environment = {
        account_id = "210987654301"
        name       = "test"
        outputs    = {}
      }
    },
  ]
}

run "repository_and_deploy_role" {
  command = apply

  variables {
    pipeline = {
      inputs = {
        github_repository    = ""
        deploy_refs          = ["ref:refs/heads/main", "environment:production"]
        oidc_provider_arn    = ""
        image_tag_mutability = "IMMUTABLE"
        keep_images          = 50
        scm                      = "github"
        gitlab_project           = ""
        gitlab_deploy_refs       = ["ref_type:branch:ref:main"]
        gitlab_url               = "https://gitlab.com"
        gitlab_oidc_provider_arn = ""
        unit_test_command        = ""
      }
    }
  }

  assert {
    condition     = aws_ecr_repository.delivery_repository.name == "menu-web" && aws_ecr_repository.delivery_repository.image_scanning_configuration[0].scan_on_push && aws_ecr_repository.delivery_repository.encryption_configuration[0].encryption_type == "AES256" && aws_ecr_repository.delivery_repository.image_tag_mutability == "IMMUTABLE"
    error_message = "the repository must be encrypted, scan on push and keep tags immutable"
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.delivery_lifecycle.policy).rules[0].selection.tagStatus == "untagged" && jsondecode(aws_ecr_lifecycle_policy.delivery_lifecycle.policy).rules[1].selection.countNumber == 50
    error_message = "the lifecycle policy expires untagged images and keeps keep_images tagged ones"
  }
  assert {
    condition     = toset(jsondecode(aws_ecr_repository_policy.delivery_pull_access[0].policy).Statement[0].Principal.AWS) == toset(["arn:aws:iam::210987654301:root", "arn:aws:iam::210987654303:root"]) && !contains(jsondecode(aws_ecr_repository_policy.delivery_pull_access[0].policy).Statement[0].Action, "ecr:PutImage")
    error_message = "the instances' accounts may pull, not push"
  }
  assert {
    condition     = jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" && jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity"
    error_message = "the deploy role trusts the account's GitHub OIDC provider by default"
  }
  assert {
    condition     = jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == ["repo:pizza-ananas/menu-web:ref:refs/heads/main", "repo:pizza-ananas/menu-web:environment:production"] && jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    error_message = "only the linked repository's chosen refs may assume the deploy role"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.delivery_push.policy).Statement[1].Resource == aws_ecr_repository.delivery_repository.arn && contains(jsondecode(aws_iam_role_policy.delivery_push.policy).Statement[1].Action, "ecr:PutImage") && jsondecode(aws_iam_role_policy.delivery_push.policy).Statement[0].Action == ["ecr:GetAuthorizationToken"]
    error_message = "the deploy role may push to this repository only (plus the registry login)"
  }
  assert {
    condition     = length(aws_iam_role_policy.delivery_deploy) == 1 && jsondecode(aws_iam_role_policy.delivery_deploy[0].policy).Statement[0].Resource == ["arn:aws:ecs:eu-west-1:210987654303:service/production/menu-web-web-production"] && jsondecode(aws_iam_role_policy.delivery_deploy[0].policy).Statement[0].Action == ["ecs:UpdateService", "ecs:DescribeServices"]
    error_message = "the deploy role may update exactly the deployed instances' ECS services"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.delivery_deploy[0].policy).Statement[1] == { Sid = "ReadTaskDefinitions", Effect = "Allow", Action = ["ecs:DescribeTaskDefinition"], Resource = "*" }
    error_message = "the deploy script reads the running image with DescribeTaskDefinition, which has no resource-level permissions"
  }
  assert {
    condition     = startswith(aws_iam_role.delivery_deploy_role.description, "GitHub Actions of pizza-ananas/menu-web ")
    error_message = "scm defaults to github: existing specs keep their GitHub trust"
  }
  assert {
    condition     = output.deploy_role_arn == aws_iam_role.delivery_deploy_role.arn && output.repository_url == aws_ecr_repository.delivery_repository.repository_url
    error_message = "pipeline outputs must name the repository and the role"
  }
}

run "explicit_repository_and_provider" {
  command = plan

  variables {
    service_instances = []
    pipeline = {
      inputs = {
        github_repository    = "pizza-ananas/other"
        deploy_refs          = ["ref:refs/tags/v*"]
        oidc_provider_arn    = "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"
        image_tag_mutability = "MUTABLE"
        keep_images          = 10
        scm                      = "github"
        gitlab_project           = ""
        gitlab_deploy_refs       = ["ref_type:branch:ref:main"]
        gitlab_url               = "https://gitlab.com"
        gitlab_oidc_provider_arn = ""
        unit_test_command        = ""
      }
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
      inputs = {
        github_repository        = ""
        deploy_refs              = ["ref:refs/heads/main"]
        oidc_provider_arn        = ""
        image_tag_mutability     = "IMMUTABLE"
        keep_images              = 50
        scm                      = "gitlab"
        gitlab_project           = "pizza-ananas/kitchen/menu-web"
        gitlab_deploy_refs       = ["ref_type:branch:ref:main", "ref_type:tag:ref:v*"]
        gitlab_url               = "https://gitlab.example.com"
        gitlab_oidc_provider_arn = ""
        unit_test_command        = "npm test"
      }
    }
  }

  assert {
    condition     = jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com"
    error_message = "the deploy role trusts the account's provider for the GitLab instance"
  }
  assert {
    condition = jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "gitlab.example.com:aud" = "sts.amazonaws.com" }
      StringLike = {
        "gitlab.example.com:sub" = [
          "project_path:pizza-ananas/kitchen/menu-web:ref_type:branch:ref:main",
          "project_path:pizza-ananas/kitchen/menu-web:ref_type:tag:ref:v*",
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
    condition     = startswith(aws_iam_role.delivery_deploy_role.description, "GitLab CI of pizza-ananas/kitchen/menu-web ")
    error_message = "the description names the GitLab project"
  }
}

run "gitlab_needs_a_project" {
  command = plan

  variables {
    pipeline = {
      inputs = {
        github_repository        = ""
        deploy_refs              = ["ref:refs/heads/main"]
        oidc_provider_arn        = ""
        image_tag_mutability     = "IMMUTABLE"
        keep_images              = 50
        scm                      = "gitlab"
        gitlab_project           = ""
        gitlab_deploy_refs       = ["ref_type:branch:ref:main"]
        gitlab_url               = "https://gitlab.com"
        gitlab_oidc_provider_arn = ""
        unit_test_command        = ""
      }
    }
  }

  expect_failures = [aws_iam_role.delivery_deploy_role]
}

# Every example spec: the trust follows the spec's scm.
run "trust_follows_the_spec" {
  command = plan

  assert {
    condition = (var.pipeline.inputs.scm == "gitlab"
      ? jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition.StringLike["${trimprefix(var.pipeline.inputs.gitlab_url, "https://")}:sub"] == [for r in var.pipeline.inputs.gitlab_deploy_refs : "project_path:${var.pipeline.inputs.gitlab_project}:${r}"]
      : jsondecode(aws_iam_role.delivery_deploy_role.assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == [for r in var.pipeline.inputs.deploy_refs : "repo:${var.pipeline.inputs.github_repository != "" ? var.pipeline.inputs.github_repository : var.service.repository_id}:${r}"]
    )
    error_message = "the deploy role trusts the spec's GitHub repository or GitLab project, on the spec's refs"
  }
}
