/** Shared fixtures of the team tests: the seed's entitlements and a platform repository in git. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The seed's example: team A may deploy all data services, team B only DynamoDB tables; team B stays out of production. */
export const CONFIG = `version: 1
account_id: "123456789012"
region: eu-west-1
entitlements:
  platform_team: platform
  automation: ["protonkit-platform[bot]"]
  teams:
    platform:
      directory_group: CN=platform,OU=Groups,DC=acme,DC=com
      github_team: acme/platform
      templates: ["*"]
      environments: ["*"]
    team-a:
      directory_group: CN=team-a,OU=Groups,DC=acme,DC=com
      github_team: acme/team-a
      templates: ["{postgres,dynamodb,s3}-service"]
      environments: ["*"]
    team-b:
      directory_group: CN=team-b,OU=Groups,DC=acme,DC=com
      github_team: acme/team-b
      templates: [dynamodb-service]
      environments: [test, staging]
`;

/** A service file of the platform repository. */
export function serviceFile(owner: string, template: string, environments: readonly string[]): string {
  return [
    `template: ${template}`,
    'version: "1"',
    `owner: ${owner}`,
    "repository: { id: acme/app, branch: main }",
    "spec:",
    "  proton: ServiceSpec",
    "  instances:",
    ...environments.map((e) => `    - { name: app-${e}, environment: ${e}, spec: {} }`),
    "",
  ].join("\n");
}

/** Runs git in `repo`; returns stdout. */
export function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } }).trim();
}

/** Writes `files` and commits them; returns the commit. */
export function commit(repo: string, files: Record<string, string | null>, message = "change"): string {
  for (const [p, text] of Object.entries(files)) {
    const abs = path.join(repo, p);
    if (text === null) fs.rmSync(abs, { force: true });
    else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
    }
  }
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "--allow-empty", "-m", message);
  return git(repo, "rev-parse", "HEAD");
}

/** A platform repository whose main commit holds the configuration and one service per team. */
export function platformRepo(t: { teardown(fn: () => void): void }): { repo: string; base: string } {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-teams-"));
  t.teardown(() => fs.rmSync(repo, { recursive: true, force: true }));
  git(repo, "init", "-q", "-b", "main");
  const base = commit(repo, {
    ".protonkit/platform.yaml": CONFIG,
    "platform/environments/test.yaml": "template: vpc-ecs-environment\nversion: \"1\"\ntier: test\nspec: { proton: EnvironmentSpec }\n",
    "platform/services/orders-db.yaml": serviceFile("team-a", "postgres-service", ["test"]),
    "platform/services/sessions.yaml": serviceFile("team-b", "dynamodb-service", ["test"]),
  });
  return { repo, base };
}
