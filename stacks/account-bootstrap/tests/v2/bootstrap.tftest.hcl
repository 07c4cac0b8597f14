# What account-bootstrap v2 promises: per Proton environment, a plan role and an apply role
# that only the provisioning repository's reusable workflow at the main branch can assume,
# each inside its own GitHub environment; plan roles read no data plane and only their own
# environment's state, and write nothing.
mock_provider "aws" {
  source = "./tests/mocks/aws"
}

variables {
  issuer   = "token.actions.githubusercontent.com"
}

run "one_role_pair_per_environment_trusted_from_its_github_environment" {
  command = apply

  assert {
    condition     = toset(keys(aws_iam_role.roles_plan)) == toset(var.environment.inputs.environments) && toset(keys(aws_iam_role.roles_apply)) == toset(var.environment.inputs.environments)
    error_message = "each Proton environment gets exactly one plan role and one apply role"
  }

  assert {
    condition = alltrue([
      for env, role in aws_iam_role.roles_plan :
      jsondecode(role.assume_role_policy).Statement[0].Condition.StringEquals["${var.issuer}:sub"] == "repo:${var.environment.inputs.repository}:environment:protonkit-plan-${env}:job_workflow_ref:${var.environment.inputs.repository}/.github/workflows/protonkit-provision-jobs.yml@refs/heads/${var.environment.inputs.main_branch}"
      && length(jsondecode(role.assume_role_policy).Statement) == 1
      && jsondecode(role.assume_role_policy).Statement[0].Condition.StringEquals["${var.issuer}:aud"] == "sts.amazonaws.com"
    ])
    error_message = "a plan role trusts only the reusable workflow at main inside protonkit-plan-<environment> (no pull_request subject, no other environment)"
  }

  assert {
    condition = alltrue([
      for env, role in aws_iam_role.roles_apply :
      jsondecode(role.assume_role_policy).Statement[0].Condition.StringEquals["${var.issuer}:sub"] == "repo:${var.environment.inputs.repository}:environment:${env}:job_workflow_ref:${var.environment.inputs.repository}/.github/workflows/protonkit-provision-jobs.yml@refs/heads/${var.environment.inputs.main_branch}"
      && length(jsondecode(role.assume_role_policy).Statement) == 1
    ])
    error_message = "an apply role trusts only the reusable workflow at main inside the GitHub environment named after its Proton environment"
  }

  assert {
    condition = alltrue([
      for env, p in aws_iam_role_policy.roles_plan_limits :
      p.role == aws_iam_role.roles_plan[env].id
      && jsondecode(p.policy).Statement[0].Effect == "Deny"
      && contains(jsondecode(p.policy).Statement[0].Action, "secretsmanager:GetSecretValue")
      && contains(jsondecode(p.policy).Statement[0].Action, "ssm:GetParameter")
      && jsondecode(p.policy).Statement[1].Effect == "Deny"
      && contains(jsondecode(p.policy).Statement[1].NotResource, "${aws_s3_bucket.state_bucket.arn}/${try(var.environment.inputs.state_key_prefix, "")}${env}/*")
      && length([for s in jsondecode(p.policy).Statement : s if s.Effect == "Allow" && contains(flatten([s.Action]), "s3:PutObject")]) == 0
    ])
    error_message = "a plan role reads no data plane, no other environment's state, and writes nothing (plans take no lock)"
  }

  assert {
    condition     = alltrue([for env, a in aws_iam_role_policy_attachment.roles_apply_administrator : a.role == aws_iam_role.roles_apply[env].name]) && alltrue([for env, a in aws_iam_role_policy_attachment.roles_plan_read_only : endswith(a.policy_arn, ":policy/ReadOnlyAccess")])
    error_message = "AdministratorAccess belongs to apply roles only; plan roles start from ReadOnlyAccess"
  }

  assert {
    condition     = jsondecode(output.plan_role_arns) != null && toset(keys(jsondecode(output.apply_role_arns))) == toset(var.environment.inputs.environments) && output.oidc_subject_claim_keys == "repo,context,job_workflow_ref"
    error_message = "outputs: one plan and one apply role per environment, and the subject claim keys to set"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.gitlab_oidc_provider) == (try(var.environment.inputs.create_gitlab_oidc_provider, false) ? 1 : 0)
    error_message = "GitLab's OIDC provider only on request"
  }

  assert {
    condition = alltrue([
      for p in aws_iam_openid_connect_provider.gitlab_oidc_provider :
      contains(p.client_id_list, "sts.amazonaws.com") && contains(p.client_id_list, p.url)
    ]) && output.gitlab_oidc_provider_arn == try(aws_iam_openid_connect_provider.gitlab_oidc_provider[0].arn, "")
    error_message = "GitLab's provider accepts the audience the generated .gitlab-ci.yml asks for (sts.amazonaws.com) and is an output"
  }
}

# Pipelines (<service>/pipeline) belong to no environment: with pipelines, one more role pair,
# trusted only from the GitHub environments detect gives them, reading only pipelines' state.
run "pipeline_roles_on_request" {
  command = apply

  assert {
    condition     = length(aws_iam_role.pipelines_plan) == (try(var.environment.inputs.pipelines, false) ? 1 : 0) && length(aws_iam_role.pipelines_apply) == length(aws_iam_role.pipelines_plan)
    error_message = "pipeline roles exist exactly when pipelines is true"
  }

  assert {
    condition = alltrue([
      for r in aws_iam_role.pipelines_plan :
      jsondecode(r.assume_role_policy).Statement[0].Condition.StringEquals["${var.issuer}:sub"] == "repo:${var.environment.inputs.repository}:environment:protonkit-plan-pipelines:job_workflow_ref:${var.environment.inputs.repository}/.github/workflows/protonkit-provision-jobs.yml@refs/heads/${var.environment.inputs.main_branch}"
      && length(jsondecode(r.assume_role_policy).Statement) == 1
      ]) && alltrue([
      for r in aws_iam_role.pipelines_apply :
      jsondecode(r.assume_role_policy).Statement[0].Condition.StringEquals["${var.issuer}:sub"] == "repo:${var.environment.inputs.repository}:environment:protonkit-pipelines:job_workflow_ref:${var.environment.inputs.repository}/.github/workflows/protonkit-provision-jobs.yml@refs/heads/${var.environment.inputs.main_branch}"
      && length(jsondecode(r.assume_role_policy).Statement) == 1
    ])
    error_message = "the pipeline roles trust only the reusable workflow at main inside protonkit-plan-pipelines (plan) and protonkit-pipelines (apply)"
  }

  assert {
    condition = alltrue([
      for p in aws_iam_role_policy.pipelines_plan_limits :
      contains(jsondecode(p.policy).Statement[0].Action, "secretsmanager:GetSecretValue")
      && jsondecode(p.policy).Statement[1].NotResource == ["${aws_s3_bucket.state_bucket.arn}/${var.environment.inputs.state_key_prefix}*/pipeline/*"]
      && length([for s in jsondecode(p.policy).Statement : s if s.Effect == "Allow" && contains(flatten([s.Action]), "s3:PutObject")]) == 0
    ])
    error_message = "the pipelines' plan role reads no data plane, only pipelines' state, and writes nothing"
  }

  assert {
    condition = alltrue([
      for p in aws_iam_role_policy.pipelines_plan_no_environment_state :
      alltrue([for e in var.environment.inputs.environments : contains(jsondecode(p.policy).Statement[0].Resource, "${aws_s3_bucket.state_bucket.arn}/${var.environment.inputs.state_key_prefix}${e}/*")])
    ]) && length(aws_iam_role_policy.pipelines_plan_no_environment_state) == (try(var.environment.inputs.pipelines, false) && length(var.environment.inputs.environments) > 0 ? 1 : 0)
    error_message = "the pipelines' plan role is denied every environment's state (an instance named pipeline matches */pipeline/)"
  }

  assert {
    condition     = alltrue([for a in aws_iam_role_policy_attachment.pipelines_apply_administrator : a.role == aws_iam_role.pipelines_apply[0].name]) && alltrue([for a in aws_iam_role_policy_attachment.pipelines_plan_read_only : a.role == aws_iam_role.pipelines_plan[0].name && endswith(a.policy_arn, ":policy/ReadOnlyAccess")])
    error_message = "AdministratorAccess for the pipelines' apply role only"
  }

  assert {
    condition     = output.pipeline_plan_role_arn == try(aws_iam_role.pipelines_plan[0].arn, "") && output.pipeline_apply_role_arn == try(aws_iam_role.pipelines_apply[0].arn, "")
    error_message = "the outputs name the pipeline roles (empty without them)"
  }
}
