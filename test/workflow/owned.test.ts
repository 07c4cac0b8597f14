import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import t from "tap";
import { ownedState, sha256, stampOwned } from "../../generators/owned";
import { writeFilesAtomically } from "../../generators/write";

t.test("a stamped YAML file is pristine; any edit makes it modified", async (t) => {
  const body = "name: x\non: push\n";
  const text = stampOwned(body, "hash-comment", "written by a test");
  t.equal(text, `# protonkit-owned: written by a test (sha256:${sha256(body)})\n${body}`);
  t.same(ownedState(text), { kind: "pristine", digest: sha256(body) });
  const edited = text.replace("push", "pull_request");
  t.equal(ownedState(edited).kind, "modified");
  t.equal(ownedState(`${text}# a trailing comment\n`).kind, "modified");
});

t.test("a stamped JSON file stays valid JSON and is pristine", async (t) => {
  const body = `${JSON.stringify({ a: 1, b: [true] }, null, 2)}\n`;
  const text = stampOwned(body, "json", "written by a test");
  t.same(JSON.parse(text), { $comment: `protonkit-owned: written by a test (sha256:${sha256(body)})`, a: 1, b: [true] });
  t.equal(ownedState(text).kind, "pristine");
  t.equal(ownedState(text.replace('"a": 1', '"a": 2')).kind, "modified");
  t.throws(() => stampOwned("[]\n", "json", "x"));
  t.throws(() => stampOwned(body, "json", "two\nlines"));
});

t.test("files without a marker (or with a marker but no digest) are foreign", async (t) => {
  t.same(ownedState("name: mine\n"), { kind: "foreign" });
  t.same(ownedState("# protonkit-owned: but no digest\nname: x\n"), { kind: "foreign" });
  t.same(ownedState(""), { kind: "foreign" });
  // The marker counts only near the top: a mention deep in a file does not make it owned.
  t.same(ownedState(`a: 1\nb: 2\nc: 3\n# protonkit-owned: x (sha256:${sha256("a: 1\nb: 2\nc: 3\n")})\n`), { kind: "foreign" });
});

t.test("atomic writes: all files or, on failure, no temporary leftovers", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-write-"));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  writeFilesAtomically(root, [
    { relativePath: "a/b.txt", content: "b" },
    { relativePath: "c.txt", content: "c" },
  ]);
  t.equal(fs.readFileSync(path.join(root, "a/b.txt"), "utf8"), "b");
  t.equal(fs.readFileSync(path.join(root, "c.txt"), "utf8"), "c");

  fs.writeFileSync(path.join(root, "blocker"), "a file where a folder is needed");
  t.throws(() =>
    writeFilesAtomically(root, [
      { relativePath: "d.txt", content: "d" },
      { relativePath: "blocker/e.txt", content: "e" },
    ]),
  );
  t.notOk(fs.existsSync(path.join(root, "d.txt")), "the first file was not renamed into place");
  t.same(fs.readdirSync(root).sort(), ["a", "blocker", "c.txt"], "no temporary files left");
});
