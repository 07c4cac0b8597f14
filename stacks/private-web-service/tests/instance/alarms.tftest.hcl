# The alarms of every example spec, in the spec's own environment (service.tftest.hcl fixes
# the environment for its runs).

mock_provider "aws" {}

run "alarms_follow_the_spec" {
  command = apply

  assert {
    condition = alltrue([for a in [aws_cloudwatch_metric_alarm.service_alarms_cpu, aws_cloudwatch_metric_alarm.service_alarms_memory] :
    a.namespace == "AWS/ECS" && a.dimensions.ClusterName == var.environment.outputs.cluster_name && a.dimensions.ServiceName == aws_ecs_service.service_service.name && a.alarm_actions == toset([aws_sns_topic.service_alarms_topic.arn])])
    error_message = "the CPU and memory alarms watch the ECS service and notify the instance's topic"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.service_alarms_cpu.threshold == var.service_instance.inputs.alarm_cpu_percent && aws_cloudwatch_metric_alarm.service_alarms_memory.threshold == var.service_instance.inputs.alarm_memory_percent
    error_message = "the CPU and memory thresholds come from the spec"
  }

  assert {
    condition     = aws_sns_topic.service_alarms_topic.kms_master_key_id == aws_kms_key.service_alarms_key.arn && toset([for s in aws_sns_topic_subscription.service_alarms_email : s.endpoint]) == toset(var.service_instance.inputs.alarm_emails) && toset([for s in aws_sns_topic_subscription.service_alarms_https : s.endpoint]) == toset(var.service_instance.inputs.alarm_https_endpoints)
    error_message = "the topic is encrypted with its own key and subscribes the spec's e-mail addresses and HTTPS endpoints"
  }
}
