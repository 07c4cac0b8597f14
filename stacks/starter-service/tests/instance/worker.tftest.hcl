# What starter-service promises per instance: the port open only to the allowed ranges, logs
# kept as long as asked, settings advertising the attached component's queue.
run "worker" {
  command = plan

  assert {
    condition     = one(aws_security_group.network_worker.ingress).from_port == var.service_instance.inputs.port
    error_message = "the worker port is the one from the spec"
  }
  assert {
    condition     = toset(one(aws_security_group.network_worker.ingress).cidr_blocks) == toset(var.service_instance.inputs.allowed_cidrs)
    error_message = "only the allowed ranges reach the port"
  }
  assert {
    condition     = aws_security_group.network_worker.vpc_id == var.environment.outputs.vpc_id
    error_message = "the security group lives in the environment's VPC"
  }
  assert {
    condition     = aws_cloudwatch_log_group.logs.retention_in_days == tonumber(var.service_instance.inputs.log_retention_days)
    error_message = "log retention follows the spec"
  }
  assert {
    condition     = jsondecode(aws_ssm_parameter.settings.value).queue_url == var.service_instance.components.default.outputs.queue_url
    error_message = "settings carry the component's queue URL"
  }
}

run "without_component" {
  command = plan

  variables {
    service_instance = {
      name       = "oven-worker-test"
      inputs     = { port = 8080, log_retention_days = "14", debug = false, allowed_cidrs = ["10.0.0.0/8"], owner_email = "ops@pizza-ananas.example" }
      components = {}
    }
  }

  assert {
    condition     = jsondecode(aws_ssm_parameter.settings.value).queue_url == ""
    error_message = "no component: the queue URL is empty, not an error"
  }
}
