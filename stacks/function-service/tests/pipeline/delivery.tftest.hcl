# What function-service's pipeline promises: a scanned image repository Lambda can pull from
# for the instances' accounts only, and a push role only the service's repository can assume.
mock_provider "aws" {
  source = "./tests/mocks/aws"
}

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
    condition = jsondecode(aws_iam_role.delivery_push_role.assume_role_policy).Statement[0].Condition == {
      StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
      StringLike = {
        "token.actions.githubusercontent.com:sub" = [
          for r in var.pipeline.inputs.deploy_refs :
          "repo:${var.pipeline.inputs.github_repository != "" ? var.pipeline.inputs.github_repository : var.service.repository_id}:${r}"
        ]
      }
    }
    error_message = "only the service's repository, on the spec's refs, may assume the push role"
  }

  assert {
    condition     = jsondecode(aws_iam_role.delivery_push_role.assume_role_policy).Statement[0].Principal.Federated == (var.pipeline.inputs.oidc_provider_arn != "" ? var.pipeline.inputs.oidc_provider_arn : "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")
    error_message = "the push role trusts GitHub's OIDC provider (the bootstrap's by default)"
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
    condition     = length(jsondecode(aws_ecr_repository_policy.delivery_pull_access.policy).Statement[0].Condition.StringLike["aws:sourceArn"]) == length(distinct(concat(["123456789012"], [for i in var.service_instances : i.environment.account_id])))
    error_message = "Lambda may pull for no other account than the pipeline's and the instances'"
  }

  assert {
    condition     = output.repository_url == aws_ecr_repository.delivery_repository.repository_url && output.push_role_arn == aws_iam_role.delivery_push_role.arn && output.repository_arn == aws_ecr_repository.delivery_repository.arn
    error_message = "the pipeline publishes the repository and the push role"
  }
}
