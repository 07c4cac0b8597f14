output "db_name" {
  description = "Name of the database."
  value       = aws_db_instance.database.db_name
}

output "endpoint" {
  description = "Host name of the database."
  value       = aws_db_instance.database.address
}

output "port" {
  description = "Port of the database."
  value       = aws_db_instance.database.port
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master user's credentials."
  value       = aws_db_instance.database.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.network_database.id
}
