// tap's loader (package.json "tap"."node-arg"): TypeScript test files load through
// bin/ts-register.js (sucrase, cached), as bin/protonkit.js does, instead of ts-node, which
// loads all of TypeScript into every test process. Types are checked by `npm run typecheck`.
import { createRequire, register } from "node:module";

createRequire(import.meta.url)("../../bin/ts-register.js");
register("./ts-hooks.mjs", import.meta.url);
