resource "aws_ecs_cluster" "compute_cluster" {
  name = var.environment.name

  setting {
    name  = "containerInsights"
    value = var.environment.inputs.container_insights ? "enabled" : "disabled"
  }
}
