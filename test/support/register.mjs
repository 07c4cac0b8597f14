// tap's loader (package.json "tap"."node-arg"): TypeScript test files run through sucrase, the
// same transpiler bin/protonkit.js uses, instead of ts-node, which loads all of TypeScript into
// every test process. Types are checked by `npm run typecheck`, not here.
import { createRequire, register } from "node:module";

createRequire(import.meta.url)("sucrase/register/ts");
register("./ts-hooks.mjs", import.meta.url);
