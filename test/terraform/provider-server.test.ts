import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import t from "tap";
import { installedProviders, SharedProviders, startSharedProvider } from "../../src/terraform/provider-server";

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pk-provider-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A provider executable in `.terraform/providers/...` of `dir`, as `terraform init` links it. */
function install(dir: string, type: string, script: string): string {
  const pkg = path.join(dir, ".terraform/providers/registry.terraform.io/hashicorp", type, "1.0.0", "linux_amd64");
  fs.mkdirSync(pkg, { recursive: true });
  const exe = path.join(pkg, `terraform-provider-${type}_v1.0.0_x5`);
  fs.writeFileSync(exe, script, { mode: 0o755 });
  return exe;
}

// What a provider built on terraform-plugin-go prints when started with -debug.
const DEBUG_PROVIDER = `#!/bin/sh
[ "$1" = "-debug" ] || exit 2
echo "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:"
echo ""
printf "\\tTF_REATTACH_PROVIDERS='{\\"registry.terraform.io/hashicorp/aws\\":{\\"Protocol\\":\\"grpc\\",\\"ProtocolVersion\\":5,\\"Pid\\":$$,\\"Test\\":true,\\"Addr\\":{\\"Network\\":\\"unix\\",\\"String\\":\\"/tmp/plugin1\\"}}}'\\n"
exec sleep 60
`;

t.test("one debug-mode provider process per executable, attached through TF_REATTACH_PROVIDERS, stopped at the end", async (t) => {
  const root = scratch(t);
  const a = path.join(root, "a");
  const b = path.join(root, "b");
  const exe = install(a, "aws", DEBUG_PROVIDER);
  fs.mkdirSync(path.join(b, ".terraform/providers/registry.terraform.io/hashicorp/aws/1.0.0"), { recursive: true });
  fs.symlinkSync(path.dirname(exe), path.join(b, ".terraform/providers/registry.terraform.io/hashicorp/aws/1.0.0/linux_amd64"));
  install(a, "random", "#!/bin/sh\nexit 1\n");
  t.same(installedProviders(a, ["aws"]), [{ address: "registry.terraform.io/hashicorp/aws", binary: fs.realpathSync(exe) }]);
  t.same(installedProviders(b, ["aws"]).map((p) => p.binary), [fs.realpathSync(exe)], "links are resolved: one executable");
  t.same(installedProviders(a, ["google"]), []);

  const started: string[] = [];
  const shared = new SharedProviders(process.env, (binary, env) => {
    started.push(binary);
    return startSharedProvider(binary, env);
  });
  const [ra, rb] = await Promise.all([shared.reattachFor(a, ["aws"]), shared.reattachFor(b, ["aws"])]);
  t.equal(started.length, 1, "started once for both directories");
  t.equal(ra, rb);
  const entry = (JSON.parse(ra ?? "{}") as Record<string, { Pid: number; Test: boolean }>)["registry.terraform.io/hashicorp/aws"];
  t.equal(entry?.Test, true);
  t.equal(await shared.count(), 1);
  const pid = entry!.Pid;
  t.doesNotThrow(() => process.kill(pid, 0), "the provider is running");
  await shared.stopAll();
  t.throws(() => process.kill(pid, 0), "and is stopped at the end");
});

t.test("a provider without a debug mode is left to Terraform", async (t) => {
  const root = scratch(t);
  install(root, "aws", "#!/bin/sh\necho 'This binary is a plugin.'\nexit 1\n");
  const shared = new SharedProviders(process.env);
  t.equal(await shared.reattachFor(root, ["aws"]), undefined);
  t.equal(await shared.count(), 0);
  const silent = install(scratch(t), "aws", "#!/bin/sh\nexec sleep 60\n");
  t.equal(await startSharedProvider(silent, process.env, 300), undefined, "no reattach line in time: stopped, not shared");
  t.equal(await startSharedProvider(path.join(root, "missing"), process.env), undefined);
});

t.test("the provider goes when protonkit is killed (no exit handler runs)", async (t) => {
  const root = scratch(t);
  const exe = install(root, "aws", DEBUG_PROVIDER);
  const script = path.join(root, "holder.js");
  fs.writeFileSync(
    script,
    `require(${JSON.stringify(path.resolve(__dirname, "../../bin/ts-register.js"))});\n` +
      `const { startSharedProvider } = require(${JSON.stringify(path.resolve(__dirname, "../../src/terraform/provider-server.ts"))});\n` +
      `startSharedProvider(${JSON.stringify(exe)}, process.env).then((s) => { console.log(JSON.stringify(s.reattach)); setInterval(() => {}, 1000); });\n`,
  );
  const holder = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve) => holder.stdout.setEncoding("utf8").once("data", (d: string) => resolve(d)));
  const pid = (JSON.parse(line) as Record<string, { Pid: number }>)["registry.terraform.io/hashicorp/aws"]!.Pid;
  t.doesNotThrow(() => process.kill(pid, 0), "the provider runs");
  holder.kill("SIGKILL");
  let alive = true;
  for (let i = 0; i < 50 && alive; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
  }
  t.notOk(alive, "the provider stopped with it");
});
