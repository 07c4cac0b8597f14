import * as fs from "node:fs";
import { actionlint, workflowParserErrors } from "./test/workflow/lint";
(async () => {
  for (const [f, name] of [["/tmp/pwf/caller.yml", ".github/workflows/protonkit-provision.yml"], ["/tmp/pwf/jobs.yml", ".github/workflows/protonkit-provision-jobs.yml"]]) {
    const text = fs.readFileSync(f, "utf8");
    console.log(name, JSON.stringify((await actionlint(text, name)).map((r) => `${r.line}:${r.column} ${r.message}`), null, 1));
    console.log(name, await workflowParserErrors(text, name));
  }
})();
