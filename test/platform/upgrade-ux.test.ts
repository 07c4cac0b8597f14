// platform upgrade: comments on the edited line stay; filters naming nothing and majors that
// do not exist are errors that say what exists.
import t from "tap";
import * as fs from "node:fs";
import * as path from "node:path";
import { cli, platformCase, tmpDir, SERVICE_FILE, snapshot, publish, webBundle } from "./fixture";

const base = tmpDir(t, "protonkit-platform-upgrade-ux-");
process.env.PROTONKIT_CACHE_DIR = path.join(base, "cache");
let n = 0;

async function setup(service: string): Promise<string> {
  const { catalog, repo, state } = await platformCase(path.join(base, `case-${n++}`), { files: { "platform/services/orders.yaml": service } });
  state.files = { ...state.files, ...webBundle("# 1.1\n") };
  state.minors["web/1"] = 1;
  publish(catalog, state, "web 1.1");
  return repo;
}

t.test("the trailing comment of the edited version line stays", async (t) => {
  const repo = await setup(
    SERVICE_FILE.replace('version: "1"', 'version: "1.0"   # keep until QA signs off').replace("spec:\n  proton", 'instances:\n  orders-b:\n    version: "1.0"  # pinned for the load test\nspec:\n  proton'),
  );
  const res = await cli(repo, ["platform", "upgrade"]);
  t.equal(res.code, 0, res.err);
  const text = fs.readFileSync(path.join(repo, "platform/services/orders.yaml"), "utf8");
  t.match(text, /\nversion: "1\.1" +# keep until QA signs off\n/);
  t.match(text, /\n {4}version: "1\.1" +# pinned for the load test\n/);
});

t.test("--service, --environment, --template naming nothing: exit 1 with did-you-mean, nothing written", async (t) => {
  const repo = await setup(SERVICE_FILE.replace('version: "1"', 'version: "1.0"'));
  const before = snapshot(repo);
  const cases: [string[], string][] = [
    [["--service", "order"], 'protonkit: platform upgrade: 1 problem; nothing was changed\n  - platform/services/: --service: unknown service "order": expected one of orders (fix: did you mean orders?)\n'],
    [["--environment", "prd"], 'protonkit: platform upgrade: 1 problem; nothing was changed\n  - platform/environments/: --environment: unknown environment "prd": expected one of prod (fix: did you mean prod?)\n'],
    [["--template", "webb"], 'protonkit: platform upgrade: 1 problem; nothing was changed\n  - platform/: --template: unknown template "webb": used are env, web (fix: did you mean web?)\n'],
    [["--template", "cache"], 'protonkit: platform upgrade: 1 problem; nothing was changed\n  - platform/: --template: no environment or service uses template "cache": used are env, web (fix: name a template the desired state uses)\n'],
  ];
  for (const [args, err] of cases) {
    const res = await cli(repo, ["platform", "upgrade", ...args]);
    t.equal(res.code, 1, args.join(" "));
    t.equal(res.err, err);
    t.equal(res.out, "");
  }
  t.same(snapshot(repo), before, "nothing written");
});

t.test("--major naming an unpublished major lists the published ones, in one problem's grammar", async (t) => {
  const repo = await setup(SERVICE_FILE);
  const res = await cli(repo, ["platform", "upgrade", "--service", "orders", "--major", "2"]);
  t.equal(res.code, 1);
  t.equal(
    res.err,
    "protonkit: upgrade refused: 1 problem that no longer fits the new version; nothing was changed\n  - --major: web has no published major 2: published are 1 (fix: pass a published major of web (1), or limit the upgrade with --template, --service or --environment)\n",
  );
});
