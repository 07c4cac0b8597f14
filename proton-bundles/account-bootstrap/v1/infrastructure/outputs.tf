output "apply_role_arn" {
  description = "IAM role the apply job assumes (provisioning.yaml apply_role_arn)."
  value       = aws_iam_role.roles_apply.arn
}

output "plan_role_arn" {
  description = "IAM role the plan job assumes (provisioning.yaml plan_role_arn)."
  value       = aws_iam_role.roles_plan.arn
}

output "region" {
  description = "Region of the state bucket and default deploy region (provisioning.yaml region)."
  value       = data.aws_region.region.name
}

output "state_bucket" {
  description = "Terraform state bucket (provisioning.yaml state_bucket); locking is S3 native (use_lockfile)."
  value       = aws_s3_bucket.state_bucket.bucket
}
