import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main";
import { PROVISION_WORKFLOW_PATH, syncWorkflow } from "../../generators/workflow/sync";
import { SETTINGS, allSteps, parseWorkflowYaml, tempRepo } from "./helpers";

/**
 * The workflow calls `protonkit provision <sub> --flags`; this test holds it to the commands the
 * runtime actually registers, so renaming a flag on either side fails here and not in a
 * provisioning repository's first run.
 */
t.test("every provision command and flag the workflow uses exists in the CLI", async (t) => {
  const repo = tempRepo(t);
  syncWorkflow({ repo, mode: "init", settings: SETTINGS });
  const wf = parseWorkflowYaml(fs.readFileSync(path.join(repo, PROVISION_WORKFLOW_PATH), "utf8"));
  const calls = allSteps(wf).flatMap(({ step }) => {
    const m = step.run === undefined ? null : /^node "\$PROTONKIT_CLI" provision ([a-z-]+)(.*)$/.exec(step.run);
    return m ? [{ sub: m[1], flags: [...m[2].matchAll(/(--[a-z][a-z-]*)/g)].map((f) => f[1]) }] : [];
  });
  t.same([...new Set(calls.map((c) => c.sub))].sort(), ["apply", "detect", "plan", "report-failure", "resolve"]);

  const provision = buildProgram().commands.find((c: Command) => c.name() === "provision");
  if (!provision) {
    t.test("`protonkit provision` is registered", { skip: "not registered yet" }, async () => undefined);
    return;
  }
  for (const call of calls) {
    const sub = provision.commands.find((c: Command) => c.name() === call.sub);
    if (!sub) {
      t.fail(`protonkit provision ${call.sub} does not exist`);
      continue;
    }
    const known = new Set(sub.options.map((o) => o.long));
    for (const flag of call.flags) t.ok(known.has(flag), `protonkit provision ${call.sub} ${flag}`);
  }
});
