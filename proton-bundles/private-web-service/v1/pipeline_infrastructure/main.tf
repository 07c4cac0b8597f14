locals {
  delivery_deploy_refs = var.pipeline.inputs.deploy_refs
  delivery_ecs_service_arns = sort([
    for i in var.service_instances : i.outputs["ecs_service_arn"] if can(i.outputs["ecs_service_arn"])
  ])
  delivery_github_repository = coalesce(
    var.pipeline.inputs.github_repository,
    var.service.repository_id,
  )
  delivery_pull_accounts = sort(distinct([for i in var.service_instances : i.environment.account_id]))
}
