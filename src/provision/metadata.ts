import { Problem, ProtonkitError } from "../errors";
import type { ArnResourceKind } from "../proton/contract";
import { NAME } from "../proton/names";

/** Where Proton records a deployment, relative to the resource directory. */
export const METADATA_FILE = ".proton/deployment-metadata.json";

/** The deploymentId Proton writes (from 2023) once the resource is deleted. */
export const DELETED_DEPLOYMENT_ID = "<proton-resource-deleted>";


/** A Proton resource ARN taken apart. */
export interface ProtonArn {
  /** The ARN as written. */
  readonly arn: string;
  /** Region of the Proton resource (where the API must be called). */
  readonly region: string;
  /** AWS account id. */
  readonly account: string;
  /** Resource kind. */
  readonly kind: ArnResourceKind;
  /** Resource name: environment, instance, service (pipelines) or component name. */
  readonly name: string;
  /** Service name for service instances and pipelines, else "". */
  readonly service: string;
}

/** The fields of `.proton/deployment-metadata.json` protonkit acts on. */
export interface DeploymentMetadata {
  /** The deployment id: a UUID, `<proton-resource-deleted>`, or absent. */
  readonly deploymentId?: string;
  /** True once the resource was deleted in Proton: the automation must destroy it. */
  readonly isResourceDeleted: boolean;
  /** The resource ARN (resourceMetadata.arn or componentMetadata.arn). */
  readonly arn: ProtonArn;
  /** The environment ARN of a service instance or component, when written. */
  readonly environmentArn?: ProtonArn;
  /** The template ARN, when written. */
  readonly templateArn?: string;
  /** Template version `major.minor`, when written. */
  readonly templateVersion?: string;
}

// The API accepts lowercase hex only (its documented pattern); Proton writes lowercase.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `s` has the UUID shape the Proton API accepts as deploymentId. */
export function isUuid(s: string | undefined): s is string {
  return s !== undefined && UUID.test(s);
}

const ARN = /^arn:(aws[a-z-]*):proton:([a-z0-9-]+):([0-9]{12}):(.+)$/;
const RESOURCE_FORMS: ReadonlyArray<{ re: RegExp; kind: ArnResourceKind }> = [
  { re: new RegExp(`^environment/(${NAME})$`), kind: "environment" },
  { re: new RegExp(`^service/(${NAME})/service-instance/(${NAME})$`), kind: "service-instance" },
  { re: new RegExp(`^service/(${NAME})/pipeline(?:/.*)?$`), kind: "pipeline" },
  { re: new RegExp(`^component/(${NAME})$`), kind: "component" },
];

/** Parses a Proton ARN, or returns a message saying why it is not one. */
export function parseProtonArn(arn: string): ProtonArn | string {
  const m = ARN.exec(arn);
  if (!m) return `"${arn}" is not a Proton ARN (arn:aws:proton:<region>:<account>:<resource>)`;
  const [, , region, account, resource] = m;
  for (const form of RESOURCE_FORMS) {
    const r = form.re.exec(resource);
    if (!r) continue;
    switch (form.kind) {
      case "service-instance":
        return { arn, region, account, kind: form.kind, service: r[1], name: r[2] };
      case "pipeline":
        return { arn, region, account, kind: form.kind, service: r[1], name: r[1] };
      default:
        return { arn, region, account, kind: form.kind, service: "", name: r[1] };
    }
  }
  return `"${arn}" names no resource protonkit provisions (environment/<env>, service/<svc>/service-instance/<inst>, service/<svc>/pipeline, component/<name>)`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses and checks a deployment metadata file. `file` names it in messages. Throws a
 * `ProtonkitError` listing every problem found.
 */
export function parseDeploymentMetadata(text: string, file: string): DeploymentMetadata {
  const fix = "let Proton (or protonkit render) rewrite the file; it is generated, not hand-written";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ProtonkitError(new Problem(`not valid JSON: ${(err as Error).message}`, { file, fix }));
  }
  if (!isRecord(data)) throw new ProtonkitError(new Problem("must be a JSON object", { file, fix }));
  const problems: Problem[] = [];
  const { deploymentId, isResourceDeleted } = data;
  if (deploymentId !== undefined && typeof deploymentId !== "string") {
    problems.push(new Problem("must be a string", { file, field: "deploymentId", fix }));
  }
  if (isResourceDeleted !== undefined && typeof isResourceDeleted !== "boolean") {
    problems.push(new Problem("must be true or false", { file, field: "isResourceDeleted", fix }));
  }
  const section = isRecord(data.componentMetadata) ? "componentMetadata" : "resourceMetadata";
  const meta = data[section];
  let arn: ProtonArn | undefined;
  let environmentArn: ProtonArn | undefined;
  let templateArn: string | undefined;
  let templateVersion: string | undefined;
  if (!isRecord(meta)) {
    problems.push(new Problem("is missing (neither resourceMetadata nor componentMetadata is an object)", { file, field: "resourceMetadata", fix }));
  } else {
    if (typeof meta.arn !== "string" || meta.arn === "") {
      problems.push(new Problem("is required (the resource ARN)", { file, field: `${section}.arn`, fix }));
    } else {
      const parsed = parseProtonArn(meta.arn);
      if (typeof parsed === "string") problems.push(new Problem(parsed, { file, field: `${section}.arn`, fix }));
      else arn = parsed;
    }
    if (meta.environmentArn !== undefined) {
      const parsed = typeof meta.environmentArn === "string" ? parseProtonArn(meta.environmentArn) : "must be a string";
      if (typeof parsed === "string") problems.push(new Problem(parsed, { file, field: `${section}.environmentArn`, fix }));
      else if (parsed.kind !== "environment") {
        problems.push(new Problem(`"${parsed.arn}" is not an environment ARN`, { file, field: `${section}.environmentArn`, fix }));
      } else environmentArn = parsed;
    }
    if (typeof meta.templateArn === "string") templateArn = meta.templateArn;
    if (meta.templateMajorVersion !== undefined) {
      templateVersion = `${String(meta.templateMajorVersion)}.${String(meta.templateMinorVersion ?? "0")}`;
    }
  }
  if (problems.length > 0 || !arn) throw new ProtonkitError(problems, `${file}: malformed deployment metadata`);
  return {
    deploymentId: typeof deploymentId === "string" ? deploymentId : undefined,
    isResourceDeleted: isResourceDeleted === true,
    arn,
    environmentArn,
    templateArn,
    templateVersion,
  };
}
