data "aws_availability_zones" "network_zones" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

resource "aws_cloudwatch_log_group" "network_client_vpn_log_group" {
  count             = var.environment.inputs.client_vpn ? 1 : 0
  name              = "/protonkit/${var.environment.name}/client-vpn"
  retention_in_days = local.log_retention_days
}

resource "aws_cloudwatch_log_stream" "network_client_vpn_log_stream" {
  count          = var.environment.inputs.client_vpn ? 1 : 0
  log_group_name = element(aws_cloudwatch_log_group.network_client_vpn_log_group[*].name, 0)
  name           = "connections"
}

resource "aws_default_security_group" "network_default_security_group" {
  tags = {
    Name = "${var.environment.name}-default-deny"
  }
  vpc_id = aws_vpc.network_vpc.id
}

resource "aws_ec2_client_vpn_authorization_rule" "network_client_vpn_vpc" {
  count                  = var.environment.inputs.client_vpn ? 1 : 0
  authorize_all_groups   = true
  client_vpn_endpoint_id = element(aws_ec2_client_vpn_endpoint.network_client_vpn_endpoint[*].id, 0)
  description            = "The VPC"
  target_network_cidr    = aws_vpc.network_vpc.cidr_block
}

resource "aws_ec2_client_vpn_endpoint" "network_client_vpn_endpoint" {
  count                  = var.environment.inputs.client_vpn ? 1 : 0
  client_cidr_block      = var.environment.inputs.client_vpn_cidr
  description            = "${var.environment.name} Client VPN"
  security_group_ids     = [element(aws_security_group.network_client_vpn_security_group[*].id, 0)]
  server_certificate_arn = var.environment.inputs.client_vpn_server_certificate_arn
  split_tunnel           = true
  transport_protocol     = "udp"
  vpc_id                 = aws_vpc.network_vpc.id

  authentication_options {
    root_certificate_chain_arn = var.environment.inputs.client_vpn_client_root_certificate_arn
    type                       = "certificate-authentication"
  }

  connection_log_options {
    cloudwatch_log_group = element(aws_cloudwatch_log_group.network_client_vpn_log_group[*].name, 0)
    cloudwatch_log_stream = element(
      aws_cloudwatch_log_stream.network_client_vpn_log_stream[*].name,
      0,
    )
    enabled = true
  }

  lifecycle {
    precondition {
      condition     = (("" != var.environment.inputs.client_vpn_server_certificate_arn) && ("" != var.environment.inputs.client_vpn_client_root_certificate_arn))
      error_message = "client_vpn needs client_vpn_server_certificate_arn and client_vpn_client_root_certificate_arn (ACM certificates)."
    }
  }
}

resource "aws_ec2_client_vpn_network_association" "network_client_vpn_subnet" {
  count                  = var.environment.inputs.client_vpn ? var.environment.inputs.az_count : 0
  client_vpn_endpoint_id = element(aws_ec2_client_vpn_endpoint.network_client_vpn_endpoint[*].id, 0)
  subnet_id              = element(aws_subnet.network_private[*].id, count.index)
}

resource "aws_eip" "network_nat_ip" {
  count  = local.nat_gateway_count
  domain = "vpc"
  tags = {
    Name = "${var.environment.name}-nat-${count.index}"
  }
}

resource "aws_internet_gateway" "network_internet_gateway" {
  tags = {
    Name = var.environment.name
  }
  vpc_id = aws_vpc.network_vpc.id
}

resource "aws_nat_gateway" "network_nat" {
  count         = local.nat_gateway_count
  depends_on    = [aws_internet_gateway.network_internet_gateway]
  allocation_id = element(aws_eip.network_nat_ip[*].id, count.index)
  subnet_id     = element(aws_subnet.network_public[*].id, count.index)
  tags = {
    Name = "${var.environment.name}-nat-${count.index}"
  }
}

resource "aws_route" "network_private_default_route" {
  count                  = (local.nat_gateway_count > 0) ? var.environment.inputs.az_count : 0
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = element(aws_nat_gateway.network_nat[*].id, count.index)
  route_table_id         = element(aws_route_table.network_private_routes[*].id, count.index)
}

resource "aws_route" "network_public_default_route" {
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.network_internet_gateway.id
  route_table_id         = aws_route_table.network_public_routes.id
}

resource "aws_route_table" "network_private_routes" {
  count = var.environment.inputs.az_count
  tags = {
    Name = "${var.environment.name}-private-${count.index}"
  }
  vpc_id = aws_vpc.network_vpc.id
}

resource "aws_route_table" "network_public_routes" {
  tags = {
    Name = "${var.environment.name}-public"
  }
  vpc_id = aws_vpc.network_vpc.id
}

resource "aws_route_table_association" "network_private_routes_association" {
  count          = var.environment.inputs.az_count
  route_table_id = element(aws_route_table.network_private_routes[*].id, count.index)
  subnet_id      = element(aws_subnet.network_private[*].id, count.index)
}

resource "aws_route_table_association" "network_public_routes_association" {
  count          = var.environment.inputs.az_count
  route_table_id = aws_route_table.network_public_routes.id
  subnet_id      = element(aws_subnet.network_public[*].id, count.index)
}

resource "aws_security_group" "network_client_vpn_security_group" {
  count       = var.environment.inputs.client_vpn ? 1 : 0
  description = "Client VPN of ${var.environment.name}: to the VPC only"
  name        = "${var.environment.name}-client-vpn"
  vpc_id      = aws_vpc.network_vpc.id

  egress {
    cidr_blocks = [aws_vpc.network_vpc.cidr_block]
    description = "To the VPC"
    from_port   = 0
    protocol    = "-1"
    to_port     = 0
  }
}

resource "aws_security_group" "network_endpoint_security_group" {
  count       = (length(local.interface_endpoints) == 0) ? 0 : 1
  description = "HTTPS to the interface VPC endpoints from inside the VPC"
  name_prefix = "${var.environment.name}-endpoints-"
  vpc_id      = aws_vpc.network_vpc.id

  ingress {
    cidr_blocks = [aws_vpc.network_vpc.cidr_block]
    description = "HTTPS from the VPC"
    from_port   = 443
    protocol    = "tcp"
    to_port     = 443
  }
}

resource "aws_subnet" "network_private" {
  count             = var.environment.inputs.az_count
  availability_zone = try(element(local.availability_zones, count.index), null)
  cidr_block        = cidrsubnet(var.environment.inputs.vpc_cidr, 4, (count.index + 8))
  tags = {
    Name = "${var.environment.name}-private-${count.index}"
    Tier = "private"
  }
  vpc_id = aws_vpc.network_vpc.id
}

resource "aws_subnet" "network_public" {
  count                   = var.environment.inputs.az_count
  availability_zone       = try(element(local.availability_zones, count.index), null)
  cidr_block              = cidrsubnet(var.environment.inputs.vpc_cidr, 4, count.index)
  map_public_ip_on_launch = false
  tags = {
    Name = "${var.environment.name}-public-${count.index}"
    Tier = "public"
  }
  vpc_id = aws_vpc.network_vpc.id
}

resource "aws_vpc" "network_vpc" {
  cidr_block           = var.environment.inputs.vpc_cidr
  enable_dns_hostnames = true
  enable_dns_support   = true
  tags = {
    Name = var.environment.name
  }

  lifecycle {
    precondition {
      condition     = ((length(data.aws_availability_zones.network_zones.names) == 0) || (length(data.aws_availability_zones.network_zones.names) >= var.environment.inputs.az_count))
      error_message = "The region has fewer available availability zones than az_count: lower az_count."
    }
  }
}

resource "aws_vpc_endpoint" "network_interface_endpoint" {
  for_each            = toset(toset(local.interface_endpoints))
  private_dns_enabled = true
  security_group_ids  = [element(aws_security_group.network_endpoint_security_group[*].id, 0)]
  service_name = format(
    "%s.%s.%s",
    data.aws_partition.partition.reverse_dns_prefix,
    data.aws_region.region.name,
    each.value,
  )
  subnet_ids = aws_subnet.network_private[*].id
  tags = {
    Name = format("%s-%s", var.environment.name, each.value)
  }
  vpc_endpoint_type = "Interface"
  vpc_id            = aws_vpc.network_vpc.id
}

resource "aws_vpc_endpoint" "network_s3_endpoint" {
  route_table_ids = aws_route_table.network_private_routes[*].id
  service_name = format(
    "%s.%s.s3",
    data.aws_partition.partition.reverse_dns_prefix,
    data.aws_region.region.name,
  )
  tags = {
    Name = "${var.environment.name}-s3"
  }
  vpc_endpoint_type = "Gateway"
  vpc_id            = aws_vpc.network_vpc.id
}
