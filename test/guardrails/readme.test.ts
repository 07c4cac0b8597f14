import t from "tap";
import * as fs from "fs";
import * as path from "path";
import { RULES } from "../../src/guardrails";

t.test("the guardrails README lists every rule with its title", async (t) => {
  const readme = fs.readFileSync(path.join(__dirname, "../../src/guardrails/README.md"), "utf8");
  for (const r of RULES) t.ok(readme.includes(`| ${r.id} | ${r.title} |`), `${r.id} listed`);
  const ids = RULES.map((r) => r.id);
  t.equal(new Set(ids).size, ids.length, "ids unique");
  for (const r of RULES) t.ok(r.description.length > 0 && r.fix.length > 0, `${r.id} documented`);
});
