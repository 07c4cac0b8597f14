// A renamed service file renames the service, so its directories: the render warns that this
// destroys and recreates the running instances.
import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import { RecordsStore, type DeploymentEvent } from "../../src/platform/records-store";
import { cli, platformCase, tmpDir, SERVICE_FILE, writeFiles } from "./fixture";

const base = tmpDir(t, "protonkit-platform-rename-");
process.env.PROTONKIT_CACHE_DIR = path.join(base, "cache");
let n = 0;

async function setup(service: string): Promise<string> {
  const { repo } = await platformCase(path.join(base, `case-${n++}`), { files: { "platform/services/orders.yaml": service } });
  const deployed = (resource: string): DeploymentEvent => ({ v: 1, resource, kind: resource.endsWith("/pipeline") ? "pipeline" : "service-instance", arn: `arn:${resource}`, deploymentId: "d", status: "SUCCEEDED", at: "2026-11-30T11:00:00.000Z", outputs: {} });
  await new RecordsStore({ repo }).append(["prod/orders-orders-a", "prod/orders-orders-b", "orders/pipeline"].map(deployed));
  return repo;
}

t.test("renaming a service file warns: looks like a rename, destroys and recreates, how to keep it", async (t) => {
  const repo = await setup(SERVICE_FILE);
  let res = await cli(repo, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  fs.renameSync(path.join(repo, "platform/services/orders.yaml"), path.join(repo, "platform/services/Orders_Svc.yaml"));
  res = await cli(repo, ["platform", "render"]);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /deleting prod\/orders-orders-a\//);
  const warning = (inst: string): string =>
    `protonkit: warning: prod/orders-${inst}/ is deleted and prod/Orders_Svc-${inst}/ is new, with the same template and spec: this looks like a rename; ` +
    `the service name comes from the file name (platform/services/<service>.yaml): service orders became Orders_Svc (platform/services/Orders_Svc.yaml). ` +
    `Applying it destroys the running service instance of prod/orders-${inst}/ and creates a new one in prod/Orders_Svc-${inst}/ (the directory, and the state key, come from the service and instance names). ` +
    `To keep it, keep the old name (rename the file back to platform/services/orders.yaml); if the new name is meant, go on: the old resources are destroyed\n`;
  t.match(res.err, warning("orders-a"));
  t.match(res.err, warning("orders-b"));
  t.match(res.err, /orders\/pipeline\/ is deleted and Orders_Svc\/pipeline\/ is new/);
  // A spec change as well: no longer the same resource, no warning.
  fs.renameSync(path.join(repo, "platform/services/Orders_Svc.yaml"), path.join(repo, "platform/services/orders.yaml"));
  res = await cli(repo, ["platform", "render"]);
  t.equal(res.err, "", "renamed back: what goes was never applied, nothing to warn about");
  writeFiles(repo, { "platform/services/billing.yaml": SERVICE_FILE.replace("port: 8080", "port: 9090") });
  fs.rmSync(path.join(repo, "platform/services/orders.yaml"));
  res = await cli(repo, ["platform", "render"]);
  t.equal(res.code, 0);
  t.notMatch(res.err, /prod\/orders-orders-a\/ is deleted and prod\/billing-orders-a/, "another spec: not a rename");
  t.match(res.err, /prod\/orders-orders-b\/ is deleted and prod\/billing-orders-b\/ is new/, "the unchanged instance still is");
});
