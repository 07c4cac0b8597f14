#!/usr/bin/env node
// Runs the TypeScript CLI in place: the repository is the toolkit, no build step needed.
"use strict";
const path = require("path");
require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../src/cli/main").main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`protonkit: ${err && err.message ? err.message : String(err)}\n`); process.exitCode = 1; },
);
