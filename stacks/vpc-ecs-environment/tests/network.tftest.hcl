# Network promises of vpc-ecs-environment: zones, subnets, NAT per mode and tier, flow logs.
# Every run sets the whole environment variable, so results do not depend on the example spec.

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

run "test_tier_defaults" {
  command = apply

  variables {
    environment = {
      name = "pizza_test"
      inputs = {
        tier                                   = "test"
        vpc_cidr                               = "10.0.0.0/16"
        az_count                               = 2
        nat_mode                               = "auto"
        flow_logs                              = "auto"
        log_retention_days                     = "auto"
        container_insights                     = "enabled"
        namespace_name                         = ""
        vpc_endpoints                          = "auto"
        team_access                            = []
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  assert {
    condition     = length(aws_subnet.network_public) == 2 && length(aws_subnet.network_private) == 2
    error_message = "az_count 2 must give two public and two private subnets"
  }
  assert {
    condition     = toset(aws_subnet.network_public[*].availability_zone) == toset(["eu-west-1a", "eu-west-1b"]) && toset(aws_subnet.network_private[*].availability_zone) == toset(["eu-west-1a", "eu-west-1b"])
    error_message = "each zone must get one public and one private subnet"
  }
  assert {
    condition     = length(distinct(concat(aws_subnet.network_public[*].cidr_block, aws_subnet.network_private[*].cidr_block))) == 4 && alltrue([for c in concat(aws_subnet.network_public[*].cidr_block, aws_subnet.network_private[*].cidr_block) : cidrsubnet(c, 0, 0) == c && startswith(c, "10.0.")])
    error_message = "subnet CIDR blocks must be distinct and inside the VPC"
  }
  assert {
    condition     = alltrue([for s in aws_subnet.network_public : s.map_public_ip_on_launch == false])
    error_message = "public subnets must not hand out public IPs to whatever is launched there"
  }
  assert {
    condition     = length(aws_nat_gateway.network_nat) == 1 && length(aws_eip.network_nat_ip) == 1 && output.nat_mode == "single"
    error_message = "tier test with nat_mode auto must create exactly one NAT gateway"
  }
  assert {
    condition     = length(aws_route.network_private_default_route) == 2 && alltrue([for r in aws_route.network_private_default_route : r.nat_gateway_id == aws_nat_gateway.network_nat[0].id && r.destination_cidr_block == "0.0.0.0/0"])
    error_message = "with a single NAT gateway every private route table must send 0.0.0.0/0 to it"
  }
  assert {
    condition     = aws_route.network_public_default_route.gateway_id == aws_internet_gateway.network_internet_gateway.id && length(aws_route_table_association.network_public_routes_association) == 2
    error_message = "public subnets must route 0.0.0.0/0 to the internet gateway"
  }
  assert {
    condition     = length(aws_flow_log.flow_logs_vpc) == 0 && length(aws_iam_role.flow_logs_role) == 0
    error_message = "flow logs are off by default in the test tier"
  }
  assert {
    condition     = output.log_retention_days == "7" && output.tier == "test"
    error_message = "the test tier keeps logs 7 days"
  }
  assert {
    condition     = output.namespace_name == "pizza-test.internal"
    error_message = "the default namespace is <environment>.internal with underscores made DNS-safe"
  }
  assert {
    condition     = length(jsondecode(output.private_subnet_ids)) == 2 && jsondecode(output.public_subnet_ids)[0] == aws_subnet.network_public[0].id
    error_message = "subnet outputs must be JSON-encoded lists of the subnet IDs"
  }
  assert {
    condition     = length(aws_vpc_endpoint.network_interface_endpoint) == 0 && length(aws_security_group.network_endpoint_security_group) == 0
    error_message = "with NAT, vpc_endpoints auto adds no interface endpoint"
  }
  assert {
    condition     = aws_vpc_endpoint.network_s3_endpoint.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.network_s3_endpoint.service_name == "com.amazonaws.eu-west-1.s3" && toset(aws_vpc_endpoint.network_s3_endpoint.route_table_ids) == toset(aws_route_table.network_private_routes[*].id)
    error_message = "the S3 gateway endpoint must serve every private route table"
  }
  assert {
    condition     = aws_vpc.network_vpc.enable_dns_hostnames && aws_vpc.network_vpc.enable_dns_support
    error_message = "the private DNS namespace needs DNS support and hostnames on the VPC"
  }
}

run "production_tier_gets_nat_per_zone_and_flow_logs" {
  command = apply

  variables {
    environment = {
      name = "pizza-production"
      inputs = {
        tier                                   = "production"
        vpc_cidr                               = "10.30.0.0/16"
        az_count                               = 3
        nat_mode                               = "auto"
        flow_logs                              = "auto"
        log_retention_days                     = "auto"
        container_insights                     = "enhanced"
        namespace_name                         = "production.pizza-ananas.internal"
        vpc_endpoints                          = "auto"
        team_access                            = []
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  assert {
    condition     = length(aws_nat_gateway.network_nat) == 3 && output.nat_mode == "per_az"
    error_message = "production with nat_mode auto must create one NAT gateway per zone"
  }
  assert {
    condition     = length(distinct(aws_nat_gateway.network_nat[*].subnet_id)) == 3 && alltrue([for n in aws_nat_gateway.network_nat : contains(aws_subnet.network_public[*].id, n.subnet_id)])
    error_message = "each NAT gateway must sit in its own public subnet"
  }
  assert {
    condition     = length(aws_route.network_private_default_route) == 3 && length(distinct(aws_route.network_private_default_route[*].nat_gateway_id)) == 3
    error_message = "with per_az NAT each zone's private route table must use its own NAT gateway"
  }
  assert {
    condition     = length(aws_flow_log.flow_logs_vpc) == 1 && aws_flow_log.flow_logs_vpc[0].log_destination == aws_cloudwatch_log_group.flow_logs_log_group[0].arn && aws_flow_log.flow_logs_vpc[0].iam_role_arn == aws_iam_role.flow_logs_role[0].arn && aws_flow_log.flow_logs_vpc[0].traffic_type == "ALL"
    error_message = "production must send all VPC flow logs to the flow log group through the delivery role"
  }
  assert {
    condition     = aws_cloudwatch_log_group.flow_logs_log_group[0].retention_in_days == 365 && output.log_retention_days == "365"
    error_message = "production keeps logs 365 days"
  }
  assert {
    condition     = jsondecode(aws_iam_role.flow_logs_role[0].assume_role_policy).Statement[0].Principal.Service == "vpc-flow-logs.amazonaws.com" && jsondecode(aws_iam_role.flow_logs_role[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "210987654321"
    error_message = "only VPC Flow Logs, for this account, may assume the delivery role"
  }
  assert {
    condition     = contains(jsondecode(aws_iam_role_policy.flow_logs_delivery[0].policy).Statement[0].Resource, aws_cloudwatch_log_group.flow_logs_log_group[0].arn) && length(jsondecode(aws_iam_role_policy.flow_logs_delivery[0].policy).Statement[0].Resource) == 2
    error_message = "the delivery role may write to the flow log group only"
  }
  assert {
    condition     = output.namespace_name == "production.pizza-ananas.internal" && length(jsondecode(output.availability_zones)) == 3
    error_message = "the namespace input and the three zones must be used"
  }
}

run "explicit_single_nat_in_production" {
  command = plan

  variables {
    environment = {
      name = "pizza-production"
      inputs = {
        tier                                   = "production"
        vpc_cidr                               = "10.30.0.0/16"
        az_count                               = 3
        nat_mode                               = "single"
        flow_logs                              = "disabled"
        log_retention_days                     = "90"
        container_insights                     = "enabled"
        namespace_name                         = ""
        vpc_endpoints                          = "auto"
        team_access                            = []
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  assert {
    condition     = length(aws_nat_gateway.network_nat) == 1 && length(aws_route.network_private_default_route) == 3
    error_message = "nat_mode single must create exactly one NAT gateway shared by the three zones"
  }
  assert {
    condition     = length(aws_flow_log.flow_logs_vpc) == 0
    error_message = "flow_logs disabled must win over the tier default"
  }
  assert {
    condition     = output.log_retention_days == "90"
    error_message = "an explicit log retention must win over the tier default"
  }
}

run "explicit_per_az_in_test" {
  command = plan

  variables {
    environment = {
      name = "pizza-test"
      inputs = {
        tier                                   = "test"
        vpc_cidr                               = "10.0.0.0/20"
        az_count                               = 2
        nat_mode                               = "per_az"
        flow_logs                              = "enabled"
        log_retention_days                     = "auto"
        container_insights                     = "enabled"
        namespace_name                         = ""
        vpc_endpoints                          = "auto"
        team_access                            = []
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  assert {
    condition     = length(aws_nat_gateway.network_nat) == 2 && length(aws_eip.network_nat_ip) == 2
    error_message = "nat_mode per_az must create one NAT gateway per zone in any tier"
  }
  assert {
    condition     = length(aws_flow_log.flow_logs_vpc) == 1 && aws_cloudwatch_log_group.flow_logs_log_group[0].retention_in_days == 7
    error_message = "flow_logs enabled must create flow logs in the test tier, kept 7 days"
  }
  assert {
    condition     = aws_subnet.network_private[0].cidr_block == "10.0.8.0/24" && aws_subnet.network_public[1].cidr_block == "10.0.1.0/24"
    error_message = "a /20 VPC must be carved into /24 subnets, private from the ninth block"
  }
}

run "no_nat" {
  command = apply

  variables {
    environment = {
      name = "pizza-test"
      inputs = {
        tier                                   = "production"
        vpc_cidr                               = "10.0.0.0/16"
        az_count                               = 2
        nat_mode                               = "none"
        flow_logs                              = "auto"
        log_retention_days                     = "auto"
        container_insights                     = "enabled"
        namespace_name                         = ""
        vpc_endpoints                          = "auto"
        team_access                            = []
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  assert {
    condition     = length(aws_nat_gateway.network_nat) == 0 && length(aws_eip.network_nat_ip) == 0 && length(aws_route.network_private_default_route) == 0
    error_message = "nat_mode none must create no NAT gateway and no default route for private subnets"
  }
  assert {
    condition     = toset(keys(aws_vpc_endpoint.network_interface_endpoint)) == toset(["ecr.api", "ecr.dkr", "logs"]) && alltrue([for k, e in aws_vpc_endpoint.network_interface_endpoint : e.vpc_endpoint_type == "Interface" && e.private_dns_enabled && e.service_name == "com.amazonaws.eu-west-1.${k}" && e.security_group_ids == toset([aws_security_group.network_endpoint_security_group[0].id])])
    error_message = "without NAT, vpc_endpoints auto must add private ECR and Logs endpoints so tasks can pull images and ship logs"
  }
  assert {
    condition     = length(aws_security_group.network_endpoint_security_group) == 1 && one(aws_security_group.network_endpoint_security_group[0].ingress).from_port == 443 && tolist(one(aws_security_group.network_endpoint_security_group[0].ingress).cidr_blocks) == tolist(["10.0.0.0/16"])
    error_message = "interface endpoints accept HTTPS from the VPC only"
  }
  assert {
    condition     = length(aws_route_table.network_private_routes) == 2 && length(aws_route_table_association.network_private_routes_association) == 2
    error_message = "private subnets keep their own route tables without NAT"
  }
}

run "too_few_zones_in_region" {
  command = plan

  variables {
    environment = {
      name = "pizza-test"
      inputs = {
        tier                                   = "test"
        vpc_cidr                               = "10.0.0.0/16"
        az_count                               = 3
        nat_mode                               = "auto"
        flow_logs                              = "auto"
        log_retention_days                     = "auto"
        container_insights                     = "enabled"
        namespace_name                         = ""
        vpc_endpoints                          = "auto"
        team_access                            = []
        client_vpn                             = false
        client_vpn_server_certificate_arn      = ""
        client_vpn_client_root_certificate_arn = ""
        client_vpn_cidr                        = "172.16.0.0/22"
      }
    }
  }

  override_data {
    target = data.aws_availability_zones.network_zones
    values = {
      names = ["us-west-1b", "us-west-1c"]
    }
  }

  expect_failures = [aws_vpc.network_vpc]
}

# Checks the example spec on a state of its own: the runs above set their own variables, so
# protonkit test runs them with the first example spec only.
run "client_vpn_is_off_by_default" {
  command   = apply
  state_key = "spec"

  assert {
    condition     = var.environment.inputs.client_vpn || (length(aws_ec2_client_vpn_endpoint.network_client_vpn_endpoint) == 0 && length(aws_ec2_client_vpn_network_association.network_client_vpn_subnet) == 0)
    error_message = "without client_vpn there is no Client VPN endpoint"
  }

  assert {
    condition     = !var.environment.inputs.client_vpn || (length(aws_ec2_client_vpn_network_association.network_client_vpn_subnet) == var.environment.inputs.az_count && try(one(aws_ec2_client_vpn_authorization_rule.network_client_vpn_vpc).target_network_cidr, "") == aws_vpc.network_vpc.cidr_block && try(one(aws_ec2_client_vpn_endpoint.network_client_vpn_endpoint).connection_log_options[0].enabled, false) && try(one(aws_ec2_client_vpn_endpoint.network_client_vpn_endpoint).split_tunnel, false))
    error_message = "with client_vpn the endpoint is associated with every private subnet, authorizes the VPC CIDR, logs connections and splits the tunnel"
  }
}
