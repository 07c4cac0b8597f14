output "deploy_role_arn" {
  description = "IAM role the service's GitHub workflows or GitLab CI jobs assume (OIDC) to push images and deploy the ECS services."
  value       = aws_iam_role.delivery_deploy_role.arn
}

output "repository_arn" {
  description = "ARN of the ECR repository."
  value       = aws_ecr_repository.delivery_repository.arn
}

output "repository_url" {
  description = "ECR repository the service's CI pushes images to."
  value       = aws_ecr_repository.delivery_repository.repository_url
}
