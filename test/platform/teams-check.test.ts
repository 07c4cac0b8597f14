/**
 * Entitlement checks of pull requests to the platform repository, against a loopback GitHub
 * (team membership, authors, reviews) and a real git repository (base and head commits).
 */
import { execFile } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import t, { type Test } from "tap";
import { checkEntitlements, type EntitlementResult } from "../../src/platform/entitlement-rules";
import { TeamsGitHub, pullRequestFacts, showAt } from "../../src/platform/pull-request";
import { entitlementsFromConfigText } from "../../src/platform/teams";
import { startTeamsFake, type TeamsFake } from "../support/github-teams-fake";
import { CONFIG, commit, git, platformRepo, serviceFile } from "./teams-helpers";

const TEAMS = { "acme/platform": ["pat"], "acme/team-a": ["alice", "anna"], "acme/team-b": ["bob"] };

interface Case {
  readonly author: string;
  readonly commitAuthors?: (string | null)[];
  readonly approvals?: string[];
  readonly files: Record<string, string | null>;
}

async function run(t: Test, c: Case): Promise<{ result: EntitlementResult; fake: TeamsFake }> {
  const { repo, base } = platformRepo(t);
  git(repo, "checkout", "-q", "-b", "change");
  const head = commit(repo, c.files);
  git(repo, "checkout", "-q", "main");
  const fake = await startTeamsFake({
    teams: TEAMS,
    pulls: { 7: { author: c.author, base, head, commitAuthors: c.commitAuthors ?? [c.author], reviews: (c.approvals ?? []).map((login) => ({ login, state: "APPROVED", commit: head })) } },
  });
  t.teardown(() => fake.close());
  const github = new TeamsGitHub({ token: "ghs_app", repository: "acme/platform", apiUrl: fake.url });
  const facts = await pullRequestFacts(github, repo, 7);
  const entitlements = entitlementsFromConfigText(showAt(repo, facts.base, ".protonkit/platform.yaml") ?? "", "platform.yaml");
  if (!entitlements) throw new Error("no entitlements at base");
  return { result: await checkEntitlements(entitlements, facts, github.isMember), fake };
}

const rules = (r: EntitlementResult): string[] => r.refusals.map((x) => `${x.rule} ${x.file}`);

t.test("team B adds a DynamoDB table in test and staging: passes", async (t) => {
  const { result, fake } = await run(t, { author: "bob", files: { "platform/services/carts.yaml": serviceFile("team-b", "dynamodb-service", ["test", "staging"]) } });
  t.same(result.refusals, []);
  t.ok(fake.log.includes("GET /orgs/acme/teams/team-b/memberships/bob"), "membership read from GitHub's API");
});

t.test("team B may not use Postgres: refused by template-entitlement, naming who can approve", async (t) => {
  const { result } = await run(t, { author: "bob", files: { "platform/services/ledger.yaml": serviceFile("team-b", "postgres-service", ["test"]) } });
  t.same(rules(result), ["template-entitlement platform/services/ledger.yaml"]);
  t.match(result.refusals[0].message, /team team-b may not use template postgres-service; its templates are dynamodb-service/);
  t.match(result.refusals[0].approvers, /@acme\/platform/);
});

t.test("team B may not deploy to production: refused by environment-entitlement", async (t) => {
  const { result } = await run(t, { author: "bob", files: { "platform/services/carts.yaml": serviceFile("team-b", "dynamodb-service", ["test", "production"]) } });
  t.same(rules(result), ["environment-entitlement platform/services/carts.yaml"]);
  t.match(result.refusals[0].message, /may not deploy to environment production; its environments are test, staging/);
});

t.test("team A deploys every data service to production: passes", async (t) => {
  const { result } = await run(t, {
    author: "alice",
    commitAuthors: ["alice", "anna"],
    files: {
      "platform/services/files.yaml": serviceFile("team-a", "s3-service", ["production"]),
      "platform/services/orders-db.yaml": serviceFile("team-a", "postgres-service", ["test", "production"]),
      "platform/services/events.yaml": serviceFile("team-a", "dynamodb-service", ["production"]),
    },
  });
  t.same(result.refusals, []);
});

t.test("an author outside the owning team needs the owning team's approval", async (t) => {
  const files = { "platform/services/orders-db.yaml": serviceFile("team-a", "postgres-service", ["test", "staging"]) };
  const refused = await run(t, { author: "bob", files });
  t.same(rules(refused.result), ["owning-team-author platform/services/orders-db.yaml"]);
  t.match(refused.result.refusals[0].message, /bob is not a member of team team-a \(GitHub team acme\/team-a, directory group CN=team-a/);
  t.match(refused.result.refusals[0].approvers, /a member of @acme\/team-a \(CODEOWNERS review\)/);
  const approved = await run(t, { author: "bob", approvals: ["anna"], files });
  t.same(approved.result.refusals, []);
  t.match(approved.result.notes[0], /approved by anna of @acme\/team-a/);
});

t.test("every commit author counts, and a commit with no GitHub user is nobody's member", async (t) => {
  const { result } = await run(t, { author: "alice", commitAuthors: ["alice", null], files: { "platform/services/orders-db.yaml": serviceFile("team-a", "postgres-service", ["staging"]) } });
  t.same(rules(result), ["owning-team-author platform/services/orders-db.yaml"]);
  t.match(result.refusals[0].message, /<someone@example\.com> is not a member/);
});

t.test("taking a service over needs the old owner too; the pull request cannot entitle itself", async (t) => {
  const generous = CONFIG.replace("templates: [dynamodb-service]", 'templates: ["*"]');
  const { result } = await run(t, {
    author: "bob",
    files: { ".protonkit/platform.yaml": generous, "platform/services/orders-db.yaml": serviceFile("team-b", "postgres-service", ["test"]) },
  });
  t.same(rules(result), [
    "platform-owned .protonkit/platform.yaml",
    "owning-team-author platform/services/orders-db.yaml",
    "template-entitlement platform/services/orders-db.yaml",
  ], "configuration read from the base commit");
});

t.test("environments belong to the platform team; its approval also grants an exception", async (t) => {
  const env = await run(t, { author: "alice", files: { "platform/environments/test.yaml": "template: vpc-ecs-environment\nversion: \"2\"\ntier: test\nspec: { proton: EnvironmentSpec }\n" } });
  t.same(rules(env.result), ["platform-owned platform/environments/test.yaml"]);
  const exception = await run(t, { author: "bob", approvals: ["pat"], files: { "platform/services/ledger.yaml": serviceFile("team-b", "postgres-service", ["test"]) } });
  t.same(exception.result.refusals, []);
  t.match(exception.result.notes.join("\n"), /template-entitlement .*exception approved by pat of @acme\/platform/);
});

t.test("the automation's own pull requests are exempt by identity, unless a person added a commit", async (t) => {
  const files = { "platform/services/orders-db.yaml": serviceFile("team-a", "postgres-service", ["test", "staging"]) };
  const bot = await run(t, { author: "protonkit-platform[bot]", files });
  t.match(bot.result.exempt, /automation identity/);
  const mixed = await run(t, { author: "protonkit-platform[bot]", commitAuthors: ["protonkit-platform[bot]", "bob"], files });
  t.equal(mixed.result.exempt, undefined);
  t.same(rules(mixed.result), ["owning-team-author platform/services/orders-db.yaml"]);
});

t.test("protonkit entitlements check: refusal printed, exit 1", async (t) => {
  const { repo, base } = platformRepo(t);
  git(repo, "checkout", "-q", "-b", "change");
  const head = commit(repo, { "platform/services/ledger.yaml": serviceFile("team-b", "postgres-service", ["test"]) });
  const fake = await startTeamsFake({ teams: TEAMS, pulls: { 3: { author: "bob", base, head, commitAuthors: ["bob"], reviews: [] } } });
  t.teardown(() => fake.close());
  const bin = path.join(__dirname, "..", "..", "bin", "protonkit.js");
  const err = (await promisify(execFile)(process.execPath, [bin, "entitlements", "check", "--pr", "3", "--repo", repo, "--repository", "acme/platform", "--api-url", fake.url], {
    env: { ...process.env, GITHUB_TOKEN: "ghs_app" },
  }).catch((e: { code: number; stdout: string }) => e)) as { code?: number; stdout: string };
  t.equal(err.code, 1);
  t.match(err.stdout, /refused by rule template-entitlement: platform\/services\/ledger\.yaml: team team-b may not use template postgres-service.*\(approval: a member of the platform team @acme\/platform/);
});

t.test("an unreachable GitHub API names the URL, the cause and the fix, exit 1", async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const { repo } = platformRepo(t);
  const cli = path.join(__dirname, "..", "..", "bin", "protonkit.js");
  const res = await promisify(execFile)(process.execPath, [cli, "entitlements", "check", "--pr", "7", "--repo", repo, "--repository", "acme/platform", "--api-url", `http://127.0.0.1:${port}`], {
    env: { ...process.env, GITHUB_TOKEN: "t" },
  }).then(
    () => ({ code: 0, stderr: "" }),
    (err: { code: number; stderr: string }) => err,
  );
  t.equal(res.code, 1);
  t.equal(
    res.stderr,
    `protonkit: --api-url / GITHUB_API_URL: cannot reach the GitHub API at http://127.0.0.1:${port}/repos/acme/platform/pulls/7: connect ECONNREFUSED 127.0.0.1:${port} (fix: check the URL (default https://api.github.com; GitHub Enterprise Server: https://<host>/api/v3) and that this machine reaches it (DNS, proxy, firewall), then run again)\n`,
  );
});
