// Loads the repository's TypeScript in place: a require hook for .ts that strips types with
// sucrase (a runtime dependency with no install script), keeping line numbers. Transpiled
// modules are cached under node_modules/.cache/protonkit-ts by a digest of their source, so
// a warm start reads JavaScript and never loads sucrase. Type checking is `npm run typecheck`.
// Used by bin/protonkit.js, `npm run synth`, cdktf.json and tap (test/support/register.mjs).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "protonkit-ts");
const salt = `sucrase ${require("sucrase/package.json").version} typescript imports\n`;
let transform;

function compile(source, filename) {
  const key = crypto.createHash("sha1").update(salt).update(filename).update("\0").update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not cached yet
  }
  transform ??= require("sucrase").transform;
  const code = transform(source, { transforms: ["typescript", "imports"], filePath: filename }).code;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached); // atomic: concurrent processes never read half a file
  } catch {
    // a read-only install runs without the cache
  }
  return code;
}

// Set unconditionally: a hook installed before (tap's process-info one only passes .ts on to
// the .js loader) would hand TypeScript to Node untranspiled.
Module._extensions[".ts"] = function loadTs(module, filename) {
  module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
};
