/**
 * Every AWS call the generated delivery pipeline makes is allowed to the role that makes it, and
 * the catalog grants those roles nothing the pipeline does not call. The calls are read from the
 * generated files (each SCM x each application template x with and without a Dockerfile): the
 * build job's (CI file) under the pipeline's role, the deploy script's under the pipeline's role
 * and, for web services, under the instance's deploy role (stages in another account). The
 * permissions are read from the templates' synthesized Terraform: the role's inline policies.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import t from "tap";
import { syncPipeline, ciPathFor, DEPLOY_SCRIPT_PATH } from "../../generators/pipeline/sync";
import { FunctionService } from "../../stacks/function-service/stack";
import { PrivateWebService } from "../../stacks/private-web-service/stack";
import { PublicWebService } from "../../stacks/public-web-service/stack";
import { TEMPLATES, flagsFor, nodeApp } from "./helpers";

/** IAM actions of AWS CLI commands whose name is not the operation's (waiters, high-level commands). */
const SPECIAL: Readonly<Record<string, readonly string[]>> = {
  "ecr get-login-password": ["ecr:GetAuthorizationToken"],
  "ecs wait": ["ecs:DescribeServices"], // services-stable
  "lambda wait": ["lambda:GetFunctionConfiguration"], // function-updated
  "s3 cp": ["s3:PutObject"], // local file to s3:// (multipart uploads need no more)
  "sts assume-role-with-web-identity": [], // allowed by the role's trust policy, not its permissions
};
/** Waiters each special `wait` entry stands for: another waiter needs its own mapping. */
const WAITERS: Readonly<Record<string, string>> = { ecs: "services-stable", lambda: "function-updated" };
/** IAM prefixes of CLI service names. */
const PREFIX: Readonly<Record<string, string>> = { ecs: "ecs", lambda: "lambda", ecr: "ecr", s3api: "s3", sts: "sts" };
/** What `docker push` and `pack build --publish` call on the registry (HEAD, GET and upload of layers). */
const REGISTRY_PUSH = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"];

/** The IAM actions one generated file needs, with the command each comes from. */
function awsCalls(text: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  const code = text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n");
  for (const m of code.matchAll(/(?<![\w.-])aws\s+([a-z0-9-]+)\s+([a-z0-9-]+)(?:\s+([a-z0-9-]+))?/g)) {
    const [, service, command, third] = m;
    const key = `${service} ${command}`;
    let actions: readonly string[];
    if (command === "wait") {
      if (third !== WAITERS[service]) throw new Error(`${file}: aws ${service} wait ${third ?? ""} has no IAM mapping in this test: add it`);
      actions = SPECIAL[key];
    } else if (SPECIAL[key]) actions = SPECIAL[key];
    else if (service === "s3") throw new Error(`${file}: aws s3 ${command} has no IAM mapping in this test: add it`);
    else {
      const prefix = PREFIX[service];
      if (!prefix) throw new Error(`${file}: aws ${service} is an unknown service for this test: add its IAM prefix`);
      actions = [`${prefix}:${command.replace(/(^|-)([a-z])/g, (_s, _d, c: string) => c.toUpperCase())}`];
    }
    for (const a of actions) out.set(a, `aws ${key}${third && command === "wait" ? ` ${third}` : ""}`);
  }
  if (/amazon-ecr-login/.test(code)) out.set("ecr:GetAuthorizationToken", "aws-actions/amazon-ecr-login");
  if (/docker push|pack build[^\n]*--publish/.test(code)) for (const a of REGISTRY_PUSH) out.set(a, "docker push / pack --publish");
  return out;
}

/** The resolved Terraform JSON of one folder of a template. */
function folder(template: { stacks: Map<string, TerraformStack> }, name: string): Record<string, Record<string, Record<string, Record<string, unknown>>>> {
  const stack = template.stacks.get(name);
  if (!stack) throw new Error(`no ${name}`);
  return stack.toTerraform() as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
}

/** Actions the inline policies of role resource `role` grant, locals they read included. */
function granted(tf: ReturnType<typeof folder>, role: string): Set<string> {
  const out = new Set<string>();
  const locals = (tf.locals ?? {}) as Record<string, unknown>;
  const texts: string[] = [];
  for (const policy of Object.values(tf.resource.aws_iam_role_policy ?? {})) {
    if (!String(policy.role).includes(`aws_iam_role.${role}.`)) continue;
    const text = String(policy.policy);
    texts.push(text);
    for (const m of text.matchAll(/local\.([A-Za-z0-9_]+)/g)) texts.push(JSON.stringify(locals[m[1]]));
  }
  for (const text of texts) for (const m of text.matchAll(/\\?"([a-z0-9-]+:[A-Z][A-Za-z]+)\\?"/g)) out.add(m[1]);
  return out;
}

const templates = {
  "public-web-service": () => new PublicWebService(new App()),
  "private-web-service": () => new PrivateWebService(new App()),
  "function-service": () => new FunctionService(new App()),
} as const;

t.test("awsCalls maps CLI commands, waiters and pushes to IAM actions", async (t) => {
  const calls = awsCalls(
    [
      "# aws ecs delete-service (a comment)",
      'td=$(aws ecs describe-services --cluster "$C" --services "$S")',
      "aws lambda wait function-updated --function-name x",
      "set -- $(aws sts assume-role-with-web-identity",
      "  --role-arn x)",
      'aws s3 cp "$P" "s3://$B/$K"',
      "docker push x",
    ].join("\n"),
    "example",
  );
  t.same([...calls.keys()].sort(), ["ecs:DescribeServices", "lambda:GetFunctionConfiguration", "s3:PutObject", ...REGISTRY_PUSH].sort());
  t.throws(() => awsCalls("aws ecs wait tasks-running", "x"), /no IAM mapping/);
  t.throws(() => awsCalls("aws s3 sync a s3://b", "x"), /no IAM mapping/);
});

for (const template of TEMPLATES) {
  t.test(`${template}: the roles allow every AWS call of the generated pipeline, and no other`, async (t) => {
    const synthesized = templates[template]();
    const pipeline = folder(synthesized, "pipeline_infrastructure");
    const pipelineRole = template === "function-service" ? "delivery_push_role" : "delivery_deploy_role";
    const roleGrants = granted(pipeline, pipelineRole);
    const instanceGrants = template === "function-service" ? undefined : granted(folder(synthesized, "instance_infrastructure"), "service_deploy_role");
    const neededByPipelineRole = new Set<string>();
    const neededByInstanceRole = new Set<string>();
    for (const scm of ["github", "gitlab"] as const) {
      for (const dockerfile of [false, true]) {
        const repo = nodeApp(t, dockerfile);
        syncPipeline({ repo, mode: "init", flags: flagsFor(template, scm) });
        const ciFile = ciPathFor(scm);
        const build = awsCalls(fs.readFileSync(path.join(repo, ciFile), "utf8"), ciFile);
        // One deploy script serves both targets and branches on PROTONKIT_TARGET: a web
        // service takes its ecs path, a function its lambda path.
        const otherTarget = template === "function-service" ? "ecs:" : "lambda:";
        const deploy = new Map(
          [...awsCalls(fs.readFileSync(path.join(repo, DEPLOY_SCRIPT_PATH), "utf8"), DEPLOY_SCRIPT_PATH)].filter(([action]) => !action.startsWith(otherTarget)),
        );
        const where = `${scm}, ${dockerfile ? "Dockerfile" : "no Dockerfile"}`;
        for (const [action, command] of [...build, ...deploy]) {
          neededByPipelineRole.add(action);
          t.ok(roleGrants.has(action), `${where}: ${command} needs ${action}, which the pipeline role (${pipelineRole}) grants`);
        }
        if (instanceGrants) {
          for (const [action, command] of deploy) {
            neededByInstanceRole.add(action);
            t.ok(instanceGrants.has(action), `${where}: ${command} needs ${action}, which the instance deploy role grants`);
          }
        }
      }
    }
    t.same([...roleGrants].filter((a) => !neededByPipelineRole.has(a)), [], "the pipeline role grants nothing the pipeline does not call");
    if (instanceGrants) t.same([...instanceGrants].filter((a) => !neededByInstanceRole.has(a)), [], "the instance deploy role grants nothing the deploy script does not call");
  });
}
