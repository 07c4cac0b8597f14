import { Input } from "../../src/authoring/inputs";
import { importsInput } from "./endpoints";
import { LOG_RETENTION_CHOICES } from "./log-retention";

/** Task CPU units Fargate offers (1024 = one vCPU). */
export const FARGATE_CPU = ["256", "512", "1024", "2048", "4096"] as const;

/** Task memory (MiB) Fargate offers for some CPU size. */
export const FARGATE_MEMORY = ["512", "1024", "2048", "3072", "4096", "5120", "6144", "7168", "8192", "12288", "16384", "30720"] as const;

/** Memory each CPU size accepts (Fargate's table; values not in {@link FARGATE_MEMORY} left out). */
export const FARGATE_MEMORY_FOR_CPU: Readonly<Record<(typeof FARGATE_CPU)[number], readonly (typeof FARGATE_MEMORY)[number][]>> = {
  "256": ["512", "1024", "2048"],
  "512": ["1024", "2048", "3072", "4096"],
  "1024": ["2048", "3072", "4096", "5120", "6144", "7168", "8192"],
  "2048": ["4096", "5120", "6144", "7168", "8192", "12288", "16384"],
  "4096": ["8192", "12288", "16384", "30720"],
};

/** Log retention choices; `auto` takes the environment's `log_retention_days` output. */
export const SERVICE_LOG_RETENTION = LOG_RETENTION_CHOICES;

/** Pattern of a GitLab project path (`group[/subgroup]/project`), or empty. */
const GITLAB_PROJECT_PATTERN = "^$|^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$";
/** Item pattern of GitLab deploying refs: the token subject after `project_path:<project>:`. */
const GITLAB_REF_PATTERN = "^ref_type:(branch|tag):ref:[A-Za-z0-9_.*/-]+$";
/** Pattern of a GitLab instance URL. */
const GITLAB_URL_PATTERN = "^https://[a-z0-9.-]+$";
/** Pattern of an IAM OIDC provider ARN, or empty. */
const OIDC_PROVIDER_PATTERN = "^$|^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[a-z0-9.-]+$";

/**
 * Instance inputs choosing who may assume the instance's own deploy role (the role a pipeline
 * uses for an instance in another account than the pipeline's): GitHub by default, GitLab CI
 * of one project with `scm: gitlab`. An instance cannot read its pipeline's inputs, so the
 * spec says it again per instance; the names match the pipeline's.
 */
const deployTrustInputs = {
  scm: Input.enum(["github", "gitlab"], {
    title: "Source-code host of the deploying CI",
    description:
      "Whose CI may assume this instance's deploy role (the role a pipeline in another account uses): github (GitHub Actions of the service's repository in the GitHub environment named like this environment) or gitlab (GitLab CI of gitlab_project on gitlab_deploy_refs). Set it like the pipeline's scm.",
    default: "github",
  }),
  gitlab_project: Input.string({
    title: "GitLab project",
    description: "With scm gitlab: the project path (group[/subgroup]/project) whose CI jobs may assume the instance's deploy role, spelled as GitLab does (the token subject is case sensitive).",
    default: "",
    pattern: GITLAB_PROJECT_PATTERN,
    maxLength: 255,
  }),
  gitlab_deploy_refs: Input.array(
    { type: "string", pattern: GITLAB_REF_PATTERN, maxLength: 200 },
    {
      title: "GitLab deploying refs",
      description:
        "With scm gitlab: subjects of GitLab's ID token (after project_path:<project>:) allowed to assume the instance's deploy role, e.g. ref_type:branch:ref:main; * is a wildcard. GitLab's token names no environment in its subject: protect these branches or tags and this environment in GitLab, which is what gates the deployment.",
      default: ["ref_type:branch:ref:main"],
      minItems: 1,
      maxItems: 10,
    },
  ),
  gitlab_url: Input.string({
    title: "GitLab URL",
    description: "With scm gitlab: the instance whose ID tokens are trusted (the issuer of the account bootstrap's GitLab OIDC provider in this environment's account).",
    default: "https://gitlab.com",
    pattern: GITLAB_URL_PATTERN,
    maxLength: 253,
  }),
  gitlab_oidc_provider_arn: Input.string({
    title: "GitLab OIDC provider ARN",
    description: "With scm gitlab: the IAM OIDC provider for gitlab_url; empty means the one the account bootstrap created in this environment's account.",
    default: "",
    pattern: OIDC_PROVIDER_PATTERN,
  }),
} as const;

/**
 * Instance inputs every Fargate web service template shares (public and private), declared
 * once so both schemas stay identical.
 */
export const webServiceInputs = {
  image: Input.string({
    title: "Container image",
    description: "Image to run, with an immutable tag or digest, e.g. <account>.dkr.ecr.<region>.amazonaws.com/orders-api:1.4.2.",
    required: true,
    minLength: 3,
    maxLength: 255,
  }),
  port: Input.integer({ title: "Container port", description: "Port the container listens on (HTTP).", default: 8080, minimum: 1024, maximum: 65535 }),
  cpu: Input.enum(FARGATE_CPU, { title: "Task CPU", description: "CPU units per task (1024 = 1 vCPU).", default: "256" }),
  memory: Input.enum(FARGATE_MEMORY, {
    title: "Task memory (MiB)",
    description: "Memory per task; must be a size Fargate offers for the chosen CPU (256: 512-2048, 512: 1024-4096, 1024: 2048-8192, 2048: 4096-16384, 4096: 8192-30720).",
    default: "512",
  }),
  desired_count: Input.integer({
    title: "Desired tasks",
    description: "Tasks to start with; 0 means the tier default (2 in production, 1 elsewhere). Autoscaling moves it between min_count and max_count.",
    default: 0,
    minimum: 0,
    maximum: 100,
  }),
  min_count: Input.integer({ title: "Minimum tasks", description: "Autoscaling floor; 0 means desired_count.", default: 0, minimum: 0, maximum: 100 }),
  max_count: Input.integer({ title: "Maximum tasks", description: "Autoscaling ceiling; 0 means 4 x desired_count.", default: 0, minimum: 0, maximum: 200 }),
  cpu_target: Input.integer({ title: "CPU target (%)", description: "Average CPU utilization autoscaling keeps the service at.", default: 60, minimum: 10, maximum: 90 }),
  environment: Input.array(
    { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*=.*$", maxLength: 4096 },
    {
      title: "Environment variables",
      description: "KEY=value pairs for the container. Imported endpoints, component outputs and PROTONKIT_* variables are set by the platform and win over these.",
      default: [],
      maxItems: 50,
    },
  ),
  imports: importsInput,
  log_retention_days: Input.enum(SERVICE_LOG_RETENTION, {
    title: "Log retention (days)",
    description: "Days to keep container logs; auto follows the environment (7 in test, 30 in staging, 365 in production by default).",
    default: "auto",
  }),
  ...deployTrustInputs,
} as const;

/** Health check path of services behind a load balancer. */
export const healthCheckPathInput = Input.string({
  title: "Health check path",
  description: "HTTP path that answers 2xx or 3xx when a task is healthy.",
  default: "/",
  pattern: "^/[A-Za-z0-9._~/%?=&-]*$",
  maxLength: 1024,
});

/** Pipeline inputs of every Fargate web service template. */
export const webPipelineInputs = {
  github_repository: Input.string({
    title: "GitHub repository",
    description: "owner/name of the repository whose workflows may push images and deploy; empty means the service's linked repository.",
    default: "",
    pattern: "^$|^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
    maxLength: 140,
  }),
  deploy_refs: Input.array(
    { type: "string", pattern: "^(ref:refs/(heads|tags)/|environment:)[A-Za-z0-9_.*/-]+$", maxLength: 200 },
    {
      title: "Deploying refs",
      description:
        "GitHub OIDC subjects (after repo:<owner>/<name>:) allowed to assume the deploy role, e.g. ref:refs/heads/main or environment:production; * is a wildcard.",
      default: ["ref:refs/heads/main"],
      minItems: 1,
      maxItems: 10,
    },
  ),
  oidc_provider_arn: Input.string({
    title: "GitHub OIDC provider ARN",
    description: "IAM OIDC provider for token.actions.githubusercontent.com; empty means the one the account bootstrap created in this account.",
    default: "",
    pattern: "^$|^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$",
  }),
  scm: Input.enum(["github", "gitlab"], {
    title: "Source-code host",
    description: "Where the service's code and CI live: github (GitHub Actions, trust from github_repository and deploy_refs) or gitlab (GitLab CI, trust from gitlab_project and gitlab_deploy_refs).",
    default: "github",
  }),
  gitlab_project: Input.string({
    title: "GitLab project",
    description: "With scm gitlab: the project path (group[/subgroup]/project) whose CI jobs may assume the role, spelled as GitLab does (the token subject is case sensitive).",
    default: "",
    pattern: GITLAB_PROJECT_PATTERN,
    maxLength: 255,
  }),
  gitlab_deploy_refs: Input.array(
    { type: "string", pattern: GITLAB_REF_PATTERN, maxLength: 200 },
    {
      title: "GitLab deploying refs",
      description:
        "With scm gitlab: subjects of GitLab's ID token (after project_path:<project>:) allowed to assume the role, e.g. ref_type:branch:ref:main; * is a wildcard. Protect these branches or tags: AWS reads only the token's sub and aud, not ref_protected or environment.",
      default: ["ref_type:branch:ref:main"],
      minItems: 1,
      maxItems: 10,
    },
  ),
  gitlab_url: Input.string({
    title: "GitLab URL",
    description: "With scm gitlab: the instance whose ID tokens are trusted (the issuer of the account bootstrap's GitLab OIDC provider).",
    default: "https://gitlab.com",
    pattern: GITLAB_URL_PATTERN,
    maxLength: 253,
  }),
  gitlab_oidc_provider_arn: Input.string({
    title: "GitLab OIDC provider ARN",
    description: "With scm gitlab: the IAM OIDC provider for gitlab_url; empty means the one the account bootstrap created in this account.",
    default: "",
    pattern: OIDC_PROVIDER_PATTERN,
  }),
  unit_test_command: Input.string({
    title: "Unit-test command",
    description:
      "One-line shell command the delivery pipeline runs as its unit tests, e.g. npm test; empty means the language's default. protonkit pipeline init reads it from the service's spec.",
    default: "",
    pattern: "^[^\\n\\r]*$",
    maxLength: 1000,
  }),
  image_tag_mutability: Input.enum(["IMMUTABLE", "MUTABLE"], {
    title: "Image tag mutability",
    description: "IMMUTABLE (a tag always means the same image: deploy by changing the image input) or MUTABLE.",
    default: "IMMUTABLE",
  }),
  keep_images: Input.integer({ title: "Images kept", description: "Tagged images kept in the repository; older ones expire. Untagged images expire after 7 days.", default: 50, minimum: 5, maximum: 1000 }),
} as const;

/** Pipeline outputs of every Fargate web service template. */
export const webPipelineOutputs = {
  repository_url: "ECR repository the service's CI pushes images to.",
  repository_arn: "ARN of the ECR repository.",
  deploy_role_arn: "IAM role the service's GitHub workflows or GitLab CI jobs assume (OIDC) to push images and deploy the ECS services.",
} as const;
