locals {
  delivery_deploy_refs = var.pipeline.inputs.deploy_refs
  delivery_ecs_service_arns = sort([
    for i in var.service_instances : i.outputs["ecs_service_arn"] if can(i.outputs["ecs_service_arn"])
  ])
  delivery_github_repository = coalesce(
    var.pipeline.inputs.github_repository,
    var.service.repository_id,
  )
  delivery_gitlab_deploy_refs = var.pipeline.inputs.gitlab_deploy_refs
  delivery_gitlab_host        = trimprefix(var.pipeline.inputs.gitlab_url, "https://")
  delivery_pull_accounts      = sort(distinct([for i in var.service_instances : i.environment.account_id]))
}
