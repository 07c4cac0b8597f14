# Compute promises of vpc-ecs-environment: cluster, namespace and the shared execution role.

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "210987654321"
    }
  }
  # The zones' region: assertions name its endpoint services and log group ARNs.
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }
}

run "cluster_namespace_and_roles" {
  command = apply

  variables {
    environment = {
      name = "pizza-staging"
      inputs = {
        tier                                   = "staging"
        vpc_cidr                               = "10.20.0.0/16"
        az_count                               = 2
        nat_mode                               = "auto"
        flow_logs                              = "auto"
        log_retention_days                     = "auto"
        container_insights                     = "enhanced"
        namespace_name                         = ""
        vpc_endpoints                          = "auto"
        team_access                            = ["orders;arn:aws:iam::123456789012:role/orders-developers;orders-api,orders-worker", "menu;arn:aws:iam::123456789012:root;menu-web"]
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  assert {
    condition     = aws_ecs_cluster.compute_cluster.name == "pizza-staging" && one([for s in aws_ecs_cluster.compute_cluster.setting : s.value if s.name == "containerInsights"]) == "enhanced"
    error_message = "the cluster is named after the environment and has Container Insights at the requested level"
  }
  assert {
    condition     = output.cluster_name == aws_ecs_cluster.compute_cluster.name && output.cluster_arn == aws_ecs_cluster.compute_cluster.arn
    error_message = "cluster outputs must name the cluster"
  }
  assert {
    condition     = aws_ecs_cluster_capacity_providers.compute_capacity_providers.cluster_name == aws_ecs_cluster.compute_cluster.name && contains(aws_ecs_cluster_capacity_providers.compute_capacity_providers.capacity_providers, "FARGATE")
    error_message = "the cluster must offer Fargate capacity"
  }
  assert {
    condition     = aws_service_discovery_private_dns_namespace.compute_namespace.vpc == aws_vpc.network_vpc.id && output.namespace_id == aws_service_discovery_private_dns_namespace.compute_namespace.id && output.namespace_name == "pizza-staging.internal"
    error_message = "the private DNS namespace must be attached to the VPC and published"
  }
  assert {
    condition     = aws_iam_role_policy_attachment.compute_task_execution_policy.role == aws_iam_role.compute_task_execution_role.name && aws_iam_role_policy_attachment.compute_task_execution_policy.policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    error_message = "the execution role must carry AmazonECSTaskExecutionRolePolicy"
  }
  assert {
    condition     = jsondecode(aws_iam_role.compute_task_execution_role.assume_role_policy).Statement[0].Principal.Service == "ecs-tasks.amazonaws.com" && output.task_execution_role_arn == aws_iam_role.compute_task_execution_role.arn
    error_message = "only ECS tasks may assume the execution role, and its ARN is published"
  }
  assert {
    condition     = output.log_retention_days == "30" && length(aws_flow_log.flow_logs_vpc) == 1 && output.nat_mode == "single"
    error_message = "staging keeps logs 30 days, has flow logs and a single NAT gateway"
  }
  assert {
    condition     = aws_default_security_group.network_default_security_group.vpc_id == aws_vpc.network_vpc.id && length(coalesce(aws_default_security_group.network_default_security_group.ingress, [])) == 0
    error_message = "the VPC's default security group must be managed and left without rules"
  }
}

run "team_roles_read_only_their_services_logs" {
  command = apply

  variables {
    environment = {
      name = "pizza-staging"
      inputs = {
        tier                                   = "staging"
        vpc_cidr                               = "10.20.0.0/16"
        az_count                               = 2
        nat_mode                               = "auto"
        flow_logs                              = "auto"
        log_retention_days                     = "auto"
        container_insights                     = "enabled"
        namespace_name                         = ""
        vpc_endpoints                          = "auto"
        team_access                            = ["orders;arn:aws:iam::123456789012:role/orders-developers;orders-api,orders-worker", "menu;arn:aws:iam::123456789012:root;menu-web"]
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  assert {
    condition     = keys(aws_iam_role.compute_team_access_role) == ["menu", "orders"] && aws_iam_role.compute_team_access_role["orders"].name == "pizza-staging-orders-observer"
    error_message = "one role per team, named <environment>-<team>-observer"
  }

  assert {
    condition     = jsondecode(aws_iam_role.compute_team_access_role["orders"].assume_role_policy).Statement == [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:role/orders-developers" }, Action = "sts:AssumeRole" }]
    error_message = "only the team's principal may assume its role"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.compute_team_access_read["orders"].policy).Statement[0] == {
      Sid       = "ReadOwnServicesLogs"
      Effect    = "Allow"
      Action    = ["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:GetLogGroupFields", "logs:StartLiveTail", "logs:StartQuery"]
      Resource  = "arn:aws:logs:eu-west-1:210987654321:log-group:*"
      Condition = { StringLike = { "aws:ResourceTag/proton:service" = ["arn:*:proton:*:*:service/orders-api", "arn:*:proton:*:*:service/orders-worker"] } }
    }
    error_message = "log reads are limited to log groups tagged proton:service with one of the team's services"
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.compute_team_access_read["menu"].policy).Statement[0].Condition.StringLike["aws:ResourceTag/proton:service"] == ["arn:*:proton:*:*:service/menu-web"]
    error_message = "each team's role reads only its own services' logs"
  }

  assert {
    condition = alltrue([for p in aws_iam_role_policy.compute_team_access_read : alltrue([for st in jsondecode(p.policy).Statement :
      st.Effect == "Allow" && alltrue([for a in st.Action : length(regexall("^(logs:(Describe|Get|Filter|Start|Stop)|cloudwatch:(Describe|Get|List))", a)) > 0]) &&
    (st.Resource != "*" || st.Sid != "ReadOwnServicesLogs")])])
    error_message = "the roles only read (Describe, Get, Filter, List, queries): no write, no delete"
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.compute_team_access_read["orders"].policy).Statement[2] == { Sid = "ReadMetricsAccountWide", Effect = "Allow", Action = ["cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:GetMetricWidgetImage", "cloudwatch:ListMetrics"], Resource = "*" }
    error_message = "metrics have no resource-level permissions: they are readable account-wide, and documented so"
  }
}

# Checks the example spec on a state of its own: the runs above set their own variables, so
# protonkit test runs them with the first example spec only.
run "team_roles_follow_the_spec" {
  command   = apply
  state_key = "spec"

  assert {
    condition     = length(aws_iam_role.compute_team_access_role) == length(var.environment.inputs.team_access) && length(aws_iam_role_policy.compute_team_access_read) == length(var.environment.inputs.team_access)
    error_message = "one role and one policy per team_access entry"
  }
}
