/** The teams model: validation with file, line and field; globs; the seed's entitlements. */
import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { parseProvisioningConfig } from "../../src/provision/config";
import { entitlementsFromConfigText, globToRegExp, mayDeployTo, mayUseTemplate, teamNamed } from "../../src/platform/teams";
import { CONFIG } from "./teams-helpers";

t.test("the seed: team A may use every data service, team B only DynamoDB tables", async (t) => {
  const e = entitlementsFromConfigText(CONFIG, ".protonkit/platform.yaml");
  if (!e) throw new Error("no entitlements");
  const a = teamNamed(e, "team-a");
  const b = teamNamed(e, "team-b");
  if (!a || !b) throw new Error("teams missing");
  for (const tpl of ["postgres-service", "dynamodb-service", "s3-service"]) t.ok(mayUseTemplate(a, tpl), `team-a may use ${tpl}`);
  t.notOk(mayUseTemplate(a, "public-web-service"), "team-a may not use a web service");
  t.ok(mayUseTemplate(b, "dynamodb-service"));
  for (const tpl of ["postgres-service", "s3-service", "function-service"]) t.notOk(mayUseTemplate(b, tpl), `team-b may not use ${tpl}`);
  t.ok(mayDeployTo(a, "production"));
  t.ok(mayDeployTo(b, "staging"));
  t.notOk(mayDeployTo(b, "production"), "team-b is not entitled to production");
  t.equal(e.platformTeam.name, "platform");
  t.same(e.automation, ["protonkit-platform[bot]"]);
  t.equal(b.directoryGroup, "CN=team-b,OU=Groups,DC=acme,DC=com");
  t.equal(b.githubTeam, "acme/team-b");
});

t.test("globs: *, ? and {a,b}; dots are literal", async (t) => {
  t.ok(globToRegExp("prod-*").test("prod-eu"));
  t.ok(globToRegExp("env-?").test("env-1"));
  t.notOk(globToRegExp("env-?").test("env-12"));
  t.ok(globToRegExp("{a,b}-x").test("b-x"));
  t.notOk(globToRegExp("a.b").test("axb"));
});

t.test("a configuration without entitlements has none; problems name the file, line and field", async (t) => {
  t.equal(entitlementsFromConfigText("version: 1\n", "p.yaml"), undefined);
  const text = `version: 1
entitlements:
  platform_team: nobody
  colour: blue
  teams:
    team-a:
      github_team: not a team
      templates: []
      environments: ["*"]
`;
  const err = t.throws(() => entitlementsFromConfigText(text, "p.yaml")) as ProtonkitError;
  const lines = err.problems.map((p) => p.toString());
  t.match(lines.join("\n"), /p\.yaml:4: entitlements\.colour: unknown key/);
  t.match(lines.join("\n"), /p\.yaml:6: entitlements\.teams\.team-a: |entitlements\.teams\.team-a\.directory_group: is required/);
  t.match(lines.join("\n"), /p\.yaml:7: entitlements\.teams\.team-a\.github_team: must be org\/team-slug/);
  t.match(lines.join("\n"), /p\.yaml:8: entitlements\.teams\.team-a\.templates: must be a non-empty list of globs/);
});

t.test("the platform configuration's schema accepts the entitlements key", async (t) => {
  const text = `${CONFIG}environments:\n  test:\n    plan_role_arn: arn:aws:iam::123456789012:role/p\n    apply_role_arn: arn:aws:iam::123456789012:role/a\n    region: eu-west-1\n    state_bucket: b-test\n`;
  t.doesNotThrow(() => parseProvisioningConfig(text, ".protonkit/platform.yaml"));
  t.ok(entitlementsFromConfigText(text, ".protonkit/platform.yaml"));
});
