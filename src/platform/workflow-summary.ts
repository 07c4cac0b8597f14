/**
 * The one required check of a platform repository's workflow run, decided from every job's
 * result (`toJSON(needs)`), as `src/provision/summary.ts` does for a provisioning repository.
 *
 * Pull request: the committed render is current (`validate`), the entitlements hold (when
 * checked), and the plans of the plain provisioning jobs passed. Push: the order was read, and
 * no deployment step, record forwarding, rollout gate or propagation failed.
 */
import { decideSummary, type NeedResult, type SummaryVerdict } from "../provision/summary";

/** Job-name prefixes of the deployment on a push, and what a failure of each means. */
const PUSH_JOBS: readonly { prefix: string; meaning: string }[] = [
  { prefix: "order-", meaning: "the stage could not be ordered (records branch, configuration)" },
  { prefix: "apply-", meaning: "an apply or destroy failed; resources that depend on it were skipped" },
  { prefix: "record-", meaning: "a deployment record was not forwarded to the records branch" },
  { prefix: "gate-", meaning: "the rollout stopped at this gate (rejected, or an earlier tier failed); later tiers were not applied" },
  { prefix: "propagate", meaning: "the re-render of dependents was not proposed" },
];

/** Decides the check; `needs` holds every job of the run. */
export function decidePlatformSummary(needs: Readonly<Record<string, NeedResult>>, event: string): SummaryVerdict {
  const result = (job: string): string => needs[job]?.result ?? "missing";
  if (event === "pull_request") {
    const bad: string[] = [];
    const good: string[] = [];
    if (result("validate") !== "success") bad.push(`validate ${result("validate")}: the desired state does not render, or the committed render is stale (run \`protonkit platform render\` and commit)`);
    else good.push("the committed render is current");
    if (needs.entitlements !== undefined) {
      if (result("entitlements") !== "success") bad.push(`entitlements ${result("entitlements")}: see the entitlements job for the rule and who may approve`);
      else good.push("entitlements hold");
    }
    const plans = decideSummary(needs, event);
    return { ok: bad.length === 0 && plans.ok, lines: [...bad, ...plans.lines, ...good] };
  }
  // A drift check: decided as for a provisioning repository (drift goes to issues).
  if (event === "schedule" || event === "workflow_dispatch") return decideSummary(needs, event);
  if (event !== "push") return { ok: false, lines: [`unexpected event ${event}`] };
  if (result("order") !== "success") return { ok: false, lines: [`order ${result("order")}: the change could not be ordered (see the order job)`] };
  const count = Number(needs.order.outputs?.count ?? "0");
  const bad: string[] = [];
  for (const job of Object.keys(needs).sort()) {
    const r = result(job);
    if (r !== "failure" && r !== "cancelled") continue;
    const kind = PUSH_JOBS.find((j) => job.startsWith(j.prefix));
    bad.push(`${job} ${r}${kind ? `: ${kind.meaning}` : ""}`);
  }
  if (bad.length > 0) return { ok: false, lines: bad };
  return { ok: true, lines: [count === 0 ? "no resource changed" : `${count} resource(s) deployed in order`] };
}
