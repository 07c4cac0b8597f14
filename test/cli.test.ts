import t from "tap";
import type { Command } from "commander";
import { buildProgram, main } from "../src/cli/main";

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(["node", "protonkit", ...args]), out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

t.test("every command and subcommand answers --help with a usage line and exit 0", async (t) => {
  const paths = commandPaths(buildProgram());
  for (const expected of [["synth"], ["render"], ["test"], ["workflow"], ["provision"]]) {
    t.ok(paths.some((p) => p.join(" ") === expected.join(" ")), `protonkit ${expected.join(" ")} exists`);
  }
  for (const p of [[], ...paths]) {
    const res = await run([...p, "--help"]);
    t.equal(res.code, 0, `protonkit ${p.join(" ")} --help exits 0`);
    t.match(res.out, new RegExp(`^Usage: protonkit${p.length ? ` ${p.join(" ")}` : ""} `), `protonkit ${p.join(" ")} --help prints its usage`);
  }
});

t.test("an unknown command or option exits non-zero", async (t) => {
  t.not((await run(["sinth"])).code, 0);
  t.not((await run(["synth", "--chek"])).code, 0);
});
