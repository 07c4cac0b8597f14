output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.compute_cluster.name
}

output "private_subnet_ids" {
  description = "Private subnet IDs, JSON-encoded list."
  value       = jsonencode(aws_subnet.network_private[*].id)
}

output "subnet_count" {
  description = "How many private subnets exist."
  value       = tostring(var.environment.inputs.subnet_count)
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.network_vpc.id
}
