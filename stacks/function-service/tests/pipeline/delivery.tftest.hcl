# What function-service's pipeline promises: a scanned image repository Lambda can pull from
# for the instances' accounts only, and a push role only the service's repository can assume.
mock_provider "aws" {}

run "repository_and_push_role" {
  command = apply

  assert {
    condition     = aws_ecr_repository.delivery_repository.name == lower(var.service.name) && aws_ecr_repository.delivery_repository.image_scanning_configuration[0].scan_on_push
    error_message = "the repository is named after the service and scans every push"
  }

  assert {
    condition     = aws_ecr_repository.delivery_repository.image_tag_mutability == var.pipeline.inputs.image_tag_mutability
    error_message = "tag mutability must follow the spec"
  }

  assert {
    condition = var.pipeline.inputs.scm == "gitlab" || jsondecode(aws_iam_role.delivery_push_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
      StringLike = {
        "token.actions.githubusercontent.com:sub" = [
          for r in var.pipeline.inputs.deploy_refs :
          "repo:${var.pipeline.inputs.github_repository != "" ? var.pipeline.inputs.github_repository : var.service.repository_id}:${r}"
        ]
      }
    }
    error_message = "with scm github, only the service's repository, on the spec's refs, may assume the push role"
  }
  assert {
    condition     = var.pipeline.inputs.scm == "gitlab" || jsondecode(aws_iam_role.delivery_push_role.assume_role_policy).Statement[0].Principal.Federated == (var.pipeline.inputs.oidc_provider_arn != "" ? var.pipeline.inputs.oidc_provider_arn : "arn:aws:iam::${data.aws_caller_identity.delivery_account.account_id}:oidc-provider/token.actions.githubusercontent.com")
    error_message = "with scm github, the push role trusts GitHub's OIDC provider (the bootstrap's by default)"
  }
  assert {
    condition = var.pipeline.inputs.scm == "github" || jsondecode(aws_iam_role.delivery_push_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "${trimprefix(var.pipeline.inputs.gitlab_url, "https://")}:aud" = "sts.amazonaws.com" }
      StringLike = {
        "${trimprefix(var.pipeline.inputs.gitlab_url, "https://")}:sub" = [
          for r in var.pipeline.inputs.gitlab_deploy_refs : "project_path:${var.pipeline.inputs.gitlab_project}:${r}"
        ]
      }
    }
    error_message = "with scm gitlab, only the GitLab project, on the spec's refs, may assume the push role, for the generated pipeline's audience"
  }
  assert {
    condition     = var.pipeline.inputs.scm == "github" || jsondecode(aws_iam_role.delivery_push_role.assume_role_policy).Statement[0].Principal.Federated == (var.pipeline.inputs.gitlab_oidc_provider_arn != "" ? var.pipeline.inputs.gitlab_oidc_provider_arn : "arn:aws:iam::${data.aws_caller_identity.delivery_account.account_id}:oidc-provider/${trimprefix(var.pipeline.inputs.gitlab_url, "https://")}")
    error_message = "with scm gitlab, the push role trusts the GitLab instance's OIDC provider (the bootstrap's by default)"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.delivery_push.policy).Statement :
      alltrue([for a in s.Action : startswith(a, "ecr:")]) && (s.Resource == aws_ecr_repository.delivery_repository.arn || s.Action == ["ecr:GetAuthorizationToken"])
    ])
    error_message = "the push role may push to this repository only (plus the ECR login, which has no resource)"
  }

  assert {
    condition = alltrue([
      for i in var.service_instances :
      contains(jsondecode(aws_ecr_repository_policy.delivery_pull_access.policy).Statement[0].Condition.StringLike["aws:sourceArn"], "arn:aws:lambda:*:${i.environment.account_id}:function:*")
    ]) && jsondecode(aws_ecr_repository_policy.delivery_pull_access.policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    error_message = "Lambda may pull for the functions of every account an instance runs in"
  }

  assert {
    condition     = length(jsondecode(aws_ecr_repository_policy.delivery_pull_access.policy).Statement[0].Condition.StringLike["aws:sourceArn"]) == length(distinct(concat([data.aws_caller_identity.delivery_account.account_id], [for i in var.service_instances : i.environment.account_id])))
    error_message = "Lambda may pull for no other account than the pipeline's and the instances'"
  }

  assert {
    condition     = output.repository_url == aws_ecr_repository.delivery_repository.repository_url && output.push_role_arn == aws_iam_role.delivery_push_role.arn && output.repository_arn == aws_ecr_repository.delivery_repository.arn
    error_message = "the pipeline publishes the repository and the push role"
  }
  # The generated deploy script reads and rolls back the instances' functions; a zip build
  # uploads to <code bucket>/<service>/ of the buckets the instances name.
  assert {
    condition = alltrue([
      for st in try(jsondecode(aws_iam_role_policy.delivery_deploy[0].policy).Statement, []) :
      st.Sid == "DeployInstanceFunctions" ? (
        st.Action == ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode"] &&
        toset(st.Resource) == toset([for i in var.service_instances : i.outputs["function_arn"] if can(i.outputs["function_arn"])])
        ) : (
        st.Action == ["s3:PutObject"] &&
        toset(st.Resource) == toset([for i in var.service_instances : "arn:aws:s3:::${i.inputs.code_s3_bucket}/${var.service.name}/*" if try(i.inputs.code_s3_bucket, null) != null])
      )
    ])
    error_message = "the push role deploys exactly the instances' functions and uploads only under the service's prefix of their code buckets"
  }
  assert {
    condition     = length(aws_iam_role_policy.delivery_deploy) == (length([for i in var.service_instances : i if can(i.outputs["function_arn"]) || try(i.inputs.code_s3_bucket, null) != null]) == 0 ? 0 : 1)
    error_message = "no deploy policy before there is a function or a code bucket"
  }
}
