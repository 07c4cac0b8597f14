import { Fn, Op, TerraformCount, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Input } from "../../src/authoring/inputs";
import { expr, splat } from "../../src/authoring/refs";
import { serviceTemplate } from "../../src/authoring/template";
import { AlarmTopic, alarmInputs, metricAlarm } from "../shared/alarms";
import { importEndpoints, importsInput, publishEndpoints } from "../shared/endpoints";
import { LOG_RETENTION_CHOICES } from "../shared/log-retention";
import { serviceTrustPolicy } from "../shared/trust-policy";
import { webPipelineInputs } from "../shared/web-inputs";
import { VpcEcsEnvironment } from "../vpc-ecs-environment/stack";
import { FunctionPipeline } from "./pipeline";

/**
 * Lambda runtimes offered: the supported (not deprecated) ones the pinned AWS provider
 * (5.100) accepts. A runtime AWS deprecates leaves this list in a new major version.
 */
const RUNTIMES = ["python3.13", "python3.12", "nodejs22.x", "ruby3.4", "ruby3.3", "java21", "java17"] as const;

/**
 * A Lambda function per service instance. The code is a zip in S3 (`code_s3_bucket` +
 * `code_s3_key`) or a container image (`image_uri`); which one is given decides the package
 * type, and giving both or neither fails the plan. Optional: placement in the environment's
 * private subnets with its own security group, and a function URL (IAM auth unless the spec
 * explicitly asks for NONE). The execution role may write to the function's log group (and
 * manage its network interfaces when in the VPC), nothing else. Imported endpoints arrive as
 * environment variables. The pipeline gives container-image functions an ECR repository and
 * CI a push role.
 */
export class FunctionService extends serviceTemplate({
  name: "function-service",
  major: 1,
  displayName: "Lambda function",
  description:
    "A Lambda function: Python, Node.js, Ruby or Java code from S3, or a container image; optional placement in the " +
    "environment's private subnets and optional function URL (IAM auth by default); its own log group with retention " +
    "and a least-privilege execution role. Imported endpoints arrive as environment variables. Publishes function_arn, " +
    "function_name and url. Alarms on errors, throttles and duration notify an encrypted SNS topic (e-mail and HTTPS " +
    "subscriptions). The pipeline adds an ECR repository and a GitHub OIDC push role.",
  compatibleEnvironments: [VpcEcsEnvironment],
  inputs: {
    runtime: Input.enum(RUNTIMES, { title: "Runtime", description: "Language runtime of a zip package (ignored for container images).", default: "python3.13" }),
    handler: Input.string({
      title: "Handler",
      description: "Entry point of a zip package, e.g. index.handler (Python, Node.js, Ruby) or com.example.Handler::handleRequest (Java).",
      default: "index.handler",
      pattern: "^[^\\s]{1,128}$",
    }),
    code_s3_bucket: Input.string({
      title: "Code bucket",
      description: "S3 bucket holding the zip package (with code_s3_key; leave out for a container image).",
      pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
    }),
    code_s3_key: Input.string({ title: "Code key", description: "S3 key of the zip package.", minLength: 1, maxLength: 1024 }),
    image_uri: Input.string({
      title: "Container image",
      description: "ECR image URI with tag or digest (leave out for a zip package).",
      pattern: "^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$",
    }),
    architecture: Input.enum(["x86_64", "arm64"], { title: "Architecture", description: "Instruction set the code is built for.", default: "x86_64" }),
    memory_mb: Input.integer({ title: "Memory (MB)", description: "Memory; CPU scales with it.", default: 256, minimum: 128, maximum: 10240 }),
    timeout_seconds: Input.integer({ title: "Timeout (seconds)", description: "Longest run of one invocation.", default: 30, minimum: 1, maximum: 900 }),
    reserved_concurrency: Input.integer({
      title: "Reserved concurrency",
      description: "Concurrent executions reserved for (and capping) the function; -1 leaves it unreserved, 0 stops it.",
      default: -1,
      minimum: -1,
      maximum: 10000,
    }),
    vpc: Input.boolean({
      title: "Run in the VPC",
      description: "Place the function in the environment's private subnets with its own security group (outbound only).",
      default: false,
    }),
    function_url: Input.boolean({ title: "Function URL", description: "Give the function an HTTPS endpoint.", default: false }),
    function_url_auth: Input.enum(["AWS_IAM", "NONE"], {
      title: "Function URL auth",
      description: "AWS_IAM: callers sign requests with SigV4. NONE: anyone on the internet can call the URL; only set it on purpose.",
      default: "AWS_IAM",
    }),
    log_retention_days: Input.enum(LOG_RETENTION_CHOICES, {
      title: "Log retention (days)",
      description: "Retention of the function's log group; auto uses the environment's.",
      default: "auto",
    }),
    imports: importsInput,
    ...alarmInputs,
    alarm_errors: Input.integer({
      title: "Error alarm (errors per 5 minutes)",
      description: "Invocations that fail (exceptions, timeouts, crashes) in 5 minutes that raise an alarm.",
      default: 1,
      minimum: 1,
      maximum: 1000000,
    }),
    alarm_throttles: Input.integer({
      title: "Throttle alarm (throttles per 5 minutes)",
      description: "Invocations refused for lack of concurrency in 5 minutes that raise an alarm.",
      default: 1,
      minimum: 1,
      maximum: 1000000,
    }),
    alarm_duration_percent: Input.integer({
      title: "Duration alarm (% of the timeout)",
      description: "p95 duration, as a share of timeout_seconds, that raises an alarm when it holds for 15 minutes.",
      default: 80,
      minimum: 1,
      maximum: 100,
    }),
  },
  outputs: {
    function_arn: "ARN of the function.",
    function_name: "Name of the function.",
    url: "Function URL, or empty when the function has none.",
    role_arn: "ARN of the execution role (attach policies to it to grant the function access to data).",
    log_group_name: "Log group of the function.",
  },
  pipeline: {
    inputs: webPipelineInputs,
    outputs: {
      repository_url: "ECR repository the service's CI pushes function images to.",
      repository_arn: "ARN of the ECR repository.",
      push_role_arn: "IAM role the service's GitHub workflows assume (OIDC) to push images.",
    },
  },
}) {
  constructor(scope: Construct) {
    super(scope);
    const { inputs, context } = this;
    const env = context.environmentOutputs;
    const stack = this.instance;

    // Lambda function and IAM role names: at most 64 characters.
    const name = new TerraformLocal(stack, "function_name", Fn.substr(Fn.join("-", [context.serviceName, context.instanceName]), 0, 64)).asString;
    const isImage = Op.neq(inputs.image_uri, Token.nullValue());
    const isZip = Op.and(Op.neq(inputs.code_s3_bucket, Token.nullValue()), Op.neq(inputs.code_s3_key, Token.nullValue()));
    const inVpc = inputs.vpc;
    const ifVpc = (): TerraformCount => TerraformCount.of(Fn.conditional(inVpc, 1, 0));

    // ------------------------------------------------------------------------ logs and role
    const logs = new CloudwatchLogGroup(stack, "logs", {
      // The name Lambda writes to; created here so it has a retention and is deleted with the function.
      name: `/aws/lambda/${name}`,
      retentionInDays: Fn.conditional(Op.eq(inputs.log_retention_days, "auto"), Fn.tonumber(env.log_retention_days), Fn.tonumber(inputs.log_retention_days)),
    });

    const access = new Construct(stack, "access");
    const role = new IamRole(access, "role", {
      name,
      description: `Execution role of Lambda function ${name}`,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
    });
    const logPolicy = new IamRolePolicy(access, "write_logs", {
      name: "write-logs",
      role: role.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logs.arn}:*` }],
      }),
    });
    // What AWSLambdaVPCAccessExecutionRole grants, minus its logs:* on every log group. EC2
    // network interface actions take no resource-level restriction at creation, hence "*".
    const vpcPolicy = new IamRolePolicy(access, "vpc_networking", {
      count: ifVpc(),
      name: "vpc-networking",
      role: role.id,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: [
              "ec2:CreateNetworkInterface",
              "ec2:DescribeNetworkInterfaces",
              "ec2:DescribeSubnets",
              "ec2:DeleteNetworkInterface",
              "ec2:AssignPrivateIpAddresses",
              "ec2:UnassignPrivateIpAddresses",
            ],
            Resource: "*",
          },
        ],
      }),
    });

    // ----------------------------------------------------------------------------- network
    const network = new Construct(stack, "network");
    const sg = new SecurityGroup(network, "function", {
      count: ifVpc(),
      name,
      description: `Lambda function ${name}: outbound only`,
      vpcId: env.vpc_id,
      egress: [{ description: "Outbound to AWS APIs and dependencies", fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
    });

    // ---------------------------------------------------------------------------- function
    const imported = importEndpoints(stack, context, inputs.imports);
    const fn = new LambdaFunction(stack, "function", {
      functionName: name,
      description: `${context.serviceName}/${context.instanceName} in ${context.environmentName}`,
      role: role.arn,
      packageType: Fn.conditional(isImage, "Image", "Zip"),
      // Runtime and handler belong to zip packages; an image brings its own entry point.
      runtime: Fn.conditional(isImage, Token.nullValue(), inputs.runtime),
      handler: Fn.conditional(isImage, Token.nullValue(), inputs.handler),
      s3Bucket: Fn.conditional(isImage, Token.nullValue(), inputs.code_s3_bucket),
      s3Key: Fn.conditional(isImage, Token.nullValue(), inputs.code_s3_key),
      imageUri: inputs.image_uri,
      architectures: [inputs.architecture],
      memorySize: inputs.memory_mb,
      timeout: inputs.timeout_seconds,
      reservedConcurrentExecutions: inputs.reserved_concurrency,
      environment: {
        variables: Token.asStringMap(
          Fn.merge([
            imported,
            { PROTONKIT_ENVIRONMENT: context.environmentName, PROTONKIT_SERVICE: context.serviceName, PROTONKIT_INSTANCE: context.instanceName },
          ]),
        ),
      },
      // Empty lists mean "not in a VPC"; the provider treats such a block as absent.
      vpcConfig: {
        subnetIds: Token.asList(Fn.conditional(inVpc, Fn.jsondecode(env.private_subnet_ids), [])),
        securityGroupIds: Token.asList(Fn.conditional(inVpc, splat(sg, "id"), [])),
      },
      loggingConfig: { logFormat: "Text", logGroup: logs.name },
      // The log group and the permission to write to it exist before the first invocation.
      dependsOn: [logs, logPolicy, vpcPolicy],
      lifecycle: {
        precondition: [
          {
            condition: Op.neq(isImage, isZip),
            errorMessage:
              "Give the code either as code_s3_bucket + code_s3_key (zip package) or as image_uri (container image), not both and not neither.",
          },
          {
            condition: Op.eq(Op.eq(inputs.code_s3_bucket, Token.nullValue()), Op.eq(inputs.code_s3_key, Token.nullValue())),
            errorMessage: "code_s3_bucket and code_s3_key go together: give both.",
          },
        ],
      },
    });

    // -------------------------------------------------------------------------- public URL
    const hasUrl = inputs.function_url;
    const url = new LambdaFunctionUrl(stack, "url", {
      count: TerraformCount.of(Fn.conditional(hasUrl, 1, 0)),
      functionName: fn.functionName,
      authorizationType: inputs.function_url_auth,
    });
    // NONE: the resource policy must let anyone invoke through the URL (and only through it).
    // AWS also wants lambda:InvokeFunction limited to URL calls (InvokedViaFunctionUrl) for
    // public URLs made since October 2025; provider 5.100 cannot say that yet, so it is left out
    // rather than granting lambda:InvokeFunction to everyone.
    new LambdaPermission(stack, "public_url", {
      count: TerraformCount.of(Fn.conditional(Op.and(hasUrl, Op.eq(inputs.function_url_auth, "NONE")), 1, 0)),
      statementId: "FunctionUrlAllowPublicAccess",
      action: "lambda:InvokeFunctionUrl",
      functionName: fn.functionName,
      principal: "*",
      functionUrlAuthType: "NONE",
    });
    const urlValue = Fn.try([expr(`${url.terraformResourceType}.${url.friendlyUniqueId}[0].function_url`), ""]);

    // ------------------------------------------------------------------------- alarms
    const alarms = new AlarmTopic(stack, "alarms", { name: `${name}-alarms`, emails: inputs.alarm_emails, httpsEndpoints: inputs.alarm_https_endpoints });
    const dimensions = { FunctionName: fn.functionName };
    metricAlarm(alarms, "errors", alarms, {
      name: `${name}-Errors`,
      description: `Invocations of ${name} failing: read the function's log group.`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions,
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: inputs.alarm_errors,
    });
    metricAlarm(alarms, "throttles", alarms, {
      name: `${name}-Throttles`,
      description: `Invocations of ${name} throttled: raise reserved_concurrency or the account's concurrency quota.`,
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions,
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: inputs.alarm_throttles,
    });
    metricAlarm(alarms, "duration", alarms, {
      name: `${name}-Duration`,
      description: `p95 duration of ${name} close to its timeout: find the slow dependency, or raise memory_mb or timeout_seconds.`,
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions,
      extendedStatistic: "p95",
      comparison: "GreaterThanOrEqualToThreshold",
      // Milliseconds: the share of the timeout.
      threshold: Token.asNumber(Op.div(Op.mul(Op.mul(inputs.timeout_seconds, 1000), inputs.alarm_duration_percent), 100)),
      periods: 3,
    });

    publishEndpoints(stack, context, { function_arn: fn.arn, function_name: fn.functionName }, { url: { enabled: hasUrl, value: urlValue } });
    this.output("function_arn", fn.arn);
    this.output("function_name", fn.functionName);
    this.output("url", urlValue);
    this.output("role_arn", role.arn);
    this.output("log_group_name", logs.name);

    // ---------------------------------------------------------------------------- pipeline
    const delivery = new FunctionPipeline(this.pipeline, "delivery", {
      serviceName: context.serviceName,
      linkedRepository: context.repository.id,
      inputs: this.pipelineInputs,
    });
    this.pipelineOutput("repository_url", delivery.repository.repositoryUrl);
    this.pipelineOutput("repository_arn", delivery.repository.arn);
    this.pipelineOutput("push_role_arn", delivery.pushRole.arn);
  }
}
