import t from "tap";
import { protonJson } from "../../src/render";

t.test("scalars", async (t) => {
  t.equal(protonJson(null), "null");
  t.equal(protonJson(true), "true");
  t.equal(protonJson(false), "false");
  t.equal(protonJson(0), "0");
  t.equal(protonJson(-12), "-12");
  t.equal(protonJson(0.25), "0.25");
  t.equal(protonJson(8080), "8080");
  t.equal(protonJson(""), '""');
  t.throws(() => protonJson(Number.NaN), /cannot be written as JSON/);
});

t.test("strings with escapes: JSON's short escapes, Jackson's upper-case \\uXXXX", async (t) => {
  t.equal(protonJson('a "quoted" \\ back/slash'), '"a \\"quoted\\" \\\\ back/slash"');
  t.equal(protonJson("tab\tline\nfeed\rform\fback\b"), '"tab\\tline\\nfeed\\rform\\fback\\b"');
  t.equal(protonJson("\u0001\u001f"), '"\\u0001\\u001F"');
  t.equal(protonJson("\\u001f stays text"), '"\\\\u001f stays text"', "an escaped backslash before u is not a \\u escape");
  t.equal(protonJson("é ü 日本 \u2028"), '"é ü 日本 \u2028"', "non-ASCII written as is");
  t.equal(protonJson("\ud800"), '"\\uD800"', "a lone surrogate");
  t.equal(protonJson({ 'k"\n': 1 }), '{\n  "k\\"\\n" : 1\n}', "keys are escaped too");
});

t.test("objects: two-space indent, space both sides of the colon, { } when empty, insertion order", async (t) => {
  t.equal(protonJson({}), "{ }");
  t.equal(protonJson({ name: "dev" }), '{\n  "name" : "dev"\n}');
  t.equal(protonJson({ z: 1, a: 2 }), '{\n  "z" : 1,\n  "a" : 2\n}', "keys are not sorted");
  t.equal(
    protonJson({ environment: { name: "dev", inputs: { a: { b: { } } } }, empty: {} }),
    ["{", '  "environment" : {', '    "name" : "dev",', '    "inputs" : {', '      "a" : {', '        "b" : { }', "      }", "    }", "  },", '  "empty" : { }', "}"].join("\n"),
  );
});

t.test("arrays: on one line, [ ] when empty, objects inside opened in place", async (t) => {
  t.equal(protonJson([]), "[ ]");
  t.equal(protonJson([1, "a", true, null]), '[ 1, "a", true, null ]');
  t.equal(protonJson({ tags: ["menu", "orders"], none: [] }), '{\n  "tags" : [ "menu", "orders" ],\n  "none" : [ ]\n}');
  t.equal(protonJson([[1, 2], []]), "[ [ 1, 2 ], [ ] ]");
  t.equal(
    protonJson({ service_instances: [{ name: "a", inputs: {} }, { name: "b", inputs: { port: 80 } }] }),
    [
      "{",
      '  "service_instances" : [ {',
      '    "name" : "a",',
      '    "inputs" : { }',
      "  }, {",
      '    "name" : "b",',
      '    "inputs" : {',
      '      "port" : 80',
      "    }",
      "  } ]",
      "}",
    ].join("\n"),
  );
});

t.test("no newline at the end, and the text parses back to the value", async (t) => {
  const value = { a: [{ b: [1, { c: null }] }, "x"], d: { e: false, f: -1.5, g: "\u0000" }, h: {} };
  const text = protonJson(value);
  t.notOk(text.endsWith("\n"));
  t.same(JSON.parse(text), value);
});
