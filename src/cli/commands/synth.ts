import * as path from "node:path";
import type { Command } from "commander";
import { formatResults, synthesizeCatalog } from "../../bundle/catalog";
import type { CommandModule } from "./index";

/** `protonkit synth`: writes (or checks) proton-bundles/ from the catalog in stacks/. */
export const synthCommand: CommandModule = (program: Command) => {
  program
    .command("synth")
    .description("Synthesize every catalog template into versioned Proton bundles (proton-bundles/) and tarballs (dist/).")
    .option("--check", "write nothing; fail if proton-bundles/ differs from what the stacks synthesize")
    .option("--root <dir>", "repository root holding stacks/ and proton-bundles/", ".")
    .option("--bundles <dir>", "write or check bundles here instead of <root>/proton-bundles")
    .option("--no-dist", "skip the .tar.gz bundles in dist/")
    .action(async (opts: { check?: boolean; root: string; bundles?: string; dist: boolean }) => {
      const root = path.resolve(opts.root);
      // The catalog is loaded late: it pulls in cdktf and the provider bindings.
      const { catalog } = (await import(path.join(root, "stacks"))) as typeof import("../../../stacks");
      const results = await synthesizeCatalog({
        templates: catalog,
        root,
        bundlesDir: opts.bundles ? path.resolve(opts.bundles) : undefined,
        check: opts.check,
        readme: opts.bundles ? undefined : path.join(root, "README.md"),
        distDir: opts.dist && !opts.check ? undefined : null,
      });
      process.stdout.write(formatResults(results, opts.check === true));
    });
};
