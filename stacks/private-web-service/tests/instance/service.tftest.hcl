# What private-web-service promises for an instance: no public ingress (VPC CIDR, or only the
# listed callers), registration in the environment's private DNS namespace, its URL
# http://<name>.<namespace>:<port> published, and the shared Fargate behaviour (imports,
# component, tier defaults). Each run sets its own variables.

mock_provider "aws" {}

variables {
  environment = {
    account_id = "210987654301"
    name       = "test"
    outputs = {
      tier                    = "test"
      vpc_id                  = "vpc-0a1b2c3d4e5f60718"
      vpc_cidr                = "10.0.0.0/16"
      availability_zones      = "[\"eu-west-1a\",\"eu-west-1b\"]"
      public_subnet_ids       = "[\"subnet-0aa00000000000001\",\"subnet-0aa00000000000002\"]"
      private_subnet_ids      = "[\"subnet-0bb00000000000001\",\"subnet-0bb00000000000002\"]"
      nat_mode                = "single"
      cluster_name            = "test"
      cluster_arn             = "arn:aws:ecs:eu-west-1:210987654301:cluster/test"
      namespace_id            = "ns-aaaaaaaaaaaaaaaa"
      namespace_name          = "test.internal"
      task_execution_role_arn = "arn:aws:iam::210987654301:role/test-ecs-task-execution"
      log_retention_days      = "7"
    }
  }
  service = {
    name                      = "Orders_API"
    branch_name               = "main"
    repository_connection_arn = ""
    repository_id             = "pizza-ananas/orders-api"
  }
}

run "reachable_from_the_vpc_only_and_registered" {
  command = apply

  variables {
    service_instance = {
      name = "api-test"
      inputs = {
        image                      = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:5.0.2"
        port                       = 9090
        cpu                        = "256"
        memory                     = "512"
        desired_count              = 0
        min_count                  = 0
        max_count                  = 0
        cpu_target                 = 60
        environment                = ["DB_POOL_SIZE=5"]
        imports                    = ["kitchen/main"]
        log_retention_days         = "auto"
        dns_name                   = ""
        allowed_security_group_ids = []
        alarm_emails               = []
        alarm_https_endpoints      = []
        alarm_cpu_percent          = 80
        alarm_memory_percent       = 80
        scm                        = "github"
        gitlab_project             = ""
        gitlab_deploy_refs         = ["ref_type:branch:ref:main"]
        gitlab_url                 = "https://gitlab.com"
        gitlab_oidc_provider_arn   = ""
      }
      components = {}
    }
  }

  override_data {
    target = data.aws_ssm_parameters_by_path.service_imports
    values = {
      names  = ["/protonkit/test/kitchen/main/url"]
      values = ["http://kitchen.test.internal:8080"]
    }
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.network_from_vpc) == 1 && aws_vpc_security_group_ingress_rule.network_from_vpc[0].cidr_ipv4 == "10.0.0.0/16" && aws_vpc_security_group_ingress_rule.network_from_vpc[0].from_port == 9090 && aws_vpc_security_group_ingress_rule.network_from_vpc[0].to_port == 9090 && aws_vpc_security_group_ingress_rule.network_from_vpc[0].security_group_id == aws_security_group.service_tasks.id
    error_message = "without allowed callers only the VPC CIDR may reach the container port"
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.network_from_callers) == 0 && length(aws_security_group.service_tasks.ingress) == 0
    error_message = "no other ingress may exist"
  }
  assert {
    condition     = one(aws_ecs_service.service_service.network_configuration).assign_public_ip == false && length(aws_ecs_service.service_service.load_balancer) == 0
    error_message = "no public IPs and no load balancer"
  }
  assert {
    condition     = aws_service_discovery_service.network_discovery.name == "orders-api" && one(aws_service_discovery_service.network_discovery.dns_config).namespace_id == "ns-aaaaaaaaaaaaaaaa" && one(one(aws_service_discovery_service.network_discovery.dns_config).dns_records).type == "A"
    error_message = "the service registers A records as its lower-cased, DNS-safe service name in the environment's namespace"
  }
  assert {
    condition     = one(aws_ecs_service.service_service.service_registries).registry_arn == aws_service_discovery_service.network_discovery.arn
    error_message = "ECS must register the tasks in the discovery service"
  }
  assert {
    condition     = output.url == "http://orders-api.test.internal:9090" && output.dns_name == "orders-api.test.internal"
    error_message = "the URL is http://<name>.<namespace>:<port>"
  }
  assert {
    condition     = aws_ssm_parameter.endpoints_endpoints["url"].name == "/protonkit/test/Orders_API/api-test/url" && aws_ssm_parameter.endpoints_endpoints["url"].value == "http://orders-api.test.internal:9090" && output.endpoint_parameter_path == "/protonkit/test/Orders_API/api-test"
    error_message = "the URL is published at /protonkit/<environment>/<service>/<instance>/url"
  }
  assert {
    condition     = try(nonsensitive({ for e in jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].environment : e.name => e.value }), { for e in jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].environment : e.name => e.value }) == { DB_POOL_SIZE = "5", KITCHEN_MAIN_URL = "http://kitchen.test.internal:8080", PORT = "9090", PROTONKIT_ENVIRONMENT = "test", PROTONKIT_SERVICE = "Orders_API", PROTONKIT_INSTANCE = "api-test" }
    error_message = "imported endpoints must arrive as environment variables with the conventional names"
  }
  assert {
    condition     = aws_ecs_service.service_service.desired_count == 1 && aws_cloudwatch_log_group.service_logs.retention_in_days == 7
    error_message = "tier defaults apply to the private service too"
  }
}

run "only_listed_callers" {
  command = apply

  variables {
    service_instance = {
      name = "api-test"
      inputs = {
        image                      = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:5.0.2"
        port                       = 8080
        cpu                        = "1024"
        memory                     = "2048"
        desired_count              = 2
        min_count                  = 2
        max_count                  = 6
        cpu_target                 = 70
        environment                = []
        imports                    = []
        log_retention_days         = "14"
        dns_name                   = "orders"
        allowed_security_group_ids = ["sg-0a1b2c3d4e5f60718", "sg-0f1e2d3c4b5a69788"]
        alarm_emails               = []
        alarm_https_endpoints      = []
        alarm_cpu_percent          = 80
        alarm_memory_percent       = 80
        scm                        = "github"
        gitlab_project             = ""
        gitlab_deploy_refs         = ["ref_type:branch:ref:main"]
        gitlab_url                 = "https://gitlab.com"
        gitlab_oidc_provider_arn   = ""
      }
      components = {
        default = {
          name    = "orders-queue"
          outputs = { queue_url = "https://sqs.eu-west-1.amazonaws.com/210987654301/orders" }
        }
      }
    }
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.network_from_vpc) == 0 && length(aws_vpc_security_group_ingress_rule.network_from_callers) == 2
    error_message = "listed callers replace the VPC-wide rule"
  }
  assert {
    condition     = toset([for r in aws_vpc_security_group_ingress_rule.network_from_callers : r.referenced_security_group_id]) == toset(["sg-0a1b2c3d4e5f60718", "sg-0f1e2d3c4b5a69788"]) && alltrue([for r in aws_vpc_security_group_ingress_rule.network_from_callers : r.cidr_ipv4 == null && r.from_port == 8080])
    error_message = "each listed security group, and only it, may reach the container port"
  }
  assert {
    condition     = output.url == "http://orders.test.internal:8080" && aws_service_discovery_service.network_discovery.name == "orders"
    error_message = "dns_name overrides the registered name"
  }
  assert {
    condition     = contains(jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].environment, { name = "COMPONENT_QUEUE_URL", value = "https://sqs.eu-west-1.amazonaws.com/210987654301/orders" }) && length(aws_iam_role_policy_attachment.service_component_policy) == 0
    error_message = "component outputs arrive as COMPONENT_<OUTPUT>; no policy is attached when the component offers none"
  }
  assert {
    condition     = aws_appautoscaling_target.service_scaling_target.min_capacity == 2 && aws_appautoscaling_target.service_scaling_target.max_capacity == 6 && aws_appautoscaling_policy.service_cpu_scaling.target_tracking_scaling_policy_configuration[0].target_value == 70 && aws_ecs_task_definition.service_task.cpu == "1024" && aws_ecs_task_definition.service_task.memory == "2048"
    error_message = "explicit sizes and scaling bounds must be used"
  }
}
