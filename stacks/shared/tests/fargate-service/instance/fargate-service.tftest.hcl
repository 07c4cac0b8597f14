# What FargateWebService (construct "service") promises, for every template that uses it: the
# spec's image with the environment's execution role and its own task role, tasks in the
# private subnets without public IPs, tier defaults for size and log retention, CPU target
# tracking, the platform's environment variables, rollback of failed deployments, and a
# deploy role only the service's CI may assume: the repository's GitHub jobs in this
# environment, or with scm gitlab, GitLab CI of gitlab_project on gitlab_deploy_refs.
# Runs with each example spec's variables, so it asserts against var.*, never a template's names.

run "fargate_service" {
  command = apply

  assert {
    condition     = jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].image == var.service_instance.inputs.image && aws_ecs_task_definition.service_task.execution_role_arn == var.environment.outputs.task_execution_role_arn && aws_ecs_task_definition.service_task.task_role_arn == aws_iam_role.service_task_role.arn
    error_message = "the task runs the spec's image with the environment's execution role and its own task role"
  }
  assert {
    condition     = aws_ecs_task_definition.service_task.cpu == var.service_instance.inputs.cpu && aws_ecs_task_definition.service_task.memory == var.service_instance.inputs.memory
    error_message = "the task has the spec's CPU and memory"
  }
  assert {
    condition     = one(aws_ecs_service.service_service.network_configuration).assign_public_ip == false && toset(one(aws_ecs_service.service_service.network_configuration).subnets) == toset(jsondecode(var.environment.outputs.private_subnet_ids))
    error_message = "tasks run in the environment's private subnets without public IPs"
  }
  assert {
    condition     = aws_ecs_service.service_service.desired_count == (var.service_instance.inputs.desired_count != 0 ? var.service_instance.inputs.desired_count : var.environment.outputs.tier == "production" ? 2 : 1)
    error_message = "desired_count 0 means the tier's default: 2 tasks in production, 1 elsewhere"
  }
  assert {
    condition = (
      aws_appautoscaling_target.service_scaling_target.min_capacity == (var.service_instance.inputs.min_count != 0 ? var.service_instance.inputs.min_count : aws_ecs_service.service_service.desired_count)
      && aws_appautoscaling_target.service_scaling_target.max_capacity == (var.service_instance.inputs.max_count != 0 ? var.service_instance.inputs.max_count : max(aws_ecs_service.service_service.desired_count * 4, aws_appautoscaling_target.service_scaling_target.min_capacity))
    )
    error_message = "scaling bounds default to the task count and four times it"
  }
  assert {
    condition     = aws_appautoscaling_policy.service_cpu_scaling.target_tracking_scaling_policy_configuration[0].target_value == var.service_instance.inputs.cpu_target && aws_appautoscaling_target.service_scaling_target.resource_id == "service/${var.environment.outputs.cluster_name}/${aws_ecs_service.service_service.name}"
    error_message = "CPU target tracking scales this ECS service to the spec's target"
  }
  assert {
    condition     = aws_cloudwatch_log_group.service_logs.name == "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}" && aws_cloudwatch_log_group.service_logs.retention_in_days == tonumber(var.service_instance.inputs.log_retention_days == "auto" ? var.environment.outputs.log_retention_days : var.service_instance.inputs.log_retention_days)
    error_message = "logs go to /protonkit/<environment>/<service>/<instance>; retention auto follows the environment's log_retention_days"
  }
  assert {
    condition     = aws_ecs_service.service_service.deployment_circuit_breaker[0].enable && aws_ecs_service.service_service.deployment_circuit_breaker[0].rollback && aws_ecs_service.service_service.launch_type == "FARGATE"
    error_message = "failed deployments must roll back"
  }
  assert {
    condition = alltrue([
      for name, value in { PORT = tostring(var.service_instance.inputs.port), PROTONKIT_ENVIRONMENT = var.environment.name, PROTONKIT_SERVICE = var.service.name, PROTONKIT_INSTANCE = var.service_instance.name } :
      contains(jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].environment, { name = name, value = value })
    ])
    error_message = "the platform's variables (PORT, PROTONKIT_*) are set and win over the spec's"
  }
  assert {
    condition = var.service_instance.inputs.scm == "gitlab" || jsondecode(aws_iam_role.service_deploy_role.assume_role_policy).Statement == [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::${var.environment.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:${var.service.repository_id}:environment:${var.environment.name}"
        }
      }
    }]
    error_message = "with scm github (the default), only the service repository's jobs in the GitHub environment named like this environment may assume the instance deploy role"
  }
  assert {
    condition = var.service_instance.inputs.scm != "gitlab" || jsondecode(aws_iam_role.service_deploy_role.assume_role_policy).Statement == [{
      Effect = "Allow"
      Principal = {
        Federated = (var.service_instance.inputs.gitlab_oidc_provider_arn != "" ? var.service_instance.inputs.gitlab_oidc_provider_arn
        : "arn:aws:iam::${var.environment.account_id}:oidc-provider/${trimprefix(var.service_instance.inputs.gitlab_url, "https://")}")
      }
      Action = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${trimprefix(var.service_instance.inputs.gitlab_url, "https://")}:aud" = "sts.amazonaws.com" }
        StringLike = {
          "${trimprefix(var.service_instance.inputs.gitlab_url, "https://")}:sub" = [
            for r in var.service_instance.inputs.gitlab_deploy_refs : "project_path:${var.service_instance.inputs.gitlab_project}:${r}"
          ]
        }
      }
    }]
    error_message = "with scm gitlab, only GitLab CI of gitlab_project on gitlab_deploy_refs, through the GitLab provider in this environment's account (unless the spec names one), for the generated pipeline's audience, may assume the instance deploy role"
  }
  assert {
    condition     = startswith(aws_iam_role.service_deploy_role.description, var.service_instance.inputs.scm == "gitlab" ? "GitLab CI of ${var.service_instance.inputs.gitlab_project} " : "GitHub Actions of the service's repository ")
    error_message = "the instance deploy role's description names who deploys (scm defaults to github: existing specs keep their GitHub trust)"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.service_deploy_policy.policy).Statement[0].Resource == aws_ecs_service.service_service.id && jsondecode(aws_iam_role_policy.service_deploy_policy.policy).Statement[0].Action == ["ecs:UpdateService", "ecs:DescribeServices"] && output.deploy_role_arn == aws_iam_role.service_deploy_role.arn
    error_message = "the instance deploy role may update and describe this ECS service only"
  }
  assert {
    condition     = length(jsondecode(aws_iam_role_policy.service_deploy_policy.policy).Statement) == 2 && jsondecode(aws_iam_role_policy.service_deploy_policy.policy).Statement[1] == { Sid = "ReadTaskDefinitions", Effect = "Allow", Action = ["ecs:DescribeTaskDefinition"], Resource = "*" }
    error_message = "the deploy script reads the running image with DescribeTaskDefinition (no resource-level permissions), and nothing else is added"
  }
  assert {
    condition     = output.ecs_service_arn == aws_ecs_service.service_service.id && startswith(output.ecs_service_arn, "arn:") && output.endpoint_parameter_path == "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}"
    error_message = "the instance publishes its ECS service ARN (the pipeline's deploy role needs it) and where its endpoints are"
  }
}

# A run with variables of its own runs once, with the first example spec: that spec switched to
# GitLab (scm gitlab, a project, two refs, a self-managed instance), exactly.
run "gitlab_trust" {
  command = plan

  variables {
    service_instance = merge(var.service_instance, {
      inputs = merge(var.service_instance.inputs, {
        scm                = "gitlab"
        gitlab_project     = "pizza-ananas/web/app"
        gitlab_deploy_refs = ["ref_type:branch:ref:main", "ref_type:tag:ref:v*"]
        gitlab_url         = "https://gitlab.example.com"
      })
    })
  }

  assert {
    condition = jsondecode(aws_iam_role.service_deploy_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "gitlab.example.com:aud" = "sts.amazonaws.com" }
      StringLike   = { "gitlab.example.com:sub" = ["project_path:pizza-ananas/web/app:ref_type:branch:ref:main", "project_path:pizza-ananas/web/app:ref_type:tag:ref:v*"] }
    }
    error_message = "with scm gitlab, GitLab's token subject (project_path:<project>:ref_type:<type>:ref:<ref>) and audience sts.amazonaws.com are what the role requires"
  }
  assert {
    condition     = jsondecode(aws_iam_role.service_deploy_role.assume_role_policy).Statement[0].Principal.Federated == (var.service_instance.inputs.gitlab_oidc_provider_arn != "" ? var.service_instance.inputs.gitlab_oidc_provider_arn : "arn:aws:iam::${var.environment.account_id}:oidc-provider/gitlab.example.com")
    error_message = "with scm gitlab, the role trusts the account bootstrap's GitLab provider in this environment's account unless the spec names one"
  }
  assert {
    condition     = !strcontains(aws_iam_role.service_deploy_role.assume_role_policy, "token.actions.githubusercontent.com")
    error_message = "with scm gitlab, GitHub's tokens no longer assume the instance deploy role"
  }
}

# scm gitlab without a project: refused before anything is planned.
run "gitlab_needs_a_project" {
  command = plan

  variables {
    service_instance = merge(var.service_instance, {
      inputs = merge(var.service_instance.inputs, { scm = "gitlab", gitlab_project = "" })
    })
  }

  expect_failures = [aws_iam_role.service_deploy_role]
}
