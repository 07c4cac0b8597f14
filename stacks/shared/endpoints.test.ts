import t from "tap";
import { App, TerraformStack } from "cdktf";
import { valueProblem } from "../../src/authoring/inputs";
import { anyExpr, expr } from "../../src/authoring/refs";
import { importEndpoints, importsInput, publishEndpoints } from "./endpoints";

const owner = { environmentName: expr("var.environment.name"), serviceName: expr("var.service.name"), instanceName: expr("var.service_instance.name") };

function stack(): TerraformStack {
  return new TerraformStack(new App({ skipValidation: true }), "s");
}

t.test("imports are <service>/<instance> Proton names", async (t) => {
  t.equal(valueProblem(importsInput, ["orders/prod", "billing-api/eu_1", "a1/b"]), undefined);
  for (const bad of [["orders"], ["orders/prod/url"], ["/prod"], ["orders/"], ["-x/prod"], ["orders prod/x"]]) {
    t.ok(valueProblem(importsInput, bad), `${JSON.stringify(bad)} is refused`);
  }
  t.same(importsInput.default, [], "no imports by default");
});

t.test("publishEndpoints writes one String parameter per endpoint under /protonkit/<environment>/<service>/<instance>, optional ones behind their condition", async (t) => {
  const s = stack();
  publishEndpoints(s, owner, { url: "https://x" }, { bucket_arn: { enabled: anyExpr("var.on"), value: "arn" } });
  const param = (s.toTerraform() as { resource: { aws_ssm_parameter: Record<string, Record<string, unknown>> } }).resource.aws_ssm_parameter.endpoints;
  t.equal(param.type, "String");
  t.equal(param.name, "/protonkit/${var.environment.name}/${var.service.name}/${var.service_instance.name}/${each.key}");
  t.equal(param.for_each, '${merge({"url" = "https://x"}, var.on ? {"bucket_arn" = "arn"} : {})}');
});

t.test("endpoint names must be lower snake case (they end importers' variable names)", async (t) => {
  t.throws(() => publishEndpoints(stack(), owner, { URL: "x" }), /lower snake case/);
  t.throws(() => publishEndpoints(stack(), owner, { "bucket-arn": "x" }), /lower snake case/);
});

t.test("importEndpoints reads each import's path and names variables <SERVICE>_<INSTANCE>_<ENDPOINT>", async (t) => {
  const s = stack();
  importEndpoints(s, owner, ["orders/prod"]);
  const tf = s.toTerraform() as {
    data: { aws_ssm_parameters_by_path: Record<string, Record<string, unknown>> };
    locals: Record<string, string>;
  };
  const data = tf.data.aws_ssm_parameters_by_path.imports;
  t.equal(data.path, '/protonkit/${var.environment.name}/${element(split("=", each.value), 0)}', "an =PREFIX suffix is not part of the path");
  t.equal(data.recursive, false);
  t.match(JSON.stringify(data.lifecycle), /length\(self\.names\) > 0/, "an import that published nothing fails the plan");
  t.match(tf.locals.imported_endpoints, 'length(split("=", key)) > 1 ? split("=", key)[1] : upper(replace(key, "/[^0-9A-Za-z]+/", "_"))', "the prefix is the =PREFIX, else SERVICE_INSTANCE");
  t.match(tf.locals.imported_endpoints, 'upper(replace(basename(name), "/[^0-9A-Za-z]+/", "_"))', "then the endpoint name");
});
