/** ARNs of one render, all built from the same account and region. */
export class Arns {
  constructor(
    readonly account: string,
    readonly region: string,
  ) {}
  private base(resource: string): string {
    return `arn:aws:proton:${this.region}:${this.account}:${resource}`;
  }
  environment(env: string): string {
    return this.base(`environment/${env}`);
  }
  service(svc: string): string {
    return this.base(`service/${svc}`);
  }
  serviceInstance(svc: string, inst: string): string {
    return this.base(`service/${svc}/service-instance/${inst}`);
  }
  pipeline(svc: string): string {
    return this.base(`service/${svc}/pipeline`);
  }
  component(name: string): string {
    return this.base(`component/${name}`);
  }
  environmentTemplate(name: string): string {
    return this.base(`environment-template/${name}`);
  }
  serviceTemplate(name: string): string {
    return this.base(`service-template/${name}`);
  }
}
