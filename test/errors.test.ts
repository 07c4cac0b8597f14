import t from "tap";
import { Problem, ProtonkitError } from "../src/errors";

t.test("a problem names file, line, field and fix", async (t) => {
  const p = new Problem("expected integer, found string", {
    file: "specs/prod.yaml",
    line: 4,
    field: "spec.az_count",
    fix: "write a whole number",
  });
  t.equal(p.toString(), "specs/prod.yaml:4: spec.az_count: expected integer, found string (fix: write a whole number)");
});

t.test("an error with several problems lists each under the summary", async (t) => {
  const err = new ProtonkitError([new Problem("a"), new Problem("b", { field: "x" })], "2 problems");
  t.equal(err.message, "2 problems\n  - a\n  - x: b");
  t.equal(err.problems.length, 2);
});
