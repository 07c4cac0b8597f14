/**
 * Proton's provisioning-repository layout: the directory each rendered resource goes to,
 * relative to the repository root. One place, so the renderer and whoever maps directories back
 * to their service (CODEOWNERS) agree.
 */

/** An environment: `<environment>`. */
export function environmentDir(environment: string): string {
  return environment;
}

/** A service instance: `<environment>/<service>-<instance>`. */
export function serviceInstanceDir(environment: string, service: string, instance: string): string {
  return `${environment}/${service}-${instance}`;
}

/** A service pipeline: `<service>/pipeline`. */
export function pipelineDir(service: string): string {
  return `${service}/pipeline`;
}

/** A component, attached to an instance in `environment`: `<environment>/components/<component>`. */
export function componentDir(environment: string, component: string): string {
  return `${environment}/components/${component}`;
}
