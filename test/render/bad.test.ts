import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import type { Test } from "tap";
import { ProtonkitError } from "../../src/errors";
import { loadContextFile, render } from "../../src/render";
import { displayPath } from "../../src/support/yaml";
import type { BadCase } from "./fixtures/bad-cases";
import { BAD_CASES } from "./fixtures/bad-cases";
import { runCli, tmpDir } from "./fixtures/helpers";

process.chdir(path.resolve(__dirname, "..", ".."));

function expectedText(c: BadCase, bundleDir: string): string {
  return c.expected
    .replace(/\$SPEC/g, displayPath(c.spec))
    .replace(/\$CONTEXT/g, c.context ? displayPath(c.context) : "")
    .replace(/\$BUNDLE/g, displayPath(bundleDir));
}

function nameOf(c: BadCase, bundleDir: string): string {
  return c.name ?? (bundleDir.includes(`${path.sep}pizza-env${path.sep}`) ? "prod" : "api");
}

/** Nothing in `out`, and no temporary directory left beside it. */
function assertNothingWritten(tt: Test, parent: string, out: string): void {
  tt.notOk(fs.existsSync(out), "the out dir was not created");
  tt.same(fs.readdirSync(parent), [], "no temporary directory left beside the out dir");
}

// Dump mode prints the actual messages, for reviewing a new case.
if (process.env.PROTONKIT_DUMP_BAD === "1") {
  void (async () => {
  for (const c of BAD_CASES) {
    const bundleDir = c.bundle();
    if (c.flags) {
      const args = ["render", "--bundle", bundleDir, "--spec", c.spec, "--name", nameOf(c, bundleDir), "--out", path.join(tmpDir(), "out"), ...(c.context ? ["--context", c.context] : []), ...c.flags];
      const res = await runCli(args);
      let text = res.stderr.replace(/^protonkit: /, "").replace(/\n$/, "");
      text = text.split(displayPath(c.spec)).join("$SPEC").split(displayPath(bundleDir)).join("$BUNDLE");
      if (c.context) text = text.split(displayPath(c.context)).join("$CONTEXT");
      console.log(`${c.title}\n${JSON.stringify(text)}\n`);
      continue;
    }
    try {
      const context = c.context ? loadContextFile(c.context) : undefined;
      render({ bundleDir, specFile: c.spec, name: nameOf(c, bundleDir), outDir: path.join(tmpDir(), "out"), context });
      console.log(`${c.title}: RENDERED`);
    } catch (err) {
      let text = (err as Error).message;
      text = text.split(displayPath(c.spec)).join("$SPEC").split(displayPath(bundleDir)).join("$BUNDLE");
      if (c.context) text = text.split(displayPath(c.context)).join("$CONTEXT");
      console.log(`${c.title}\n${JSON.stringify(text)}\n`);
    }
  }
  })();
}

t.ok(BAD_CASES.length >= 30, `at least 30 bad inputs (${BAD_CASES.length})`);

for (const c of process.env.PROTONKIT_DUMP_BAD === "1" ? [] : BAD_CASES) {
  t.test(c.title, async (tt) => {
    const bundleDir = c.bundle();
    const expected = expectedText(c, bundleDir);
    const name = nameOf(c, bundleDir);
    if (!c.flags) {
      const parent = tmpDir();
      const out = path.join(parent, "out");
      let thrown: unknown;
      try {
        const context = c.context ? loadContextFile(c.context) : undefined;
        render({ bundleDir, specFile: c.spec, name, outDir: out, context });
      } catch (err) {
        thrown = err;
      }
      tt.type(thrown, ProtonkitError, "render() throws a ProtonkitError");
      tt.equal((thrown as Error).message, expected, "render() error text");
      assertNothingWritten(tt, parent, out);
    }
    const parent = tmpDir();
    const out = path.join(parent, "out");
    const args = ["render", "--bundle", bundleDir, "--spec", c.spec, "--name", name, "--out", out, ...(c.context ? ["--context", c.context] : []), ...(c.flags ?? [])];
    const res = await runCli(args);
    tt.equal(res.code, 1, "the CLI exits 1");
    tt.equal(res.stderr, `protonkit: ${expected}\n`, "the CLI prints the same error");
    tt.equal(res.stdout, "", "the CLI prints nothing on stdout");
    assertNothingWritten(tt, parent, out);
  });
}
