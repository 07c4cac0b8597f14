locals {
  availability_zones = slice(
    data.aws_availability_zones.network_zones.names,
    0,
    min(var.environment.inputs.az_count, length(data.aws_availability_zones.network_zones.names)),
  )
  compute_team_access_teams = {
    for entry in var.environment.inputs.team_access : split(";", entry)[0] => { principal = split(";", entry)[1], services = split(",", split(";", entry)[2]) }
  }
  flow_logs_enabled   = (var.environment.inputs.flow_logs == "auto") ? !(var.environment.inputs.tier == "test") : (var.environment.inputs.flow_logs == "enabled")
  interface_endpoints = ((var.environment.inputs.vpc_endpoints == "enabled") || ((var.environment.inputs.vpc_endpoints == "auto") && (local.nat_mode == "none"))) ? ["ecr.api", "ecr.dkr", "logs"] : []
  log_retention_days  = (var.environment.inputs.log_retention_days == "auto") ? { "test" = 7, "staging" = 30, "production" = 365 }[var.environment.inputs.tier] : tonumber(var.environment.inputs.log_retention_days)
  namespace_name      = (var.environment.inputs.namespace_name == "") ? format("%s.internal", replace(lower(var.environment.name), "_", "-")) : var.environment.inputs.namespace_name
  nat_gateway_count   = (local.nat_mode == "none") ? 0 : (local.nat_mode == "single") ? 1 : var.environment.inputs.az_count
  nat_mode            = (var.environment.inputs.nat_mode == "auto") ? (var.environment.inputs.tier == "production") ? "per_az" : "single" : var.environment.inputs.nat_mode
}

data "aws_caller_identity" "account" {}

data "aws_partition" "partition" {}

data "aws_region" "region" {}
