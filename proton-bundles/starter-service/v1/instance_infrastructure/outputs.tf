output "log_group_name" {
  description = "Log group of the instance."
  value       = aws_cloudwatch_log_group.logs.name
}

output "security_group_id" {
  description = "Security group of the instance."
  value       = aws_security_group.network_worker.id
}

output "settings_parameter" {
  description = "SSM parameter holding the instance's settings."
  value       = aws_ssm_parameter.settings.name
}
