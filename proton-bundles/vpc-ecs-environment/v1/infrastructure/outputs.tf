output "availability_zones" {
  description = "Availability zones used, JSON-encoded list."
  value       = jsonencode(aws_subnet.network_public[*].availability_zone)
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.compute_cluster.arn
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.compute_cluster.name
}

output "log_retention_days" {
  description = "Log retention in days services use unless they set their own."
  value       = tostring(local.log_retention_days)
}

output "namespace_id" {
  description = "ID of the private DNS namespace for service discovery."
  value       = aws_service_discovery_private_dns_namespace.compute_namespace.id
}

output "namespace_name" {
  description = "Domain of the private DNS namespace; services are reachable as <name>.<namespace>."
  value       = aws_service_discovery_private_dns_namespace.compute_namespace.name
}

output "nat_mode" {
  description = "NAT mode in effect (none, single or per_az) after resolving auto."
  value       = local.nat_mode
}

output "private_subnet_ids" {
  description = "Private subnet IDs (one per zone), JSON-encoded list."
  value       = jsonencode(aws_subnet.network_private[*].id)
}

output "public_subnet_ids" {
  description = "Public subnet IDs (one per zone), JSON-encoded list."
  value       = jsonencode(aws_subnet.network_public[*].id)
}

output "task_execution_role_arn" {
  description = "ARN of the shared ECS task execution role (pulls images, writes logs)."
  value       = aws_iam_role.compute_task_execution_role.arn
}

output "tier" {
  description = "Tier of the environment: test, staging or production."
  value       = var.environment.inputs.tier
}

output "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.network_vpc.cidr_block
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.network_vpc.id
}
