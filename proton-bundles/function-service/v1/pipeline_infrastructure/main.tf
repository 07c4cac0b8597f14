locals {
  delivery_code_buckets = sort(distinct([
    for i in var.service_instances : i.inputs.code_s3_bucket if try(i.inputs.code_s3_bucket, null) != null
  ]))
  delivery_deploy_statements = concat(
    length(local.delivery_function_arns) == 0 ? [] : [
      {
        Sid    = "DeployInstanceFunctions"
        Effect = "Allow"
        Action = [
          "lambda:GetFunction",
          "lambda:GetFunctionConfiguration",
          "lambda:UpdateFunctionCode",
        ]
        Resource = local.delivery_function_arns
      },
    ],
    length(local.delivery_code_buckets) == 0 ? [] : [
      {
        Sid    = "UploadZips"
        Effect = "Allow"
        Action = ["s3:PutObject"]
        Resource = [
          for b in local.delivery_code_buckets : format(
            "arn:%s:s3:::%s/%s/*",
            data.aws_partition.delivery_partition.partition,
            b,
            var.service.name,
          )
        ]
      },
    ],
  )
  delivery_function_accounts = sort(distinct(concat(
    [data.aws_caller_identity.delivery_account.account_id],
    [for i in var.service_instances : i.environment.account_id],
  )))
  delivery_function_arns = sort([
    for i in var.service_instances : i.outputs["function_arn"] if can(i.outputs["function_arn"])
  ])
  delivery_github_repository = coalesce(
    var.pipeline.inputs.github_repository,
    var.service.repository_id,
  )
  delivery_gitlab_deploy_refs = var.pipeline.inputs.gitlab_deploy_refs
  delivery_gitlab_host        = trimprefix(var.pipeline.inputs.gitlab_url, "https://")
  delivery_push_refs          = var.pipeline.inputs.deploy_refs
}
