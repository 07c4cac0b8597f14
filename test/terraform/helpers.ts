import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { TerraformRun } from "../../src/terraform/cli";
import type { RenderCall, RenderedDirectory, TemplateRenderer, TerraformExec } from "../../src/terraform/template-tests";

/** The fixture tree: proton-bundles/ and stacks/ inside. */
export const FIXTURE = path.resolve(__dirname, "..", "fixtures", "tftest");

/** The provider mirror the offline tests use, when the machine has one. */
export const PLUGIN_DIR = process.env.PROTONKIT_PLUGIN_DIR ?? (fs.existsSync("/opt/tf-plugins") ? "/opt/tf-plugins" : undefined);

/**
 * A minimal stand-in for src/render, for unit tests only: environment bundles, one directory
 * named after the spec, the variables file and proton.auto.tfvars.json Proton writes.
 */
export function fakeRenderer(calls: RenderCall<unknown>[] = []): TemplateRenderer<unknown> {
  return {
    readBundle: (dir) => ({ templateName: path.basename(path.dirname(dir)), major: Number(path.basename(dir).slice(1)), kind: "environment" }),
    loadContextFile: (file) => parse(fs.readFileSync(file, "utf8")) as unknown,
    render: (o): RenderedDirectory[] => {
      calls.push(o);
      const doc = parse(fs.readFileSync(o.specFile, "utf8")) as { spec?: Record<string, unknown> } | null;
      if (!doc || typeof doc.spec !== "object") throw new Error(`${o.specFile}: spec: expected a mapping`);
      const dir = path.join(o.outDir, o.name);
      fs.mkdirSync(dir, { recursive: true });
      const infra = path.join(o.bundleDir, "infrastructure");
      for (const f of fs.readdirSync(infra).filter((f) => f.endsWith(".tf"))) fs.copyFileSync(path.join(infra, f), path.join(dir, f));
      fs.writeFileSync(
        path.join(dir, "proton.environment.variables.tf"),
        'variable "environment" {\n  type = object({\n    inputs = any\n    name   = string\n  })\n  default = null\n}\n\nvariable "proton_tags" {\n  type    = map(string)\n  default = null\n}\n',
      );
      const template = path.basename(path.dirname(o.bundleDir));
      const tfvars = {
        environment: { name: o.name, inputs: doc.spec },
        proton_tags: {
          "proton:account": "111111111111",
          "proton:environment": `arn:aws:proton:us-east-1:111111111111:environment/${o.name}`,
          "proton:template": `arn:aws:proton:us-east-1:111111111111:environment-template/${template}`,
        },
        "//": `arn:aws:proton:us-east-1:111111111111:environment/${o.name}`,
      };
      fs.writeFileSync(path.join(dir, "proton.auto.tfvars.json"), `${JSON.stringify(tfvars, null, 2)}\n`);
      return [{ kind: "environment", name: o.name, dir, relativeDir: o.name }];
    },
  };
}

/** Copies the fixture tree into `dest` so a test can change it. */
export function copyFixture(dest: string): { bundles: string; examples: string } {
  fs.cpSync(FIXTURE, dest, { recursive: true });
  return { bundles: path.join(dest, "proton-bundles"), examples: path.join(dest, "stacks") };
}

/** A fake Terraform that records calls and in-flight count, answering each command with `answer`. */
export function fakeTerraform(
  answer: (args: readonly string[], cwd: string) => Partial<TerraformRun> = () => ({}),
  delayMs = 20,
): {
  exec: TerraformExec;
  calls: { args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv }[];
  maxInFlight: (command?: string) => number;
} {
  const inFlight = new Map<string, number>();
  const max = new Map<string, number>();
  const bump = (key: string, d: number): void => {
    const v = (inFlight.get(key) ?? 0) + d;
    inFlight.set(key, v);
    max.set(key, Math.max(max.get(key) ?? 0, v));
  };
  const calls: { args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv }[] = [];
  const exec: TerraformExec = async (args, { cwd, env }) => {
    calls.push({ args, cwd, env });
    bump("*", 1);
    bump(args[0] ?? "", 1);
    await new Promise((r) => setTimeout(r, delayMs));
    bump("*", -1);
    bump(args[0] ?? "", -1);
    const a = answer(args, cwd);
    const stdout = a.stdout ?? (args[0] === "test" ? "Success! 1 passed, 0 failed.\n" : "");
    return { args, code: a.code ?? 0, stdout, stderr: a.stderr ?? "" };
  };
  return { exec, calls, maxInFlight: (command = "*") => max.get(command) ?? 0 };
}
