import { spawnSync } from "node:child_process";
import t from "tap";
import { scanTemplate, spaceBraces, toHcl, unwrap } from "../../src/bundle/hcl";
import { hclDifferences } from "../../src/bundle/hcl-check";
import { templateMeaning } from "../../src/bundle/hcl-meaning";

const blocks = new Set(["resource.aws_security_group.ingress", "provider.aws.default_tags", "resource.aws_lb_listener.default_action", "resource.aws_lb_listener.default_action.forward", "resource.aws_lb_listener.default_action.forward.target_group"]);

const doc = {
  terraform: { required_version: ">= 1.7.0", required_providers: { aws: { source: "hashicorp/aws", version: "~> 5.100.0" } }, backend: { s3: {} } },
  provider: { aws: [{ default_tags: [{ tags: "${var.proton_tags}" }] }] },
  resource: {
    aws_security_group: {
      web: {
        name: 'quote " backslash \\ newline \n tab \t done',
        description: "x-${var.environment.name}-$${literal}-%%{literal}",
        vpc_id: "${var.environment.outputs.vpc_id}",
        tags: { Name: "web", "proton:service": "${var.service.name}", nested: { a: 1, bbb: true } },
        ingress: [
          { from_port: 80, to_port: 80, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"], description: null },
          { from_port: 443, to_port: 443, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"], description: null },
        ],
        depends_on: ["aws_vpc.main"],
        lifecycle: { create_before_destroy: true, ignore_changes: ["tags"] },
        count: "${var.n}",
      },
    },
    aws_lb_listener: {
      http: {
        port: 80,
        default_action: [{ type: "forward", forward: { target_group: [{ arn: "${aws_lb_target_group.a.arn}", weight: 1 }] } }],
      },
    },
    aws_ssm_parameter: {
      p: { value: '${jsonencode({"a" = var.x, "b" = "${var.y}-z", "c" = [for s in var.l : {"k" = s}]})}', type: "String", name: "${var.a}${var.b}" },
    },
  },
  output: { url: { value: "${aws_lb_listener.http.arn}", description: "The URL.", sensitive: true } },
  variable: { own: { type: "string", default: "x", description: "An own variable." } },
  locals: { a: 1, b: null, c: "${var.x}" },
};

t.test("template scanning finds interpolations, directives and escapes", async (t) => {
  t.same(scanTemplate('a${f("}", {b = 1})}c$${d}%{ if x }y%{ endif }'), [
    { kind: "literal", text: "a" },
    { kind: "interpolation", text: 'f("}", {b = 1})' },
    { kind: "literal", text: "c$${d}" },
    { kind: "directive", text: " if x " },
    { kind: "literal", text: "y" },
    { kind: "directive", text: " endif " },
  ]);
  t.equal(unwrap("${var.a}"), "var.a");
  t.equal(unwrap("${var.a}${var.b}"), undefined, "two interpolations are a template, not one expression");
  t.equal(unwrap("x${var.a}"), undefined);
  t.throws(() => scanTemplate("${var.a"), /unterminated interpolation/);
});

t.test("object braces are spaced as terraform fmt does, strings untouched", async (t) => {
  t.equal(spaceBraces('jsonencode({"a" = "{x}", "b" = {}})'), 'jsonencode({ "a" = "{x}", "b" = {} })');
});

t.test("the parse-back check compares meaning, not spelling", async (t) => {
  const same = (a: string, b: string) => t.equal(templateMeaning(a), templateMeaning(b), `${a} means ${b}`);
  same("${f( a , b )} keep  spaces", "${f(a,b)} keep  spaces");
  t.not(templateMeaning("${f(a)} keep  spaces"), templateMeaning("${f(a)} keep spaces"), "literal text keeps its spaces");
  // @cdktf/hcl2json reads a conditional inside a string back as a directive.
  same('svc-${var.x ? "a" : "b"}', "svc-%{if var.x}a%{else}b%{endif}");
  same('svc-${var.y ? var.z : ""}', "svc-%{if var.y}${var.z}%{endif}");
  same('x-${var.q == "1" ? "on\\"x" : var.w}', 'x-%{if var.q == "1"}on"x%{else}${var.w}%{endif}');
  same('${a ? "p-${b ? "1" : "2"}" : "q"}-z', "%{if a}p-%{if b}1%{else}2%{endif}%{else}q%{endif}-z");
  t.not(templateMeaning('svc-${var.x ? "a" : "b"}'), templateMeaning("svc-%{if var.x}b%{else}a%{endif}"), "branches matter");
  // Layout: an expression laid over several lines, as the HCL writer does for long literals.
  same('${jsonencode({"a" = 1, "b" = ["x", "y"]})}', '${jsonencode({\n  "a" = 1\n  "b" = [\n    "x",\n    "y",\n  ]\n})}');
  t.not(templateMeaning('${jsonencode({"a" = 1, "b" = 2})}'), templateMeaning('${jsonencode({"a" = 1, "b" = 3})}'));
});

t.test("a conditional inside a string passes the parse-back check", async (t) => {
  const withConditional = { resource: { aws_s3_bucket: { b: { bucket: 'logs-${var.environment.outputs.tier == "production" ? "keep" : "drop"}-${var.service.name}', tags: { Mode: 'm-${var.x ? "a" : ""}' } } } } };
  const hcl = toHcl(withConditional, new Set());
  t.match(hcl, /bucket = "logs-\$\{var\.environment\.outputs\.tier == "production" \? "keep" : "drop"\}-\$\{var\.service\.name\}"/);
  t.same(await hclDifferences("x.tf", hcl, withConditional, new Set()), []);
});

t.test("HCL output is what terraform fmt leaves, and parses back to the same meaning", async (t) => {
  const hcl = toHcl(doc, blocks);
  t.matchSnapshot(hcl, "rendered HCL");
  t.match(hcl, /ingress \{\n    cidr_blocks = \["0\.0\.0\.0\/0"\]\n    from_port   = 80/, "blocks are blocks, attributes aligned");
  t.match(hcl, /depends_on +\= \[aws_vpc\.main\]/, "meta-argument references are bare");
  t.match(hcl, /type        = string/, "variable types are bare");
  t.notMatch(hcl, /description = null/, "null block attributes are left out");
  t.same(await hclDifferences("x.tf", hcl, doc, blocks), []);
  const fmt = spawnSync("terraform", ["fmt", "-no-color", "-"], { input: hcl, encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "" } });
  t.equal(fmt.status, 0, fmt.stderr);
  t.equal(fmt.stdout, hcl, "terraform fmt changes nothing");
});

t.test("the parse-back check catches HCL that means something else", async (t) => {
  const hcl = toHcl(doc, blocks).replace('"proton:service" = var.service.name', '"proton:service" = var.service.id').replace("port = 80", "port = 81");
  const diffs = await hclDifferences("x.tf", hcl, doc, blocks);
  t.ok(diffs.some((d) => d.includes("proton:service")), diffs.join("\n"));
  t.ok(diffs.some((d) => d.includes("resource.aws_lb_listener.http[0].port")), diffs.join("\n"));
});

t.test("unsupported top-level keys are refused", async (t) => {
  t.throws(() => toHcl({ moved: {} }, blocks), /unsupported top-level key "moved"/);
});

t.test("long object and list literals are laid out over several lines, terraform fmt clean, meaning kept", async (t) => {
  const policy =
    '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Sid" = "ReadBucket", "Effect" = "Allow", "Action" = ["s3:GetObject", "s3:ListBucket"], "Resource" = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"], "Condition" = {"Bool" = {"aws:SecureTransport" = "true"}}}, {"Effect" = "Allow", "Action" = "kms:Decrypt", "Resource" = "*"}]})}';
  const long = {
    resource: {
      aws_iam_policy: { p: { name: "p", policy: policy } },
      aws_ssm_parameter: {
        q: {
          name: "q",
          value: '${join(",", concat(["alpha-one-two-three", "beta-four-five-six", "gamma-seven-eight-nine"], [for s in var.list : upper(s)]))}',
          type: "${var.short}",
        },
      },
    },
    locals: { endpoints: '${merge([for key, found in data.aws_ssm_parameters_by_path.imports : {for i, name in found.names : format("%s_%s", upper(key), upper(replace(basename(name), "/[^0-9A-Za-z]+/", "_"))) => found.values[i]}]...)}' },
  };
  const hcl = toHcl(long, new Set());
  t.matchSnapshot(hcl, "laid-out HCL");
  t.match(hcl, /policy = jsonencode\(\{\n    "Version" = "2012-10-17"\n    "Statement" = \[\n      \{\n        "Sid"       = "ReadBucket"\n        "Effect"    = "Allow"/, "one key per line, aligned");
  t.match(hcl, /\n  \}\)\n/, "the only argument hugs: }) closes jsonencode({");
  t.match(hcl, /\n  type = var\.short\n/, "short values stay on one line");
  t.ok(hcl.split("\n").every((l) => l.length <= 100), "no line over 100 characters");
  t.same(await hclDifferences("x.tf", hcl, long, new Set()), [], "parses back to the same meaning");
  const fmt = spawnSync("terraform", ["fmt", "-check", "-no-color", "-"], { input: hcl, encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "", CHECKPOINT_DISABLE: "1" } });
  t.equal(fmt.status, 0, `terraform fmt -check: ${fmt.stdout}${fmt.stderr}`);
  const reformatted = spawnSync("terraform", ["fmt", "-no-color", "-"], { input: hcl, encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "", CHECKPOINT_DISABLE: "1" } });
  t.equal(reformatted.stdout, hcl, "terraform fmt changes nothing");
});
