#!/usr/bin/env node
// Runs the TypeScript CLI in place: the repository is the toolkit, no build step needed.
// sucrase (a runtime dependency with no install script) strips types as modules load, so
// `npm ci --omit=dev --ignore-scripts` gives a working CLI; type checking is `npm run typecheck`.
"use strict";
require("./ts-register");
require("../src/cli/main").main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`protonkit: ${err && err.message ? err.message : String(err)}\n`); process.exitCode = 1; },
);
