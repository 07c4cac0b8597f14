import * as fs from "node:fs";
import * as path from "node:path";
import { ProtonkitError } from "../errors";
import { CatalogSynthOptions, formatResults, synthesizeCatalog } from "./catalog";

/**
 * Runs the catalog synth as a program (`main.ts`, `npm run synth`, `cdktf synth`): prints one
 * line per template version, or the error, once. Sets `process.exitCode`.
 *
 * Under `cdktf synth` whatever the app writes to stderr is printed twice (live, then again in
 * cdktf's failure summary). There the error goes into cdktf's manifest as error annotations
 * instead, which cdktf prints once and then fails the synth.
 */
export async function runCatalogSynth(options: CatalogSynthOptions): Promise<void> {
  try {
    const results = await synthesizeCatalog(options);
    process.stdout.write(formatResults(results, options.check === true));
  } catch (err) {
    const outdir = process.env.CDKTF_OUTDIR;
    if (outdir && process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === "true" && annotateManifest(outdir, err)) return;
    process.stderr.write(`protonkit: ${describeError(err)}\n`);
    process.exitCode = 1;
  }
}

/**
 * A failure as people should read it. A {@link ProtonkitError} is the user's mistake and says
 * where and how to fix it. Anything else is shown by its message and the first line of code
 * outside node_modules (usually the template's); `PROTONKIT_DEBUG=1` shows the whole stack.
 */
export function describeError(err: unknown): string {
  if (err instanceof ProtonkitError) return err.message;
  if (!(err instanceof Error)) return String(err);
  if (process.env.PROTONKIT_DEBUG) return err.stack ?? err.message;
  const frame = (err.stack ?? "")
    .split("\n")
    .slice(1)
    .map((l) => l.trim())
    .find((l) => l.startsWith("at ") && !l.includes("node_modules") && !l.includes("node:"));
  return `${err.message}${frame ? `\n  ${frame}` : ""}\n  (set PROTONKIT_DEBUG=1 for the full stack trace)`;
}

interface Annotation {
  readonly constructPath: string;
  readonly level: "@cdktf/error";
  readonly message: string;
}

interface Manifest {
  version?: string;
  stacks?: Record<string, { annotations?: Annotation[] } & Record<string, unknown>>;
}

/** Adds the error to cdktf's manifest as error annotations; false when that is not possible. */
function annotateManifest(outdir: string, err: unknown): boolean {
  const annotations: Annotation[] =
    err instanceof ProtonkitError
      ? [
          ...(err.message === err.problems.map((p) => p.toString()).join("\n") ? [] : [annotation("protonkit", err.message.split("\n")[0])]),
          ...err.problems.map((p) => annotation(p.details.field ?? "protonkit", `${p.details.file ? `${p.details.file}: ` : ""}${p.message}${p.details.fix ? ` (fix: ${p.details.fix})` : ""}`)),
        ]
      : [annotation("protonkit", describeError(err))];
  try {
    const file = path.join(outdir, "manifest.json");
    const manifest: Manifest = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Manifest) : {};
    const stacks = manifest.stacks ?? {};
    const first = Object.keys(stacks).sort()[0];
    if (first !== undefined) {
      stacks[first].annotations = [...(stacks[first].annotations ?? []), ...annotations];
    } else {
      // The error came before app.synth(): a placeholder stack carries it.
      const dir = path.join(outdir, "stacks", "protonkit");
      fs.mkdirSync(dir, { recursive: true });
      const metadata = { backend: "local", stackName: "protonkit", version: "0.21.0" };
      fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ "//": { metadata, outputs: {} }, terraform: { required_providers: {} } }));
      fs.writeFileSync(path.join(dir, "metadata.json"), JSON.stringify(metadata));
      stacks.protonkit = {
        name: "protonkit",
        constructPath: "protonkit",
        workingDirectory: "stacks/protonkit",
        synthesizedStackPath: "stacks/protonkit/cdk.tf.json",
        stackMetadataPath: "stacks/protonkit/metadata.json",
        dependencies: [],
        annotations,
      };
    }
    fs.writeFileSync(file, JSON.stringify({ version: manifest.version ?? "0.21.0", ...manifest, stacks }, null, 2));
    return true;
  } catch {
    return false;
  }
}

function annotation(constructPath: string, message: string): Annotation {
  return { constructPath, level: "@cdktf/error", message };
}
