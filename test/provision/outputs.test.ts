import t from "tap";
import { ProtonkitError } from "../../src/errors";
import { describeSkipped, encodeOutputs, encodeValue, type TerraformOutput } from "../../src/provision/outputs";

t.test("value encoding table", async (t) => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ["string as is", "vpc-123", "vpc-123"],
    ["string with spaces and newlines", "a b\nc", "a b\nc"],
    ["string that looks like JSON stays as is", '{"a":1}', '{"a":1}'],
    ["empty string", "", ""],
    ["integer", 3, "3"],
    ["float", 2.5, "2.5"],
    ["negative", -1, "-1"],
    ["zero", 0, "0"],
    ["true", true, "true"],
    ["false", false, "false"],
    ["null", null, undefined],
    ["list", ["a", "b"], '["a","b"]'],
    ["empty list", [], "[]"],
    ["tuple of mixed", ["a", 1, true], '["a",1,true]'],
    ["map", { b: "2", a: "1" }, '{"b":"2","a":"1"}'],
    ["empty map", {}, "{}"],
    ["nested object", { subnets: ["s-1"], n: { x: null } }, '{"subnets":["s-1"],"n":{"x":null}}'],
  ];
  for (const [name, value, want] of cases) t.equal(encodeValue(value), want, name);
});

t.test("outputs: sorted, empty and null skipped, sensitive skipped unless opted in", async (t) => {
  const tf: Record<string, TerraformOutput> = {
    vpc_id: { value: "vpc-1", type: "string" },
    az_count: { value: 3, type: "number" },
    public: { value: false, type: "bool" },
    subnets: { value: ["a", "b"], type: ["list", "string"] },
    empty: { value: "", type: "string" },
    nothing: { value: null, type: "dynamic" },
    db_password: { value: "hunter2", type: "string", sensitive: true },
  };
  const r = encodeOutputs(tf);
  t.same(r.outputs, [
    { key: "az_count", valueString: "3" },
    { key: "public", valueString: "false" },
    { key: "subnets", valueString: '["a","b"]' },
    { key: "vpc_id", valueString: "vpc-1" },
  ]);
  t.same(r.skipped, [
    { key: "db_password", reason: "sensitive" },
    { key: "empty", reason: "empty" },
    { key: "nothing", reason: "null" },
  ]);
  const line = describeSkipped(r.skipped);
  t.match(line, /sensitive, not reported .*db_password/);
  t.notMatch(line, /hunter2/, "the log line never carries a value");
  const opted = encodeOutputs(tf, { includeSensitive: true });
  t.same(opted.outputs.find((o) => o.key === "db_password"), { key: "db_password", valueString: "hunter2" });
  t.equal(describeSkipped([]), "");
  t.same(encodeOutputs({}), { outputs: [], skipped: [] });
});

t.test("limits: 50 outputs, 1024-character keys and values, each failure names the output", async (t) => {
  const fifty: Record<string, TerraformOutput> = {};
  for (let i = 0; i < 50; i++) fifty[`o${String(i).padStart(2, "0")}`] = { value: `v${i}` };
  t.equal(encodeOutputs(fifty).outputs.length, 50, "exactly 50 is fine");
  t.equal(encodeOutputs({ ...fifty, skipped: { value: "" } }).outputs.length, 50, "skipped ones do not count");
  const fiftyOne = { ...fifty, o50: { value: "x" } };
  t.throws(() => encodeOutputs(fiftyOne), { message: /outputs: 51 outputs to report; Proton accepts at most 50 \(outputs: o00, .*o50\)/ });

  t.equal(encodeOutputs({ k: { value: "x".repeat(1024) } }).outputs[0].valueString.length, 1024, "1024 is fine");
  const long = t.throws(() => encodeOutputs({ policy: { value: "x".repeat(1025) }, ok: { value: "y" } })) as ProtonkitError;
  t.ok(long instanceof ProtonkitError);
  t.equal(long.problems.length, 1);
  t.match(long.problems[0].toString(), /^output "policy": value is 1025 characters long once encoded; Proton accepts at most 1024/);
  t.throws(() => encodeOutputs({ list: { value: Array.from({ length: 300 }, () => "abcd") } }), { message: /output "list": value is \d+ characters long once encoded/ });
  const secretLong = t.throws(() => encodeOutputs({ cert: { value: "S".repeat(2000), sensitive: true } }, { includeSensitive: true })) as ProtonkitError;
  t.notMatch(secretLong.message, /SSSS/, "a failing sensitive value is never printed");

  const key = "k".repeat(1025);
  t.throws(() => encodeOutputs({ [key]: { value: "v" } }), { message: /output name is 1025 characters long/ });
  t.equal(encodeOutputs({ ["k".repeat(1024)]: { value: "v" } }).outputs.length, 1);
});
