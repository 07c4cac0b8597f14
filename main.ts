// The cdktf app (`cdktf.json` runs it; so does `npm run synth`): every catalog template,
// synthesized and written to proton-bundles/ as versioned Proton bundles.
// `npm run synth -- --check` writes nothing and fails when the committed bundles differ.
import { runCatalogSynth } from "./src/bundle/run-synth";
import { catalog } from "./stacks";

void runCatalogSynth({ templates: catalog, root: __dirname, readme: `${__dirname}/README.md`, check: process.argv.includes("--check") });
