# What public-web-service promises for an instance: ALB listeners (HTTP forward, or HTTPS with
# redirect), target group and health check, ECS service wiring, tier defaults, autoscaling,
# environment variables from the spec, imports and the component, and endpoint publishing.
# Each run sets its own variables, so the results do not depend on the example spec. The plan-only
# production run comes first: later applies keep desired_count (autoscaling owns it) in state.

mock_provider "aws" {}

variables {
  # The instance inputs every run starts from: each run merges in what it changes.
  web_inputs = {
    image                 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/menu-web:1.0.0"
    port                  = 8080
    cpu                   = "256"
    memory                = "512"
    desired_count         = 0
    min_count             = 0
    max_count             = 0
    cpu_target            = 60
    health_check_path     = "/"
    environment           = []
    imports               = []
    log_retention_days    = "auto"
    certificate_arn       = ""
    alarm_emails          = []
    alarm_https_endpoints = []
    alarm_cpu_percent     = 80
    alarm_memory_percent  = 80
    alarm_5xx_percent     = 5
    alarm_latency_ms      = 1000
    alarm_unhealthy_hosts = 1
    # The instance deploy role trusts GitHub unless scm is gitlab.
    scm                      = "github"
    gitlab_project           = ""
    gitlab_deploy_refs       = ["ref_type:branch:ref:main"]
    gitlab_url               = "https://gitlab.com"
    gitlab_oidc_provider_arn = ""
  }
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
    name                      = "menu-web"
    branch_name               = "main"
    repository_connection_arn = ""
    repository_id             = "pizza-ananas/menu-web"
  }
}

run "production_tier_defaults" {
  command = plan

  variables {
    environment = {
      account_id = "210987654303"
      name       = "production"
      outputs = {
        tier                    = "production"
        vpc_id                  = "vpc-0f1e2d3c4b5a69788"
        vpc_cidr                = "10.30.0.0/16"
        availability_zones      = "[\"eu-west-1a\",\"eu-west-1b\",\"eu-west-1c\"]"
        public_subnet_ids       = "[\"subnet-0cc00000000000001\",\"subnet-0cc00000000000002\",\"subnet-0cc00000000000003\"]"
        private_subnet_ids      = "[\"subnet-0dd00000000000001\",\"subnet-0dd00000000000002\",\"subnet-0dd00000000000003\"]"
        nat_mode                = "per_az"
        cluster_name            = "production"
        cluster_arn             = "arn:aws:ecs:eu-west-1:210987654303:cluster/production"
        namespace_id            = "ns-bbbbbbbbbbbbbbbb"
        namespace_name          = "production.internal"
        task_execution_role_arn = "arn:aws:iam::210987654303:role/production-ecs-task-execution"
        log_retention_days      = "365"
      }
    }
    service_instance = {
      name       = "web-production"
      inputs     = var.web_inputs
      components = {}
    }
  }

  assert {
    condition     = aws_ecs_service.service_service.desired_count == 2 && aws_appautoscaling_target.service_scaling_target.min_capacity == 2 && aws_appautoscaling_target.service_scaling_target.max_capacity == 8
    error_message = "production defaults to 2 tasks, scaling between 2 and 8"
  }
  assert {
    condition     = aws_cloudwatch_log_group.service_logs.retention_in_days == 365
    error_message = "production logs are kept as long as the environment says"
  }
}

run "http_forwards_to_the_target_group" {
  command = apply

  variables {
    service_instance = {
      name = "web-test"
      inputs = merge(var.web_inputs, {
        health_check_path = "/healthz"
        environment       = ["NODE_ENV=test", "GREETING=a=b", "PORT=1"]
        imports           = ["kitchen/main"]
      })
      components = {
        default = {
          name    = "menu-cache"
          outputs = { cache_endpoint = "cache.test.internal:6379", task_policy_arn = "arn:aws:iam::210987654301:policy/menu-cache" }
        }
      }
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
    condition     = aws_lb.load_balancer_alb.internal == false && aws_lb.load_balancer_alb.load_balancer_type == "application" && toset(aws_lb.load_balancer_alb.subnets) == toset(["subnet-0aa00000000000001", "subnet-0aa00000000000002"])
    error_message = "the load balancer must be internet-facing in the public subnets"
  }
  assert {
    condition     = aws_lb.load_balancer_alb.drop_invalid_header_fields && contains(aws_lb.load_balancer_alb.security_groups, aws_security_group.load_balancer_security_group.id)
    error_message = "the load balancer drops invalid headers and uses its own security group"
  }
  assert {
    condition     = length(aws_lb_listener.load_balancer_http_forward) == 1 && length(aws_lb_listener.load_balancer_http_redirect) == 0 && length(aws_lb_listener.load_balancer_https) == 0
    error_message = "without a certificate there is exactly one HTTP listener, forwarding"
  }
  assert {
    condition     = aws_lb_listener.load_balancer_http_forward[0].port == 80 && aws_lb_listener.load_balancer_http_forward[0].load_balancer_arn == aws_lb.load_balancer_alb.arn && aws_lb_listener.load_balancer_http_forward[0].default_action[0].type == "forward" && aws_lb_listener.load_balancer_http_forward[0].default_action[0].target_group_arn == aws_lb_target_group.load_balancer_targets.arn
    error_message = "the HTTP listener must forward to the service's target group"
  }
  assert {
    condition     = aws_lb_target_group.load_balancer_targets.target_type == "ip" && aws_lb_target_group.load_balancer_targets.port == 8080 && aws_lb_target_group.load_balancer_targets.health_check[0].path == "/healthz" && aws_lb_target_group.load_balancer_targets.vpc_id == "vpc-0a1b2c3d4e5f60718"
    error_message = "the target group must reach task IPs on the container port and check the health check path"
  }
  assert {
    condition     = one(aws_ecs_service.service_service.load_balancer).target_group_arn == aws_lb_target_group.load_balancer_targets.arn && one(aws_ecs_service.service_service.load_balancer).container_port == 8080 && one(aws_ecs_service.service_service.load_balancer).container_name == "app"
    error_message = "the ECS service must register its container port in the target group"
  }
  assert {
    condition     = one(aws_ecs_service.service_service.network_configuration).assign_public_ip == false && toset(one(aws_ecs_service.service_service.network_configuration).subnets) == toset(["subnet-0bb00000000000001", "subnet-0bb00000000000002"])
    error_message = "tasks must run in the private subnets without public IPs"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.service_tasks_from_load_balancer.referenced_security_group_id == aws_security_group.load_balancer_security_group.id && aws_vpc_security_group_ingress_rule.service_tasks_from_load_balancer.from_port == 8080 && aws_vpc_security_group_ingress_rule.service_tasks_from_load_balancer.cidr_ipv4 == null
    error_message = "tasks must accept traffic from the load balancer only"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.load_balancer_http_in.from_port == 80 && length(aws_vpc_security_group_ingress_rule.load_balancer_https_in) == 0
    error_message = "without a certificate the load balancer is open on 80 only"
  }
  assert {
    condition     = aws_ecs_service.service_service.desired_count == 1 && aws_appautoscaling_target.service_scaling_target.min_capacity == 1 && aws_appautoscaling_target.service_scaling_target.max_capacity == 4
    error_message = "the test tier defaults to 1 task, scaling between 1 and 4"
  }
  assert {
    condition     = aws_appautoscaling_policy.service_cpu_scaling.target_tracking_scaling_policy_configuration[0].target_value == 60 && aws_appautoscaling_policy.service_cpu_scaling.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization" && aws_appautoscaling_target.service_scaling_target.resource_id == "service/test/menu-web-web-test"
    error_message = "CPU target tracking must scale this ECS service"
  }
  assert {
    condition     = aws_cloudwatch_log_group.service_logs.retention_in_days == 7 && aws_cloudwatch_log_group.service_logs.name == "/protonkit/test/menu-web/web-test"
    error_message = "log retention auto follows the environment's log_retention_days"
  }
  assert {
    condition     = try(nonsensitive({ for e in jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].environment : e.name => e.value }), { for e in jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].environment : e.name => e.value }) == { NODE_ENV = "test", GREETING = "a=b", PORT = "8080", KITCHEN_MAIN_URL = "http://kitchen.test.internal:8080", COMPONENT_CACHE_ENDPOINT = "cache.test.internal:6379", COMPONENT_TASK_POLICY_ARN = "arn:aws:iam::210987654301:policy/menu-cache", PROTONKIT_ENVIRONMENT = "test", PROTONKIT_SERVICE = "menu-web", PROTONKIT_INSTANCE = "web-test" }
    error_message = "container environment must hold the spec's variables, the imported endpoint, the component's outputs and the platform's (which win)"
  }
  assert {
    condition     = data.aws_ssm_parameters_by_path.service_imports["kitchen/main"].path == "/protonkit/test/kitchen/main"
    error_message = "imports are read from /protonkit/<environment>/<service>/<instance>"
  }
  assert {
    condition     = length(aws_iam_role_policy_attachment.service_component_policy) == 1 && aws_iam_role_policy_attachment.service_component_policy[0].policy_arn == "arn:aws:iam::210987654301:policy/menu-cache" && aws_iam_role_policy_attachment.service_component_policy[0].role == aws_iam_role.service_task_role.name
    error_message = "the component's task_policy_arn must be attached to the task role"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.service_task.container_definitions)[0].image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/menu-web:1.0.0" && aws_ecs_task_definition.service_task.execution_role_arn == "arn:aws:iam::210987654301:role/test-ecs-task-execution" && aws_ecs_task_definition.service_task.task_role_arn == aws_iam_role.service_task_role.arn
    error_message = "the task runs the spec's image with the environment's execution role and its own task role"
  }
  assert {
    condition     = output.url == "http://${aws_lb.load_balancer_alb.dns_name}" && aws_ssm_parameter.endpoints_endpoints["url"].name == "/protonkit/test/menu-web/web-test/url" && aws_ssm_parameter.endpoints_endpoints["url"].value == output.url
    error_message = "the URL is published as an output and at /protonkit/<environment>/<service>/<instance>/url"
  }
}

run "certificate_turns_on_https_and_redirect" {
  command = apply

  variables {
    service_instance = {
      name = "web-test"
      inputs = merge(var.web_inputs, {
        port               = 3000
        cpu                = "512"
        memory             = "1024"
        log_retention_days = "30"
        certificate_arn    = "arn:aws:acm:eu-west-1:210987654301:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
      })
      components = {}
    }
  }

  assert {
    condition     = length(aws_lb_listener.load_balancer_http_forward) == 0 && length(aws_lb_listener.load_balancer_http_redirect) == 1 && length(aws_lb_listener.load_balancer_https) == 1
    error_message = "with a certificate HTTP must redirect and HTTPS must serve"
  }
  assert {
    condition     = aws_lb_listener.load_balancer_http_redirect[0].port == 80 && aws_lb_listener.load_balancer_http_redirect[0].default_action[0].type == "redirect" && aws_lb_listener.load_balancer_http_redirect[0].default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.load_balancer_http_redirect[0].default_action[0].redirect[0].port == "443" && aws_lb_listener.load_balancer_http_redirect[0].default_action[0].redirect[0].status_code == "HTTP_301"
    error_message = "HTTP must answer with a permanent redirect to HTTPS on 443"
  }
  assert {
    condition     = aws_lb_listener.load_balancer_https[0].port == 443 && aws_lb_listener.load_balancer_https[0].protocol == "HTTPS" && aws_lb_listener.load_balancer_https[0].certificate_arn == "arn:aws:acm:eu-west-1:210987654301:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" && startswith(aws_lb_listener.load_balancer_https[0].ssl_policy, "ELBSecurityPolicy-TLS13") && aws_lb_listener.load_balancer_https[0].default_action[0].target_group_arn == aws_lb_target_group.load_balancer_targets.arn
    error_message = "HTTPS must use the certificate, a TLS 1.3 policy and forward to the target group"
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.load_balancer_https_in) == 1 && aws_vpc_security_group_ingress_rule.load_balancer_https_in[0].from_port == 443
    error_message = "the load balancer must accept 443 when HTTPS is on"
  }
  assert {
    condition     = startswith(output.url, "https://") && aws_ssm_parameter.endpoints_endpoints["url"].value == output.url
    error_message = "the published URL must be https:// with a certificate"
  }
  assert {
    condition     = length(data.aws_ssm_parameters_by_path.service_imports) == 0 && length(aws_iam_role_policy_attachment.service_component_policy) == 0 && aws_cloudwatch_log_group.service_logs.retention_in_days == 30
    error_message = "no imports read, no component policy without a component, explicit retention wins"
  }
}

run "fargate_refuses_cpu_memory_pair" {
  command = plan

  variables {
    service_instance = {
      name = "web-test"
      inputs = merge(var.web_inputs, {
        memory        = "4096"
        desired_count = 1
        min_count     = 1
        max_count     = 2
      })
      components = {}
    }
  }

  expect_failures = [aws_ecs_task_definition.service_task]
}

run "task_counts_out_of_order" {
  command = plan

  variables {
    service_instance = {
      name = "web-test"
      inputs = merge(var.web_inputs, {
        desired_count = 2
        min_count     = 3
        max_count     = 4
      })
      components = {}
    }
  }

  expect_failures = [aws_ecs_service.service_service]
}

# Checks the example spec on a state of its own: the runs above set their own variables, so
# protonkit test runs them with the first example spec only.
run "alarms_follow_the_spec" {
  command   = apply
  state_key = "spec"

  assert {
    condition = alltrue([for a in [aws_cloudwatch_metric_alarm.service_alarms_cpu, aws_cloudwatch_metric_alarm.service_alarms_memory] :
    a.namespace == "AWS/ECS" && a.dimensions.ClusterName == var.environment.outputs.cluster_name && a.dimensions.ServiceName == aws_ecs_service.service_service.name])
    error_message = "the CPU and memory alarms watch the ECS service"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.service_alarms_cpu.threshold == var.service_instance.inputs.alarm_cpu_percent && aws_cloudwatch_metric_alarm.service_alarms_memory.threshold == var.service_instance.inputs.alarm_memory_percent
    error_message = "the CPU and memory thresholds come from the spec"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.service_alarms_errors_5xx.threshold == var.service_instance.inputs.alarm_5xx_percent && length(aws_cloudwatch_metric_alarm.service_alarms_errors_5xx.metric_query) == 4 && alltrue([for q in aws_cloudwatch_metric_alarm.service_alarms_errors_5xx.metric_query : q.metric[0].dimensions.LoadBalancer == aws_lb.load_balancer_alb.arn_suffix if length(q.metric) > 0])
    error_message = "the 5xx alarm is the load balancer's 5xx share of requests, against alarm_5xx_percent"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.service_alarms_latency.extended_statistic == "p95" && aws_cloudwatch_metric_alarm.service_alarms_latency.threshold == var.service_instance.inputs.alarm_latency_ms / 1000
    error_message = "the latency alarm compares p95 TargetResponseTime (seconds) with alarm_latency_ms"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.service_alarms_unhealthy_hosts.dimensions.TargetGroup == aws_lb_target_group.load_balancer_targets.arn_suffix && aws_cloudwatch_metric_alarm.service_alarms_unhealthy_hosts.threshold == var.service_instance.inputs.alarm_unhealthy_hosts
    error_message = "the unhealthy hosts alarm watches the service's target group"
  }

  assert {
    condition = alltrue([for a in [aws_cloudwatch_metric_alarm.service_alarms_cpu, aws_cloudwatch_metric_alarm.service_alarms_memory, aws_cloudwatch_metric_alarm.service_alarms_errors_5xx, aws_cloudwatch_metric_alarm.service_alarms_latency, aws_cloudwatch_metric_alarm.service_alarms_unhealthy_hosts] :
    a.alarm_actions == toset([aws_sns_topic.service_alarms_topic.arn]) && a.ok_actions == toset([aws_sns_topic.service_alarms_topic.arn])])
    error_message = "every alarm notifies the instance's topic"
  }

  assert {
    condition     = aws_sns_topic.service_alarms_topic.kms_master_key_id == aws_kms_key.service_alarms_key.arn && toset([for s in aws_sns_topic_subscription.service_alarms_email : s.endpoint]) == toset(var.service_instance.inputs.alarm_emails) && toset([for s in aws_sns_topic_subscription.service_alarms_https : s.endpoint]) == toset(var.service_instance.inputs.alarm_https_endpoints)
    error_message = "the topic is encrypted with its own key and subscribes the spec's e-mail addresses and HTTPS endpoints"
  }
}
