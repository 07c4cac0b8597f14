import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import t, { Test } from "tap";
import { Input } from "../../src/authoring/inputs";
import { readLock } from "../../src/proton/lock";
import { ProtonkitError } from "../../src/errors";
import { makeEnvironment, makeService } from "../support/env-factory";
import { readTree, synthTo, tempDir } from "../support/synth";

const base = {
  size: Input.integer({ default: 2, minimum: 1, maximum: 5 }),
  tier: Input.enum(["test", "staging", "production"], { default: "test" }),
  name: Input.string({ pattern: "^[a-z]+$", maxLength: 20, default: "abc" }),
  ratio: Input.integer({ default: 1 }),
};

async function refused(t: Test, bundles: string, inputs: Parameters<typeof makeEnvironment>[0]["inputs"], expected: RegExp[]) {
  const before = readTree(bundles);
  await t.rejects(synthTo([makeEnvironment({ inputs })], bundles), ProtonkitError);
  try {
    await synthTo([makeEnvironment({ inputs })], bundles);
  } catch (e) {
    const msg = (e as Error).message;
    for (const re of expected) t.match(msg, re);
    t.match(msg, /raise major to 2/);
  }
  t.same(readTree(bundles), before, "a refused synth writes nothing");
}

t.test("first synth is minor 0; same content keeps it; changed content bumps it", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  let r = await synthTo([makeEnvironment({ inputs: base })], bundles);
  t.same(r.map((x) => [x.major, x.minor, x.status]), [[1, 0, "new"]]);
  r = await synthTo([makeEnvironment({ inputs: base })], bundles);
  t.same(r.map((x) => [x.minor, x.status]), [[0, "unchanged"]]);
  // Hardening without touching inputs: a new minor version.
  r = await synthTo([makeEnvironment({ inputs: base, value: "hardened" })], bundles);
  t.same(r.map((x) => [x.minor, x.status]), [[1, "changed"]]);
  t.equal(readLock(path.join(bundles, "protonkit.lock.json")).templates["versioned-env"]["1"].minor, 1);
  // An optional new input with a default is not breaking either.
  r = await synthTo([makeEnvironment({ inputs: { ...base, extra: Input.boolean({ default: true }) }, value: "hardened" })], bundles);
  t.same(r.map((x) => [x.minor, x.status]), [[2, "changed"]]);
});

t.test("breaking changes are refused with the list of what breaks", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  await synthTo([makeEnvironment({ inputs: base })], bundles);
  await refused(t, bundles, { ...base, owner: Input.string({ required: true }) }, [/environment\.owner: new required input without a default/]);
  const { ratio: _ratio, ...withoutRatio } = base;
  void _ratio;
  await refused(t, bundles, withoutRatio, [/environment\.ratio: input removed/]);
  await refused(t, bundles, { ...base, ratio: Input.boolean({ default: true }) }, [/environment\.ratio: type changed from integer to boolean/]);
  await refused(t, bundles, { ...base, tier: Input.enum(["test", "production"], { default: "test" }) }, [/environment\.tier: enum value staging removed/]);
  await refused(t, bundles, { ...base, size: Input.integer({ default: 2, minimum: 2, maximum: 4 }) }, [/size: minimum raised from 1 to 2/, /size: maximum lowered from 5 to 4/]);
  await refused(t, bundles, { ...base, name: Input.string({ pattern: "^[a-z]+$", maxLength: 10, default: "abc" }) }, [/name: maxLength lowered from 20 to 10/]);
  await refused(t, bundles, { ...base, name: Input.string({ pattern: "^[a-c]+$", maxLength: 20, default: "abc" }) }, [/name: pattern changed/]);
  await refused(t, bundles, { ...base, size: Input.integer({ minimum: 1, maximum: 5, required: true }) }, [/size: became required/]);
});

t.test("widening is not breaking: integer to number, looser bounds, more enum values", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  await synthTo([makeEnvironment({ inputs: base })], bundles);
  const wider = {
    ...base,
    ratio: Input.number({ default: 1 }),
    size: Input.integer({ default: 2, minimum: 0, maximum: 9 }),
    tier: Input.enum(["test", "staging", "production", "sandbox"], { default: "test" }),
  };
  const r = await synthTo([makeEnvironment({ inputs: wider })], bundles);
  t.same(r.map((x) => [x.minor, x.status]), [[1, "changed"]]);
});

t.test("raising the major writes v2 beside an untouched v1", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  await synthTo([makeEnvironment({ inputs: base })], bundles);
  const v1 = readTree(path.join(bundles, "versioned-env", "v1"));
  const inputs = { ...base, owner: Input.string({ required: true }) };
  const r = await synthTo([makeEnvironment({ inputs, major: 2 })], bundles);
  t.same(r.map((x) => [x.major, x.minor, x.status]), [[2, 0, "new"]]);
  t.same(readTree(path.join(bundles, "versioned-env", "v1")), v1, "v1 is untouched");
  t.match(fs.readFileSync(path.join(bundles, "versioned-env", "v2", "schema", "schema.yaml"), "utf8"), /owner/);
  const lock = readLock(path.join(bundles, "protonkit.lock.json"));
  t.same(Object.keys(lock.templates["versioned-env"]).sort(), ["1", "2"]);
});

t.test("removing an environment output a compatible service reads is breaking; an unread one is not", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  const outputs = { a: "A.", b: "B." };
  const env1 = makeEnvironment({ inputs: base, outputs });
  await synthTo([env1, makeService(env1, ["a"])], bundles);
  t.same(readLock(path.join(bundles, "protonkit.lock.json")).templates["versioned-env"]["1"].outputsRead, ["a"]);
  const withoutB = makeEnvironment({ inputs: base, outputs: { a: "A." } });
  const r = await synthTo([withoutB, makeService(withoutB, ["a"])], bundles);
  t.same(r.find((x) => x.name === "versioned-env")?.status, "changed");
  const withoutA = makeEnvironment({ inputs: base, outputs: { c: "C." } });
  await t.rejects(synthTo([withoutA], bundles), /output a removed from infrastructure, but compatible services read it/);
});

t.test("--check fails on drift and passes when bundles are current", async (t) => {
  const bundles = path.join(tempDir(t), "proton-bundles");
  const env = makeEnvironment({ inputs: base });
  await synthTo([env], bundles);
  await synthTo([env], bundles, { check: true });
  fs.appendFileSync(path.join(bundles, "versioned-env", "v1", "README.md"), "edited\n");
  await t.rejects(synthTo([env], bundles, { check: true }), /README\.md: differs/);
  fs.writeFileSync(path.join(bundles, "versioned-env", "v1", "infrastructure", "stray.tf"), "");
  await t.rejects(synthTo([env], bundles, { check: true }), /stray\.tf: is not produced by the stack any more/);
});

/** A git repository on branch main whose proton-bundles/ and dist/ the tests synthesize into. */
function repo(t: Test): { bundles: string; dist: string; commit(message: string): void } {
  const root = tempDir(t);
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-C", root, "-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  git("init", "-q", "-b", "main");
  return {
    bundles: path.join(root, "proton-bundles"),
    dist: path.join(root, "dist"),
    commit: (message) => {
      git("add", "proton-bundles");
      git("commit", "-q", "-m", message);
    },
  };
}

const versions = (r: { minor: number; status: string }[]) => r.map((x) => `${x.minor} ${x.status}`);
const lockedDigest = (bundles: string) => readLock(path.join(bundles, "protonkit.lock.json")).templates["versioned-env"]["1"].digest;

t.test("repeated synths of one change bump the minor once over what main has; going back to it gives its version back", async (t) => {
  const { bundles, dist, commit } = repo(t);
  const synth = (value: string) => synthTo([makeEnvironment({ inputs: base, value })], bundles, { distDir: dist });
  t.same(versions(await synth("a")), ["0 new"]);
  commit("publish 1.0");
  const published = lockedDigest(bundles);
  t.same(versions(await synth("b")), ["1 changed"]);
  t.same(versions(await synth("b")), ["1 changed"], "the same change again: still 1.1");
  t.same(versions(await synth("c")), ["1 changed"], "another unpublished change reuses 1.1");
  t.same(fs.readdirSync(dist), ["versioned-env-v1.1.tar.gz"], "no stale tarballs");
  t.same(versions(await synth("a")), ["0 unchanged"], "back to the published content: 1.0 again");
  t.equal(lockedDigest(bundles), published);
  t.same(fs.readdirSync(dist), ["versioned-env-v1.0.tar.gz"]);
});

t.test("a published minor is never reused: reverting after 1.1 is published gives 1.2 with 1.0's content", async (t) => {
  const { bundles, commit } = repo(t);
  const synth = (value: string) => synthTo([makeEnvironment({ inputs: base, value })], bundles);
  await synth("a");
  commit("publish 1.0");
  const first = lockedDigest(bundles);
  t.same(versions(await synth("b")), ["1 changed"]);
  commit("publish 1.1");
  t.same(versions(await synth("b")), ["1 unchanged"]);
  t.same(versions(await synth("a")), ["2 changed"]);
  t.equal(lockedDigest(bundles), first, "1.2 has 1.0's content");
  t.same(versions(await synth("a")), ["2 changed"], "and stays 1.2 until published");
});

t.test("a breaking change is judged against what main has, not against an unpublished synth", async (t) => {
  const { bundles, commit } = repo(t);
  await synthTo([makeEnvironment({ inputs: base })], bundles);
  commit("publish 1.0");
  // An unpublished synth adds an optional input; taking it away again breaks nothing published.
  await synthTo([makeEnvironment({ inputs: { ...base, extra: Input.boolean({ default: true }) } })], bundles);
  t.same(versions(await synthTo([makeEnvironment({ inputs: base })], bundles)), ["0 unchanged"]);
});
