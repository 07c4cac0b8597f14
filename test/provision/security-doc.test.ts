// docs/SECURITY.md is written from the code; this holds its tables and lists to it.
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { parse } from "yaml";
import { renderProvisionJobsWorkflow } from "../../generators/workflow/render";
import { settingsFromInput } from "../../generators/workflow/settings";
import { DATA_PLANE_READS, JOBS_WORKFLOW } from "../../stacks/account-bootstrap/v2";
import { githubEnvironments } from "../../src/provision/detect";
import { DEFAULT_ALLOWED_PROVIDERS, STRIPPED_VARIABLES, stripTokens } from "../../src/provision/terraform";

const doc = fs.readFileSync(path.join(__dirname, "../../docs/SECURITY.md"), "utf8");
const roles = fs.readFileSync(path.join(__dirname, "../../proton-bundles/account-bootstrap/v2/infrastructure/roles.tf"), "utf8");

t.test("the jobs table states each job's GitHub token and AWS access as generated", async (t) => {
  const settings = settingsFromInput({ repository: "acme/provisioning", toolkit_repository: "acme/protonkit", toolkit_ref: "0".repeat(40) });
  const wf = parse(renderProvisionJobsWorkflow(settings, "1.11.4")) as { jobs: Record<string, { permissions: Record<string, string>; steps: { uses?: string }[]; environment?: string }> };
  const rows = new Map<string, string[]>();
  for (const line of doc.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length === 7 && Object.keys(wf.jobs).includes(cells[1])) rows.set(cells[1], cells.slice(2, 6));
  }
  t.same([...rows.keys()].sort(), Object.keys(wf.jobs).sort(), "one row per job");
  for (const [job, def] of Object.entries(wf.jobs)) {
    const [, token, aws, environment] = rows.get(job) ?? [];
    const perms = Object.entries(def.permissions).filter(([k]) => k !== "id-token").map(([k, v]) => `${k}: ${v}`).sort().join(", ");
    t.equal(token, perms, `${job}: token permissions`);
    const assumes = def.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    t.equal(aws !== "none", assumes, `${job}: AWS access`);
    t.equal(def.permissions["id-token"] === "write", assumes, `${job}: id-token exactly when it assumes a role`);
    t.equal(environment === "none", def.environment === undefined, `${job}: GitHub environment`);
  }
  t.match(rows.get("plan")?.[3], /protonkit-plan-<env>/);
  t.same(githubEnvironments("<env>"), { plan_environment: "protonkit-plan-<env>", apply_environment: "<env>" });
});

t.test("the roles table states the bootstrap's subjects, names and limits", async (t) => {
  const subject = (env: string): string => `repo:<repository>:environment:${env}:job_workflow_ref:<repository>/${JOBS_WORKFLOW}@refs/heads/<main>`;
  t.ok(doc.includes(subject("protonkit-plan-<env>")), "plan subject");
  t.ok(doc.includes(subject("<env>")), "apply subject");
  t.match(roles, /"repo:%s:environment:%s:job_workflow_ref:%s"/);
  t.match(roles, /"%s\/%s@refs\/heads\/%s"/);
  t.match(roles, /"protonkit-plan-%s"/);
  t.match(roles, /"%s-plan-%s"/);
  t.match(roles, /"%s-apply-%s"/);
  t.ok(doc.includes("`<prefix>-plan-<env>`") && doc.includes("`<prefix>-apply-<env>`"));
  for (const action of ["secretsmanager:GetSecretValue", "ssm:GetParameter", "kms:Decrypt"]) t.ok(DATA_PLANE_READS.includes(action), `${action} denied to plan roles`);
  t.match(doc, /secret values, parameters, `kms:Decrypt`, table items, queue messages, log events, image layers, instance passwords/);
  t.notMatch(roles, /s3:PutObject|s3:DeleteObject/, "plan roles write no lock");
  t.match(roles, /AdministratorAccess/);
});

t.test("the stripped variables and the provider allow-list are the code's", async (t) => {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ["GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL", "INPUT_X", "AWS_SESSION_TOKEN"]) env[name] = "x";
  t.same(Object.keys(stripTokens(env)), ["AWS_SESSION_TOKEN"]);
  t.equal(STRIPPED_VARIABLES.length, 7);
  for (const v of ["`GITHUB_TOKEN`", "`GH_TOKEN`", "`ACTIONS_ID_TOKEN_REQUEST_*`", "`ACTIONS_RUNTIME_*`", "`ACTIONS_CACHE_URL`", "`ACTIONS_RESULTS_URL`", "`INPUT_*`"]) t.ok(doc.includes(v), `${v} listed`);
  t.ok(DEFAULT_ALLOWED_PROVIDERS.every((p) => p.startsWith("registry.terraform.io/hashicorp/")));
  t.match(doc, /DEFAULT_ALLOWED_PROVIDERS/);
});
