// One catalog synth into a scratch folder, for bench/run.ts to time from outside.
import * as path from "node:path";
import { synthesizeCatalog } from "../src/bundle/catalog";
import { catalog } from "../stacks";

const scratch = process.argv[2];
synthesizeCatalog({
  templates: catalog,
  root: path.join(__dirname, ".."),
  bundlesDir: path.join(scratch, "proton-bundles"),
  distDir: path.join(scratch, "dist"),
  outdir: path.join(scratch, "cdktf.out"),
}).catch((e: unknown) => {
  process.stderr.write(String(e));
  process.exitCode = 1;
});
