import { Op, Token } from "cdktf";
import { Construct } from "constructs";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Input } from "../../src/authoring/inputs";
import type { InputRefs } from "../../src/authoring/refs";
import { AlarmTopic, alarmInputs, metricAlarm } from "./alarms";
import type { FargateWebService } from "./fargate-service";

/** Alarm inputs of every Fargate web service: where alarms go, CPU and memory. */
export const webAlarmInputs = {
  ...alarmInputs,
  alarm_cpu_percent: Input.integer({
    title: "CPU alarm (%)",
    description: "Average CPU utilization of the service's tasks that raises an alarm when it holds for 15 minutes.",
    default: 80,
    minimum: 1,
    maximum: 100,
  }),
  alarm_memory_percent: Input.integer({
    title: "Memory alarm (%)",
    description: "Average memory utilization of the service's tasks that raises an alarm when it holds for 15 minutes.",
    default: 80,
    minimum: 1,
    maximum: 100,
  }),
} as const;

/** Alarm inputs of a web service behind a load balancer: error rate, latency, unhealthy targets. */
export const loadBalancerAlarmInputs = {
  alarm_5xx_percent: Input.integer({
    title: "5xx alarm (% of requests)",
    description: "Share of requests answered with a 5xx (by the tasks or the load balancer) in 5 minutes that raises an alarm.",
    default: 5,
    minimum: 1,
    maximum: 100,
  }),
  alarm_latency_ms: Input.integer({
    title: "Latency alarm (ms, p95)",
    description: "p95 target response time that raises an alarm when it holds for 15 minutes.",
    default: 1000,
    minimum: 10,
    maximum: 60000,
  }),
  alarm_unhealthy_hosts: Input.integer({
    title: "Unhealthy targets alarm",
    description: "Tasks failing the load balancer's health check that raise an alarm when it holds for 3 minutes.",
    default: 1,
    minimum: 1,
    maximum: 200,
  }),
} as const;

/** The load balancer a web service's traffic comes through. */
export interface WebLoadBalancer {
  /** The Application Load Balancer. */
  readonly alb: Lb;
  /** The target group of the service's tasks. */
  readonly targets: LbTargetGroup;
  /** The load balancer alarm inputs. */
  readonly inputs: InputRefs<typeof loadBalancerAlarmInputs>;
}

/**
 * The alarms of a Fargate web service, in a construct `alarms` under `scope`: CPU and
 * memory of the ECS service and, behind a load balancer, the 5xx rate, p95 latency and
 * unhealthy targets. All notify one {@link AlarmTopic}.
 */
export function addWebAlarms(scope: Construct, name: string, clusterName: string, app: FargateWebService, inputs: InputRefs<typeof webAlarmInputs>, lb?: WebLoadBalancer): AlarmTopic {
  const alarms = new AlarmTopic(scope, "alarms", { name: `${name}-alarms`, emails: inputs.alarm_emails, httpsEndpoints: inputs.alarm_https_endpoints });
  const service = { ClusterName: clusterName, ServiceName: app.service.name };
  for (const [id, metric, threshold] of [
    ["cpu", "CPUUtilization", inputs.alarm_cpu_percent],
    ["memory", "MemoryUtilization", inputs.alarm_memory_percent],
  ] as const) {
    metricAlarm(alarms, id, alarms, {
      name: `${name}-${metric}`,
      description: `${metric} of ${name}'s tasks high for 15 minutes: raise cpu or memory, or max_count.`,
      namespace: "AWS/ECS",
      metricName: metric,
      dimensions: service,
      statistic: "Average",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold,
      periods: 3,
    });
  }
  if (!lb) return alarms;
  const balancer = { LoadBalancer: lb.alb.arnSuffix };
  const sum = (id: string, metricName: string): { id: string; metric: { namespace: string; metricName: string; dimensions: Record<string, string>; period: number; stat: string } } => ({
    id,
    metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: balancer, period: 300, stat: "Sum" },
  });
  metricAlarm(alarms, "errors_5xx", alarms, {
    name: `${name}-5xx-rate`,
    description: `More than alarm_5xx_percent of ${name}'s requests answered 5xx: read the service's logs; 502/503 from the load balancer mean no healthy task.`,
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: lb.inputs.alarm_5xx_percent,
    metricQuery: [
      { id: "rate", expression: "IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)", label: "5xx % of requests", returnData: true },
      sum("requests", "RequestCount"),
      sum("target5xx", "HTTPCode_Target_5XX_Count"),
      sum("elb5xx", "HTTPCode_ELB_5XX_Count"),
    ],
  });
  metricAlarm(alarms, "latency", alarms, {
    name: `${name}-TargetResponseTime`,
    description: `p95 response time of ${name} high for 15 minutes: find the slow dependency, or scale out.`,
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    dimensions: balancer,
    extendedStatistic: "p95",
    comparison: "GreaterThanOrEqualToThreshold",
    // TargetResponseTime is in seconds.
    threshold: Token.asNumber(Op.div(lb.inputs.alarm_latency_ms, 1000)),
    periods: 3,
  });
  metricAlarm(alarms, "unhealthy_hosts", alarms, {
    name: `${name}-UnHealthyHostCount`,
    description: `Tasks of ${name} failing the health check for 3 minutes: read the service's logs and the health_check_path.`,
    namespace: "AWS/ApplicationELB",
    metricName: "UnHealthyHostCount",
    dimensions: { ...balancer, TargetGroup: lb.targets.arnSuffix },
    statistic: "Maximum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: lb.inputs.alarm_unhealthy_hosts,
    period: 60,
    periods: 3,
  });
  return alarms;
}
