# An import whose instance published nothing must fail the plan, not deploy a function
# with a missing variable. The mocked SSM lookup finds no parameters.
mock_provider "aws" {
  mock_data "aws_ssm_parameters_by_path" {
    defaults = {
      names  = []
      values = []
    }
  }
}

run "import_without_endpoints_fails" {
  command = plan

  variables {
    service_instance = {
      name       = "importer"
      components = {}
      inputs = {
        runtime      = "python3.13", handler = "index.handler", code_s3_bucket = "artifacts-123456789012", code_s3_key = "fn.zip"
        architecture = "x86_64", memory_mb = 256, timeout_seconds = 30, reserved_concurrency = -1, vpc = false
        function_url = false, function_url_auth = "AWS_IAM", log_retention_days = "7", imports = ["ghost/prod"]
        alarm_emails = [], alarm_https_endpoints = [], alarm_errors = 1, alarm_throttles = 1, alarm_duration_percent = 80
      }
    }
  }

  expect_failures = [data.aws_ssm_parameters_by_path.imports]
}
