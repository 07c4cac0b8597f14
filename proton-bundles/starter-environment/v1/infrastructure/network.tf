data "aws_availability_zones" "network_zones" {
  state = "available"
}

resource "aws_subnet" "network_private" {
  count             = var.environment.inputs.subnet_count
  availability_zone = element(data.aws_availability_zones.network_zones.names, count.index)
  cidr_block        = cidrsubnet(var.environment.inputs.vpc_cidr, 8, (count.index + 10))
  tags = {
    Name = "${var.environment.name}-private-${count.index}"
  }
  vpc_id = aws_vpc.network_vpc.id
}

resource "aws_vpc" "network_vpc" {
  cidr_block           = var.environment.inputs.vpc_cidr
  enable_dns_hostnames = true
  tags = {
    Name = "${var.environment.name}-vpc"
    Team = var.environment.inputs.team
  }
}
