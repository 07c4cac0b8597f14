/**
 * What every generator's Handlebars shares: templates are written as the generated file reads,
 * so a GitHub expression `${{ ... }}` stays literal and only a bare `{{ ... }}` is Handlebars;
 * `action` writes a pinned `uses:` line and `json` a quoted scalar.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Handlebars from "handlebars";
import { isActionName, usesLine } from "./actions";

/** A template's text with every GitHub expression opener `${{` escaped for Handlebars. */
export function readTemplate(file: string): string {
  return fs.readFileSync(file, "utf8").split("${{").join("$\\{{");
}

/** A Handlebars environment with the shared helpers and, when given, the `*.hbs` partials of a folder. */
export function generatorHandlebars(partialsDir?: string): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper("action", (name: unknown) => {
    if (typeof name !== "string" || !isActionName(name)) throw new Error(`template names an unknown action ${String(name)}`);
    return usesLine(name);
  });
  // A JSON string is a valid YAML double-quoted scalar.
  hb.registerHelper("json", (value: unknown) => JSON.stringify(value));
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  if (partialsDir) {
    for (const file of fs.readdirSync(partialsDir).filter((f) => f.endsWith(".hbs")).sort()) {
      hb.registerPartial(path.basename(file, ".hbs"), readTemplate(path.join(partialsDir, file)));
    }
  }
  return hb;
}
