/** Generated CODEOWNERS: services to their owning teams, the rest to the platform team. */
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { renderCodeowners, serviceOwners } from "../../src/platform/codeowners";
import { loadContextFile, plan } from "../../src/render";
import { componentDir } from "../../src/render/layout";
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
    "/test/orders-db-app-test/ @acme/team-a",
    "/platform/services/sessions.yaml @acme/team-b",
    "/test/sessions-app-test/ @acme/team-b",
  ]);
  fs.writeFileSync(path.join(repo, "platform/services/stray.yaml"), "owner: team-z\n");
  const err = t.throws(() => renderCodeowners(e, serviceOwners(repo))) as ProtonkitError;
  t.match(err.problems[0].toString(), /platform\/services\/stray\.yaml: owner: owner "team-z" is not a team/);
});

t.test("each service's rendered directories (instances, pipeline, components) belong to its owning team", async (t) => {
  const { repo } = platformRepo(t);
  const e = entitlementsFromConfigText(CONFIG, "p.yaml");
  if (!e) throw new Error("no entitlements");
  const root = path.join(__dirname, "..", "..");
  const spec = fs.readFileSync(path.join(root, "stacks/starter-service/specs/minimal.yaml"), "utf8");
  fs.writeFileSync(
    path.join(repo, "platform/services/oven-worker.yaml"),
    [
      "template: starter-service",
      'version: "1"',
      "owner: team-a",
      "repository: { id: pizza-ananas/oven-worker, branch: main }",
      "components:",
      "  oven-queue: { instance: oven-worker-test, template: starter-component, version: \"1\" }",
      "spec:",
      ...spec.trimEnd().split("\n").map((l) => `  ${l}`),
      "",
    ].join("\n"),
  );
  const owned = serviceOwners(repo).find((s) => s.file === "platform/services/oven-worker.yaml");
  t.same(owned?.dirs, ["oven-worker/pipeline", "test/components/oven-queue", "test/oven-worker-oven-worker-test"]);
  // The renderer writes exactly these directories for that spec (the component's from its own bundle).
  const rendered = plan({
    bundleDir: path.join(root, "proton-bundles/starter-service/v1"),
    specFile: path.join(root, "stacks/starter-service/specs/minimal.yaml"),
    name: "oven-worker",
    context: loadContextFile(path.join(root, "stacks/starter-service/specs/context.yaml")),
  }).map((r) => r.relativeDir);
  t.same([...rendered].sort(), ["oven-worker/pipeline", "test/oven-worker-oven-worker-test"]);
  t.equal(componentDir("test", "oven-queue"), "test/components/oven-queue");

  const rules = renderCodeowners(e, serviceOwners(repo)).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  t.same(rules.slice(5), [
    "/platform/services/orders-db.yaml @acme/team-a",
    "/test/orders-db-app-test/ @acme/team-a",
    "/platform/services/oven-worker.yaml @acme/team-a",
    "/oven-worker/pipeline/ @acme/team-a",
    "/test/components/oven-queue/ @acme/team-a",
    "/test/oven-worker-oven-worker-test/ @acme/team-a",
    "/platform/services/sessions.yaml @acme/team-b",
    "/test/sessions-app-test/ @acme/team-b",
  ]);
  t.equal(rules[0], "* @acme/platform", "a deleted service's directories (no service file) fall back to the platform team");
});
