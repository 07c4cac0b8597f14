// The synth does each piece of work once: each stack's JSON is resolved once, cdktf keeps no
// token stack traces, and bundles and tarballs already on disk byte for byte are not rewritten.
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { App } from "cdktf";
import { stackJson, synthesizeApp, withoutTokenStackTraces } from "../../src/bundle/synth";
import { StarterEnvironment } from "../../stacks/starter-environment/stack";
import { StarterService } from "../../stacks/starter-service/stack";
import { readTree, synthTo, tempDir } from "../support/synth";

const traces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: () => string[] };

t.test("synthesizeApp keeps each stack's JSON as app.synth() resolved it, and restores the stacks", async (t) => {
  const app = new App({ outdir: path.join(tempDir(t), "cdktf.out") });
  const template = new StarterEnvironment(app);
  synthesizeApp(app);
  for (const stack of template.stacks.values()) {
    t.notOk(Object.prototype.hasOwnProperty.call(stack, "toTerraform"), "toTerraform is the prototype's again");
    t.same(stackJson(stack), stack.toTerraform(), stack.node.path);
    t.equal(stackJson(stack), stackJson(stack), "kept, not resolved again");
  }
});

t.test("cdktf records no token stack traces during a synth, and does again after it", async (t) => {
  const before = traces.captureStackTrace;
  t.same(await withoutTokenStackTraces(async () => traces.captureStackTrace()), []);
  t.equal(traces.captureStackTrace, before, "restored");
  await t.rejects(withoutTokenStackTraces(async () => Promise.reject(new Error("boom"))), /boom/);
  t.equal(traces.captureStackTrace, before, "restored after a failure");
  t.ok(traces.captureStackTrace().length > 0);
  process.env.PROTONKIT_DEBUG = "1";
  t.teardown(() => delete process.env.PROTONKIT_DEBUG);
  t.ok((await withoutTokenStackTraces(async () => traces.captureStackTrace())).length > 0, "PROTONKIT_DEBUG=1 keeps them");
});

t.test("a synth leaves bundles and tarballs that are already right alone, and puts back what is not", async (t) => {
  const dir = tempDir(t);
  const bundles = path.join(dir, "proton-bundles");
  const dist = path.join(dir, "dist");
  await synthTo([StarterEnvironment, StarterService], bundles, { distDir: dist });
  const tree = readTree(bundles);
  const tarballs = readTree(dist);
  const env = path.join(bundles, "starter-environment", "v1");
  const svc = path.join(bundles, "starter-service", "v1");
  const envTarball = path.join(dist, "starter-environment-v1.0.tar.gz");
  const svcTarball = path.join(dist, "starter-service-v1.0.tar.gz");
  const old = new Date(2000, 0, 1);
  for (const f of [path.join(env, "README.md"), envTarball]) fs.utimesSync(f, old, old);
  fs.appendFileSync(path.join(svc, "README.md"), "edited\n");
  fs.writeFileSync(path.join(svc, "stray.tf"), "");
  fs.writeFileSync(svcTarball, "not a tarball");

  await synthTo([StarterEnvironment, StarterService], bundles, { distDir: dist });
  t.same(readTree(bundles), tree, "bundles as synthesized");
  t.same(readTree(dist), tarballs, "tarballs as synthesized");
  t.equal(fs.statSync(path.join(env, "README.md")).mtimeMs, old.getTime(), "an unchanged bundle is not rewritten");
  t.equal(fs.statSync(envTarball).mtimeMs, old.getTime(), "an unchanged tarball is not rewritten");
  t.same(fs.readdirSync(bundles).filter((f) => f.startsWith(".staging-")), [], "no staging folder left");

  const lock = path.join(bundles, "protonkit.lock.json");
  fs.utimesSync(lock, old, old);
  await synthTo([StarterEnvironment, StarterService], bundles, { distDir: dist });
  t.equal(fs.statSync(lock).mtimeMs, old.getTime(), "with nothing changed, not even the lock is rewritten");
});
