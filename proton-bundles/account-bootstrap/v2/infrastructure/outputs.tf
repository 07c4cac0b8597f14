output "apply_role_arns" {
  description = "JSON map: Proton environment to the apply role ARN (environments.<name>.apply_role_arn)."
  value       = jsonencode({ for k, r in aws_iam_role.roles_apply : k => r.arn })
}

output "gitlab_oidc_provider_arn" {
  description = "GitLab's OIDC provider (the pipeline templates' gitlab_oidc_provider_arn default points here); empty unless create_gitlab_oidc_provider is true."
  value       = join("", aws_iam_openid_connect_provider.gitlab_oidc_provider[*].arn)
}

output "oidc_subject_claim_keys" {
  description = "The subject claim keys to set on the repository (PUT /repos/<repository>/actions/oidc/customization/sub)."
  value       = "repo,context,job_workflow_ref"
}

output "pipeline_apply_role_arn" {
  description = "Apply role of the pipelines (\"*\" entry, apply_role_arn); empty unless pipelines is true."
  value       = join("", aws_iam_role.pipelines_apply[*].arn)
}

output "pipeline_plan_role_arn" {
  description = "Plan role of the pipelines (the provisioning configuration's \"*\" entry, plan_role_arn); empty unless pipelines is true."
  value       = join("", aws_iam_role.pipelines_plan[*].arn)
}

output "plan_role_arns" {
  description = "JSON map: Proton environment to the plan role ARN (provisioning configuration environments.<name>.plan_role_arn)."
  value       = jsonencode({ for k, r in aws_iam_role.roles_plan : k => r.arn })
}

output "region" {
  description = "Region of the state bucket and default deploy region (environments.<name>.region)."
  value       = data.aws_region.region.name
}

output "state_bucket" {
  description = "Terraform state bucket (environments.<name>.state_bucket); locking is S3 native (use_lockfile)."
  value       = aws_s3_bucket.state_bucket.bucket
}
