import { Fn, IResolvable, TerraformIterator, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { DataAwsSsmParametersByPath } from "@cdktf/provider-aws/lib/data-aws-ssm-parameters-by-path";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Input } from "../../src/authoring/inputs";
import { expr } from "../../src/authoring/refs";

/**
 * The catalog's endpoint convention, shared by every service and data template:
 *
 * - a template publishes each endpoint as a Terraform output AND as an SSM parameter
 *   `/protonkit/<environment>/<service>/<instance>/<endpoint>` ({@link publishEndpoints});
 * - a service takes the input `imports` (`<service>/<instance>` strings, {@link importsInput})
 *   and receives every endpoint the imported instances published, in the same environment, as
 *   `<SERVICE>_<INSTANCE>_<ENDPOINT>` upper-snake-cased ({@link importEndpoints}), e.g.
 *   `orders/prod` publishing `url` becomes `ORDERS_PROD_URL`;
 * - `<service>/<instance>=<PREFIX>` names the prefix instead (`orders/orders-prod=ORDERS` gives
 *   `ORDERS_URL`), so one image reads the same variable in every environment even though
 *   instance names differ per environment.
 *
 * Resolving at deploy time (not at run time) keeps workloads free of SSM permissions and makes
 * a missing dependency fail the deployment, not the first request.
 */

/** Root of every published endpoint parameter. */
export const ENDPOINT_ROOT = "/protonkit";

/** `<service>/<instance>`, both Proton resource names, optionally `=<PREFIX>` for the variable names. */
export const IMPORT_PATTERN = "^[0-9A-Za-z][0-9A-Za-z_-]*/[0-9A-Za-z][0-9A-Za-z_-]*(=[A-Z][A-Z0-9_]*)?$";

/** The names an instance's endpoints live under (a service's `context` has them). */
export interface EndpointOwner {
  /** `var.environment.name`. */
  readonly environmentName: string;
  /** `var.service.name`. */
  readonly serviceName: string;
  /** `var.service_instance.name`. */
  readonly instanceName: string;
}

/** The `imports` input every service template declares, identical everywhere. */
export const importsInput = Input.array(
  { type: "string", pattern: IMPORT_PATTERN, maxLength: 250 },
  {
    title: "Imported endpoints",
    description:
      "Service instances in the same environment whose endpoints this instance receives, as <service>/<instance>. " +
      "Each published endpoint arrives as the environment variable <SERVICE>_<INSTANCE>_<ENDPOINT> (upper case, " +
      "non-alphanumerics become _), e.g. orders/prod publishing url gives ORDERS_PROD_URL; " +
      "<service>/<instance>=<PREFIX> names the prefix instead (orders/orders-prod=ORDERS gives ORDERS_URL).",
    default: [],
    maxItems: 20,
  },
);

/** `/protonkit/<environment>/<service>/<instance>`: where an instance's endpoints are published. */
export function endpointPath(owner: EndpointOwner): string {
  return `${ENDPOINT_ROOT}/${owner.environmentName}/${owner.serviceName}/${owner.instanceName}`;
}

/** An endpoint published only when `enabled` (a boolean expression known at plan). */
export interface OptionalEndpoint {
  /** Whether to publish it. */
  readonly enabled: IResolvable;
  /** Its value (evaluated only when `enabled`; wrap it in `try` if it may not exist). */
  readonly value: string;
}

/**
 * Publishes endpoints as SSM String parameters under {@link endpointPath}, one parameter per
 * endpoint (`for_each` over the endpoint names, so adding one later does not move the others).
 * Endpoint names are lower snake case: they become the last part of importers' variable names.
 * `optional` endpoints (default none) are published only when their `enabled` holds.
 */
export function publishEndpoints(
  scope: Construct,
  owner: EndpointOwner,
  endpoints: Readonly<Record<string, string>>,
  optional: Readonly<Record<string, OptionalEndpoint>> = {},
): SsmParameter {
  for (const name of [...Object.keys(endpoints), ...Object.keys(optional)]) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`endpoint name "${name}" must be lower snake case`);
  }
  const extra = Object.entries(optional).map(([name, e]) => Fn.conditional(e.enabled, { [name]: e.value }, {}));
  const all = extra.length === 0 ? endpoints : Fn.merge([endpoints, ...extra]);
  const each = TerraformIterator.fromMap(all);
  return new SsmParameter(scope, "endpoints", {
    forEach: each,
    name: `${endpointPath(owner)}/${each.key}`,
    description: `protonkit endpoint ${each.key} of ${owner.serviceName}/${owner.instanceName}`,
    type: "String",
    value: Token.asString(each.value),
  });
}

/**
 * Reads the endpoints of every imported instance (one `aws_ssm_parameters_by_path` per import,
 * failing the plan when an import published nothing) and returns them as a map of environment
 * variable names to values.
 */
export function importEndpoints(scope: Construct, owner: Pick<EndpointOwner, "environmentName">, imports: string[]): Record<string, string> {
  const each = TerraformIterator.fromList(imports); // for_each over a list becomes toset(...)
  const found = new DataAwsSsmParametersByPath(scope, "imports", {
    forEach: each,
    path: `${ENDPOINT_ROOT}/${owner.environmentName}/${Fn.element(Fn.split("=", Token.asString(each.value)), 0)}`,
    recursive: false,
    lifecycle: {
      postcondition: [
        {
          condition: expr("length(self.names) > 0"),
          errorMessage: `An imported instance published no endpoints under ${ENDPOINT_ROOT}/<environment>/<service>/<instance>: check the imports input and deploy the imported instance first.`,
        },
      ],
    },
  });
  const address = `data.${found.terraformResourceType}.${found.friendlyUniqueId}`;
  // format() rather than "${...}" inside the expression: the string stays one HCL token.
  const variables = new TerraformLocal(
    scope,
    "imported_endpoints",
    expr(
      `merge([for key, found in ${address} : { for i, name in found.names : ` +
        `format("%s_%s", length(split("=", key)) > 1 ? split("=", key)[1] : upper(replace(key, "/[^0-9A-Za-z]+/", "_")), ` +
        `upper(replace(basename(name), "/[^0-9A-Za-z]+/", "_"))) => found.values[i] }]...)`,
    ),
  );
  return variables.asStringMap;
}
