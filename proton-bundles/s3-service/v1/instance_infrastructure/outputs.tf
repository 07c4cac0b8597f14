output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.storage_bucket.arn
}

output "bucket_name" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.storage_bucket.bucket
}
