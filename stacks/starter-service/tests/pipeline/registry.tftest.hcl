run "registry" {
  command = plan

  assert {
    condition     = aws_ecr_repository.registry.image_tag_mutability == var.pipeline.inputs.image_tag_mutability
    error_message = "tag mutability follows the pipeline spec"
  }
  assert {
    condition     = one(aws_ecr_repository.registry.encryption_configuration).encryption_type == "KMS"
    error_message = "images are encrypted with KMS"
  }
}
