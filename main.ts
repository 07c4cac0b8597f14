// The cdktf app (`cdktf.json` runs it; so does `npm run synth`): every catalog template,
// synthesized and written to proton-bundles/ as versioned Proton bundles.
import { formatResults, synthesizeCatalog } from "./src/bundle/catalog";
import { ProtonkitError } from "./src/errors";
import { catalog } from "./stacks";

synthesizeCatalog({ templates: catalog, root: __dirname, readme: `${__dirname}/README.md` }).then(
  (results) => process.stdout.write(formatResults(results, false)),
  (err: unknown) => {
    process.stderr.write(`protonkit: ${err instanceof ProtonkitError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
