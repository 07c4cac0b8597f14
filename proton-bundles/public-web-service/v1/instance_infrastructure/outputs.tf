output "deploy_role_arn" {
  description = "Role the service's CI assumes to roll the service from another account: GitHub jobs of the service's repository in the GitHub environment named like this environment, or with scm gitlab, GitLab CI jobs of gitlab_project on gitlab_deploy_refs."
  value       = aws_iam_role.service_deploy_role.arn
}

output "ecs_service_arn" {
  description = "ARN of the ECS service (the pipeline's deploy role may update it)."
  value       = aws_ecs_service.service_service.id
}

output "ecs_service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.service_service.name
}

output "endpoint_parameter_path" {
  description = "SSM path under which this instance publishes its endpoints (url)."
  value       = "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer (point a CNAME or alias record here)."
  value       = aws_lb.load_balancer_alb.dns_name
}

output "log_group_name" {
  description = "CloudWatch log group of the containers."
  value       = aws_cloudwatch_log_group.service_logs.name
}

output "security_group_id" {
  description = "Security group of the tasks."
  value       = aws_security_group.service_tasks.id
}

output "task_role_arn" {
  description = "IAM role of the application's tasks."
  value       = aws_iam_role.service_task_role.arn
}

output "url" {
  description = "Public URL of the service (https:// when a certificate is set)."
  value       = (var.service_instance.inputs.certificate_arn != "") ? "https://${aws_lb.load_balancer_alb.dns_name}" : "http://${aws_lb.load_balancer_alb.dns_name}"
}
