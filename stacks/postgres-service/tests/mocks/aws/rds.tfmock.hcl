# RDS returns the secret it manages (manage_master_user_password); a plain mock would leave
# the list empty.
mock_resource "aws_db_instance" {
  defaults = {
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123-AbCdEf", secret_status = "active", kms_key_id = "" }]
  }
}
