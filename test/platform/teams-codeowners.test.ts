/** Generated CODEOWNERS: services to their owning teams, the rest to the platform team. */
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { renderCodeowners, serviceOwners } from "../../src/platform/codeowners";
import { entitlementsFromConfigText } from "../../src/platform/teams";
import { CONFIG, platformRepo } from "./teams-helpers";

t.test("each service file to its owning team; environments and configuration to the platform team", async (t) => {
  const { repo } = platformRepo(t);
  const e = entitlementsFromConfigText(CONFIG, "p.yaml");
  if (!e) throw new Error("no entitlements");
  const text = renderCodeowners(e, serviceOwners(repo));
  const rules = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  t.same(rules, [
    "* @acme/platform",
    "/platform/environments/ @acme/platform",
    "/.protonkit/ @acme/platform",
    "/.github/ @acme/platform",
    "/platform/services/",
    "/platform/services/orders-db.yaml @acme/team-a",
    "/platform/services/sessions.yaml @acme/team-b",
  ]);
  fs.writeFileSync(path.join(repo, "platform/services/stray.yaml"), "owner: team-z\n");
  const err = t.throws(() => renderCodeowners(e, serviceOwners(repo))) as ProtonkitError;
  t.match(err.problems[0].toString(), /platform\/services\/stray\.yaml: owner: owner "team-z" is not a team/);
});
