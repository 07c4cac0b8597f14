// gitlab-ci-local imports `re2`, a native module that only an install script builds (a C++
// compile of about two CPU-minutes). CI installs with `npm ci --ignore-scripts`, so when re2 has
// no build, this makes `re2` resolve to a RegExp stand-in (re2-shim.mjs). Load it with
// `node --import` (or `import()` it) before gitlab-ci-local; with a built re2 it does nothing.
import { existsSync } from "node:fs";
import { createRequire, register } from "node:module";
import * as path from "node:path";

const dir = path.dirname(createRequire(import.meta.url).resolve("re2/package.json"));
if (!existsSync(path.join(dir, "build", "Release", "re2.node"))) register("./re2-hooks.mjs", import.meta.url);
