# What starter-environment promises: one private subnet per requested zone, carved from the
# VPC range as /24s from .10 on, and Container Insights following its input.
mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }
}

run "subnets_follow_inputs" {
  command = plan

  assert {
    condition     = length(aws_subnet.network_private) == var.environment.inputs.subnet_count
    error_message = "one private subnet per requested zone"
  }
  assert {
    condition     = aws_subnet.network_private[0].cidr_block == cidrsubnet(var.environment.inputs.vpc_cidr, 8, 10)
    error_message = "subnets are /24s starting at .10"
  }
  assert {
    condition     = aws_vpc.network_vpc.tags["Team"] == var.environment.inputs.team
    error_message = "the VPC carries the owning team"
  }
}

run "container_insights_off" {
  command = plan

  variables {
    environment = {
      name   = "sandbox"
      inputs = { vpc_cidr = "10.9.0.0/16", subnet_count = 1, container_insights = false, team = "platform" }
    }
  }

  assert {
    condition     = one(aws_ecs_cluster.compute_cluster.setting).value == "disabled"
    error_message = "Container Insights follows the input"
  }
  assert {
    condition     = length(aws_subnet.network_private) == 1
    error_message = "one subnet for one zone"
  }
}
