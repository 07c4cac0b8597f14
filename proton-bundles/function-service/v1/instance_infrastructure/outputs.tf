output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.function.arn
}

output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.function.function_name
}

output "log_group_name" {
  description = "Log group of the function."
  value       = aws_cloudwatch_log_group.logs.name
}

output "role_arn" {
  description = "ARN of the execution role (attach policies to it to grant the function access to data)."
  value       = aws_iam_role.access_role.arn
}

output "url" {
  description = "Function URL, or empty when the function has none."
  value       = try(aws_lambda_function_url.url[0].function_url, "")
}
