output "repository_url" {
  description = "Container registry the service's CI pushes to."
  value       = aws_ecr_repository.registry.repository_url
}
