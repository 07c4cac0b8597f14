import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { main } from "../../src/cli/main";
import { PROVISION_WORKFLOW_PATH } from "../../generators/workflow/sync";
import { TOOLKIT_REF, tempRepo } from "./helpers";

/** Runs the CLI in-process and captures what it printed. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await main(["node", "protonkit", ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = previous;
  }
}

t.test("workflow init, update and update --check through the CLI", async (t) => {
  const repo = tempRepo(t);
  const init = await run("workflow", "init", "--repo", repo, "--repository", "acme/provisioning", "--toolkit-repository", "acme/protonkit", "--toolkit-ref", TOOLKIT_REF, "--timeout-minutes", "90");
  t.equal(init.code, 0, init.stderr);
  t.equal(
    init.stdout,
    [
      "created   .github/workflows/protonkit-drift.yml",
      "created   .github/workflows/protonkit-provision-jobs.yml",
      "created   .github/workflows/protonkit-provision.yml",
      "created   .protonkit/provisioning.schema.json",
      "created   .protonkit/provisioning.yaml",
      "created   .protonkit/workflow.yaml",
      "",
    ].join("\n"),
  );
  t.match(fs.readFileSync(path.join(repo, ".github/workflows/protonkit-provision-jobs.yml"), "utf8"), /timeout-minutes: 90/);

  const update = await run("workflow", "update", "--repo", repo);
  t.equal(update.code, 0);
  t.match(update.stdout, /^unchanged \.github\/workflows\/protonkit-provision\.yml$/m);
  t.match(update.stdout, /^kept {6}\.protonkit\/provisioning\.yaml \(yours; validated, never rewritten\)$/m);

  fs.appendFileSync(path.join(repo, PROVISION_WORKFLOW_PATH), "# my note\n");
  const check = await run("workflow", "update", "--repo", repo, "--check");
  t.equal(check.code, 1, "--check fails on a skipped file");
  t.match(check.stdout, /^skipped {3}\.github\/workflows\/protonkit-provision\.yml \(user-modified since protonkit wrote it, use --force to overwrite\)$/m);
});

t.test("a user-facing failure exits 1 and names file and key on stderr", async (t) => {
  const repo = tempRepo(t);
  await run("workflow", "init", "--repo", repo, "--repository", "acme/provisioning", "--toolkit-repository", "acme/protonkit", "--toolkit-ref", TOOLKIT_REF);
  const config = path.join(repo, ".protonkit", "provisioning.yaml");
  fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace(/plan_role_arn: .*/, "plan_role_arn: not-an-arn"));
  const res = await run("workflow", "update", "--repo", repo);
  t.equal(res.code, 1);
  t.match(res.stderr, /provisioning\.yaml:\d+: environments\.\*\.plan_role_arn: /);
  t.equal(res.stdout, "");
});

t.test("every workflow command has --help", async (t) => {
  for (const sub of ["init", "update", "toolkit-ci"]) {
    const res = await run("workflow", sub, "--help");
    t.equal(res.code, 0);
    t.match(res.stdout, new RegExp(`Usage: protonkit workflow ${sub}`));
  }
});
