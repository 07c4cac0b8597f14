locals {
  service_component_outputs = try(var.service_instance.components.default.outputs, {})
  service_container_environment = merge(
    {
      for kv in local.service_spec_environment : split("=", kv)[0] => join("=", slice(split("=", kv), 1, length(split("=", kv))))
    },
    {
      for k, v in local.service_component_outputs : upper(replace(
        format("COMPONENT_%s", k),
        "/[^0-9A-Za-z]+/",
        "_",
      )) => tostring(v)
    },
    local.service_imported_endpoints,
    {
      "PORT"                  = tostring(var.service_instance.inputs.port)
      "PROTONKIT_ENVIRONMENT" = var.environment.name
      "PROTONKIT_SERVICE"     = var.service.name
      "PROTONKIT_INSTANCE"    = var.service_instance.name
    },
  )
  service_desired_count      = (var.service_instance.inputs.desired_count == 0) ? (var.environment.outputs.tier == "production") ? 2 : 1 : var.service_instance.inputs.desired_count
  service_gitlab_deploy_refs = var.service_instance.inputs.gitlab_deploy_refs
  service_gitlab_host        = trimprefix(var.service_instance.inputs.gitlab_url, "https://")
  service_gitlab_project     = var.service_instance.inputs.gitlab_project
  service_imported_endpoints = merge([
    for key, found in data.aws_ssm_parameters_by_path.service_imports : {
      for i, name in found.names : format(
        "%s_%s",
        length(split("=", key)) > 1 ? split("=", key)[1] : upper(replace(key, "/[^0-9A-Za-z]+/", "_")),
        upper(replace(basename(name), "/[^0-9A-Za-z]+/", "_")),
      ) => found.values[i]
    }
  ]...)
  service_max_count        = (var.service_instance.inputs.max_count == 0) ? max((local.service_desired_count * 4), local.service_min_count) : var.service_instance.inputs.max_count
  service_min_count        = (var.service_instance.inputs.min_count == 0) ? local.service_desired_count : var.service_instance.inputs.min_count
  service_spec_environment = var.service_instance.inputs.environment
}
