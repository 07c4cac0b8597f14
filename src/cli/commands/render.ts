import * as path from "node:path";
import type { Command } from "commander";
import { Problem, ProtonkitError } from "../../errors";
import type { DeploymentContext } from "../../render";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, contextProblems, loadContextFile, render } from "../../render";
import type { CommandModule } from "./index";

/** Options of `protonkit render`, as commander parses them. */
interface RenderFlags {
  bundle: string;
  spec: string;
  name: string;
  out: string;
  context?: string;
  accountId?: string;
  region?: string;
  deploymentId?: string;
  templateMinor?: string;
  deleted?: boolean;
  instance?: string[];
  pipeline?: boolean;
}

/** Context file first, then flags on top: a flag always wins. */
function contextFrom(flags: RenderFlags): DeploymentContext {
  const base: DeploymentContext = flags.context ? loadContextFile(flags.context) : {};
  let minor: number | undefined;
  if (flags.templateMinor !== undefined) {
    minor = Number(flags.templateMinor);
    if (!/^\d+$/.test(flags.templateMinor)) {
      throw new ProtonkitError(new Problem(`expected a non-negative integer, found ${JSON.stringify(flags.templateMinor)}`, { field: "--template-minor" }));
    }
  }
  const merged: DeploymentContext = {
    ...base,
    ...(flags.accountId !== undefined ? { account_id: flags.accountId } : {}),
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.deploymentId !== undefined ? { deployment_id: flags.deploymentId } : {}),
    ...(minor !== undefined ? { template_minor: minor } : {}),
    ...(flags.deleted ? { deleted: true } : {}),
  };
  // Name the flag, not the context field, when a flag value is wrong.
  const flagFor = (field: string | undefined): string | undefined => {
    if (field === "context.account_id" && flags.accountId !== undefined) return "--account-id";
    if (field === "context.region" && flags.region !== undefined) return "--region";
    if (field === "context.deployment_id" && flags.deploymentId !== undefined) return "--deployment-id";
    return undefined;
  };
  const problems = contextProblems(merged).map((p) => {
    const flag = flagFor(p.details.field);
    return flag ? new Problem(p.message, { field: flag, fix: p.details.fix }) : p;
  });
  if (problems.length > 0) throw new ProtonkitError(problems, `invalid deployment context; nothing was written`);
  return merged;
}

/** `protonkit render`: renders a spec with a bundle into a provisioning repository layout. */
export const renderCommand: CommandModule = (program: Command) => {
  program
    .command("render")
    .description(
      "Render a spec with a Proton Terraform bundle into the directories Proton wrote: <env>/, <env>/<service>-<instance>/, " +
        "<env>/components/<component>/, <service>/pipeline/. Checks the spec against the schema and reports every problem; writes nothing on failure.",
    )
    .requiredOption("--bundle <dir>", "the bundle's <template>/v<major> folder (template-sync layout)")
    .requiredOption("--spec <file>", "a proton: EnvironmentSpec or proton: ServiceSpec file")
    .requiredOption("--name <name>", "environment name (environment bundle) or service name (service or component bundle)")
    .requiredOption("--out <dir>", "root of the provisioning repository to write into")
    .option("--context <file>", "deployment context (YAML or JSON): account_id, region, environments, service, components, instance_outputs, deployment_id, template_minor, deleted")
    .option("--account-id <id>", `management account for ARNs and proton:account (default "${DEFAULT_ACCOUNT_ID}", fit for local rendering only)`)
    .option("--region <region>", `region for ARNs (default "${DEFAULT_REGION}", fit for local rendering only)`)
    .option("--deployment-id <uuid>", "deployment id for every rendered resource (default: a UUID derived from the resource ARN and the rendered content)")
    .option("--template-minor <n>", "template minor version (default: the bundles root's protonkit.lock.json, else 0)")
    .option("--deleted", "render a deletion: isResourceDeleted true, deploymentId <proton-resource-deleted>, deletion headers")
    .option("--instance <name...>", "service specs: render only these instances")
    .option("--pipeline", "with --instance: render the pipeline too")
    .action((flags: RenderFlags) => {
      const written = render({
        bundleDir: flags.bundle,
        specFile: flags.spec,
        name: flags.name,
        outDir: flags.out,
        context: contextFrom(flags),
        instances: flags.instance,
        pipeline: flags.pipeline,
      });
      for (const r of written) process.stdout.write(`wrote ${path.join(flags.out, ...r.relativeDir.split("/"))}/ (${r.kind} ${r.name})\n`);
    });
};
