resource "aws_ecr_repository" "registry" {
  image_tag_mutability = var.pipeline.inputs.image_tag_mutability
  name                 = var.service.name

  encryption_configuration {
    encryption_type = "KMS"
  }

  image_scanning_configuration {
    scan_on_push = var.pipeline.inputs.scan_on_push
  }
}
