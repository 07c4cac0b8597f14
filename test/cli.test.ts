import { spawnSync } from "node:child_process";
import * as path from "node:path";
import t from "tap";
import { Command } from "commander";
import { buildProgram, main } from "../src/cli/main";
import { COMMANDS, registerCommandsFor } from "../src/cli/commands";

const root = path.join(__dirname, "..");

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

t.test("the lazy command list shows every command as its loaded module does", async (t) => {
  const full = buildProgram();
  const help = full.createHelp();
  t.same(
    COMMANDS.map((c) => ({ name: c.name, term: c.term, description: c.description })),
    full.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: c.description() })),
    "src/cli/commands/index.ts lists each command with the term and description its module registers",
  );
  const lazy = new Command("protonkit").description(full.description());
  registerCommandsFor(lazy, ["--help"]);
  t.equal(lazy.helpInformation(), full.helpInformation(), "protonkit --help prints the same text lazily");
});

t.test("help loads no command; a command loads only its own dependencies", async (t) => {
  // One process reports what each invocation loaded (a fresh module cache per invocation).
  const script = `
    require("./bin/ts-register.js");
    const out = {};
    (async () => {
      for (const args of [["--help"], ["render", "--help"], ["test", "--help"]]) {
        for (const k of Object.keys(require.cache)) if (!k.endsWith("/bin/ts-register.js") && !k.includes("/node_modules/sucrase/")) delete require.cache[k];
        const saved = process.stdout.write; process.stdout.write = () => true;
        await require("./src/cli/main").main(["node", "protonkit", ...args]);
        process.stdout.write = saved;
        out[args.join(" ")] = Object.keys(require.cache).map((k) => k.slice(${JSON.stringify(root.length + 1)}));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const res = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
  t.equal(res.status, 0, res.stderr);
  const loaded = JSON.parse(res.stdout) as Record<string, string[]>;
  const heavy = (mods: string[]): string[] =>
    [...new Set(mods.map((m) => /node_modules\/(cdktf|@cdktf\/[^/]+|@aws-sdk\/[^/]+|typescript|ts-node|yaml|ajv|handlebars)\//.exec(m)?.[1]).filter((x): x is string => !!x))].sort();
  t.same(heavy(loaded["--help"] ?? []), [], "protonkit --help loads neither cdktf, the AWS SDK, typescript nor the spec libraries");
  t.same(
    (loaded["--help"] ?? []).filter((m) => m.startsWith("src/cli/commands/") && !m.endsWith("index.ts")),
    [],
    "protonkit --help loads no command module",
  );
  for (const cmd of ["render --help", "test --help"]) {
    t.notOk(heavy(loaded[cmd] ?? []).some((m) => /cdktf|aws-sdk|typescript|ts-node/.test(m)), `protonkit ${cmd} loads neither cdktf, the AWS SDK nor typescript`);
    t.notOk((loaded[cmd] ?? []).some((m) => m.startsWith("src/provision/")), `protonkit ${cmd} does not load the provisioning code`);
  }
});
