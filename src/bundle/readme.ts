import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import type { InputDeclaration, InputSet } from "../authoring/inputs";
import type { OutputSet } from "../authoring/template";
import type { InfrastructureFolder, InputSection, TemplateKind } from "../proton/contract";
import { PassCache } from "../support/pass-cache";

/** A guardrail suppression, as listed in a README. */
export interface SuppressionRow {
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
}

/** Everything a bundle README shows. */
export interface ReadmeData {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly kind: TemplateKind;
  readonly major: number;
  readonly compatibleEnvironments: readonly string[];
  readonly directlyDefinedComponents: boolean;
  readonly inputs: ReadonlyMap<InputSection, InputSet>;
  readonly outputs: ReadonlyMap<InfrastructureFolder, OutputSet>;
  readonly environmentOutputsRead: readonly string[];
  readonly suppressions: readonly SuppressionRow[];
}

const TEMPLATES_DIR = path.join(__dirname, "..", "..", "templates");
let compiled: HandlebarsTemplateDelegate | undefined;

const SECTION_TITLES: Record<InputSection, string> = {
  environment: "Environment inputs",
  service_instance: "Service instance inputs",
  pipeline: "Pipeline inputs",
};

/**
 * The README template, compiled once per content: Handlebars' compiler writes the template
 * as JavaScript, which is kept (see {@link PassCache}), so later synths load only Handlebars'
 * runtime and neither its compiler nor the compile (~50 ms).
 */
function readmeTemplate(): HandlebarsTemplateDelegate {
  const source = fs.readFileSync(path.join(TEMPLATES_DIR, "bundle-readme.md.hbs"), "utf8");
  const options = { noEscape: true, strict: false };
  const specs = new PassCache("handlebars", [__filename]);
  const key = specs.key([source, JSON.stringify(options)]);
  let spec = specs.recall(key)?.toString("utf8");
  if (spec === undefined) {
    spec = String((require("handlebars") as typeof import("handlebars")).precompile(source, options));
    specs.remember(key, spec);
  }
  const runtime = require("handlebars/runtime") as typeof import("handlebars");
  return runtime.template(new Function(`return ${spec};`)() as TemplateSpecification);
}

/** Renders a bundle's README from `templates/bundle-readme.md.hbs`. */
export function renderReadme(data: ReadmeData): string {
  compiled ??= readmeTemplate();
  const text = compiled({
    ...data,
    inputSections: [...data.inputs].map(([section, inputs]) => ({
      title: SECTION_TITLES[section],
      rows: Object.entries(inputs).map(([name, d]) => ({
        name,
        type: typeLabel(d),
        required: d.required === true,
        default: d.default === undefined ? "" : JSON.stringify(d.default),
        constraints: constraints(d),
        description: cell(d.description ?? d.title ?? ""),
      })),
    })),
    outputSections: [...data.outputs].map(([folder, outputs]) => ({
      folder,
      rows: Object.entries(outputs).map(([name, description]) => ({ name, description: cell(description) })),
    })),
    exampleSpec: exampleSpec(data),
  });
  return text.replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

function typeLabel(d: InputDeclaration): string {
  if (d.type === "array") return `array of ${d.items.type}`;
  return "enum" in d && d.enum ? "enum" : d.type;
}

function constraints(d: InputDeclaration): string {
  const c: string[] = [];
  if ("enum" in d && d.enum) c.push(`one of ${d.enum.map((v) => `\`${v}\``).join(", ")}`);
  if ("pattern" in d && d.pattern) c.push(`matches \`${d.pattern.replace(/\|/g, "\\|")}\``);
  if ("minimum" in d && d.minimum !== undefined) c.push(`>= ${d.minimum}`);
  if ("maximum" in d && d.maximum !== undefined) c.push(`<= ${d.maximum}`);
  if ("minLength" in d && d.minLength !== undefined) c.push(`length >= ${d.minLength}`);
  if ("maxLength" in d && d.maxLength !== undefined) c.push(`length <= ${d.maxLength}`);
  if (d.type === "array" && d.minItems !== undefined) c.push(`items >= ${d.minItems}`);
  if (d.type === "array" && d.maxItems !== undefined) c.push(`items <= ${d.maxItems}`);
  return c.join("; ");
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A spec with every input at its default, and required ones marked for the reader to fill in. */
function exampleSpec(data: ReadmeData): string | undefined {
  const values = (inputs: InputSet) =>
    Object.fromEntries(Object.entries(inputs).map(([n, d]) => [n, d.default ?? placeholder(d)]));
  if (data.kind === "environment") {
    return YAML.stringify({ proton: "EnvironmentSpec", spec: values(data.inputs.get("environment") ?? {}) }, { lineWidth: 0 });
  }
  if (data.kind === "service") {
    const env = data.compatibleEnvironments[0]?.split(":")[0] ?? "my-environment";
    const doc: Record<string, unknown> = { proton: "ServiceSpec" };
    const pipeline = data.inputs.get("pipeline");
    if (pipeline) doc.pipeline = values(pipeline);
    doc.instances = [{ name: `${data.name}-test`, environment: `test # an environment made from ${env}`, spec: values(data.inputs.get("service_instance") ?? {}) }];
    return YAML.stringify(doc, { lineWidth: 0 }).replace(/"(test # [^"]*)"/, "$1");
  }
  return undefined;
}

function placeholder(d: InputDeclaration): unknown {
  if ("enum" in d && d.enum) return d.enum[0];
  switch (d.type) {
    case "string":
      return `<${d.description ? d.description.replace(/\.$/, "").toLowerCase() : "value"}>`;
    case "number":
    case "integer":
      return d.minimum ?? 1;
    case "boolean":
      return false;
    case "array":
      return [];
  }
}
