import t from "tap";
import { scanHcl } from "../../src/terraform/hcl-scan";

t.test("finds top-level blocks with labels, bodies and lines", async (t) => {
  const body = scanHcl(`# comment with output "fake" {
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

output "a" {
  value = "}{ \${jsonencode({ x = "}" })} %{ if true }x%{ endif }"
}
/* output "b" { } */
output "c" { value = 1 }
`);
  t.same(
    body.blocks.map((b) => [b.type, b.labels, b.line]),
    [
      ["terraform", [], 2],
      ["output", ["a"], 8],
      ["output", ["c"], 12],
    ],
  );
  const req = scanHcl(scanHcl(body.blocks[0]!.body).blocks[0]!.body).attributes;
  t.same(req.map((a) => [a.name, a.expression]), [["aws", '{ source = "hashicorp/aws" }']]);
});

t.test("skips heredocs and multi-line expressions", async (t) => {
  const body = scanHcl(`locals {
  policy = <<-EOT
    output "not_a_block" {
    }
  EOT
  list = [
    "a",
    "b",
  ]
}
output "x" {
  value = local.list
}
`);
  t.same(body.blocks.map((b) => b.labels[0] ?? b.type), ["locals", "x"]);
  const locals = scanHcl(body.blocks[0]!.body).attributes;
  t.same(locals.map((a) => a.name), ["policy", "list"]);
  t.match(locals[1]!.expression, /^\[\s+"a",\s+"b",\s+\]$/);
});

t.test("reads nested blocks and attributes of a provider", async (t) => {
  const [provider] = scanHcl(`provider "aws" {
  alias  = "east" // trailing comment
  region = "us-east-1"
  default_tags {
    tags = merge({ team = "x" }, var.proton_tags)
  }
}`).blocks;
  const inner = scanHcl(provider!.body);
  t.same(inner.attributes.map((a) => [a.name, a.expression]), [
    ["alias", '"east"'],
    ["region", '"us-east-1"'],
  ]);
  t.equal(scanHcl(inner.blocks[0]!.body).attributes[0]!.expression, 'merge({ team = "x" }, var.proton_tags)');
});

t.test("escaped interpolation and comparison operators do not confuse it", async (t) => {
  const body = scanHcl(`run "r" {
  assert {
    condition     = var.x == "$\${literal}"
    error_message = "a { b"
  }
}
run "s" {}
`);
  t.same(body.blocks.map((b) => b.labels[0]), ["r", "s"]);
  const assert = scanHcl(scanHcl(body.blocks[0]!.body).blocks[0]!.body).attributes;
  t.same(assert.map((a) => a.name), ["condition", "error_message"]);
  t.equal(assert[0]!.expression, 'var.x == "$${literal}"');
});
