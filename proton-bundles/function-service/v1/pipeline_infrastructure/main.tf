locals {
  delivery_function_accounts = sort(distinct(concat(
    [data.aws_caller_identity.delivery_account.account_id],
    [for i in var.service_instances : i.environment.account_id],
  )))
  delivery_github_repository = coalesce(
    var.pipeline.inputs.github_repository,
    var.service.repository_id,
  )
  delivery_push_refs = var.pipeline.inputs.deploy_refs
}
