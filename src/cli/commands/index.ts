import { Help, type Command } from "commander";

/** A module that adds one command (with its subcommands) to the CLI. */
export type CommandModule = (program: Command) => void;

/**
 * One top-level command: what `protonkit --help` lists without loading it, and how to load it.
 * Commands load lazily: `protonkit --help` needs none of them, `protonkit render` only render's
 * module (and not cdktf, the AWS SDK or the provisioning code). test/cli.test.ts checks that
 * `term` and `description` match what the loaded module registers.
 */
export interface CommandEntry {
  /** The command's name, as typed. */
  readonly name: string;
  /** How `protonkit --help` shows it, e.g. `render [options]`. */
  readonly term: string;
  /** The command's description, exactly as its module registers it. */
  readonly description: string;
  /** Loads the module and returns its registrar. */
  readonly load: () => CommandModule;
}

// One entry per command (a group that several modules fill loads them all); each file owns
// its command and its options. `require` (not
// `import()`) keeps loading synchronous, so building the program stays synchronous.
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "synth",
    term: "synth [options]",
    description: "Synthesize every catalog template into versioned Proton bundles (proton-bundles/) and tarballs (dist/).",
    load: () => (require("./synth") as typeof import("./synth")).synthCommand,
  },
  {
    name: "render",
    term: "render [options]",
    description:
      "Render a spec with a Proton Terraform bundle into the directories Proton wrote: <env>/, <env>/<service>-<instance>/, " +
      "<env>/components/<component>/, <service>/pipeline/. Checks the spec against the schema and reports every problem; writes nothing on failure.",
    load: () => (require("./render") as typeof import("./render")).renderCommand,
  },
  {
    name: "workflow",
    term: "workflow",
    description: "Generate and update the GitHub Actions workflow of a provisioning repository.",
    load: () => (require("./workflow") as typeof import("./workflow")).workflowCommand,
  },
  {
    name: "test",
    term: "test [options] [template...]",
    description:
      "Render every template version with every example spec, then one terraform init (offline, no backend) and one terraform test per " +
      "template version and kind, every spec a run of its own (mocked AWS provider: the template's own .tftest.hcl files plus generated " +
      "baseline assertions on outputs and Proton tags).",
    load: () => (require("./test") as typeof import("./test")).testCommand,
  },
  {
    name: "provision",
    term: "provision",
    description:
      "Run the self-managed provisioning loop in a provisioning repository: detect changed resources, plan, apply or destroy, report to Proton.",
    load: () => (require("./provision") as typeof import("./provision")).provisionCommand,
  },
  {
    name: "platform",
    term: "platform",
    description:
      "The platform repository: desired state under platform/, rendered into Proton's provisioning layout, with recorded outputs and deployments.",
    load: () => (program) => {
      (require("./platform") as typeof import("./platform")).platformCommand(program);
      (require("./platform-ops") as typeof import("./platform-ops")).platformOpsCommand(program);
    },
  },
  {
    name: "pipeline",
    term: "pipeline",
    description: "Generate and update an application repository's delivery pipeline (GitHub Actions or GitLab CI).",
    load: () => (require("./pipeline") as typeof import("./pipeline")).pipelineCommand,
  },
  {
    name: "entitlements",
    term: "entitlements",
    description: "Team entitlements of the platform repository: pull-request checks and the generated CODEOWNERS.",
    load: () => (require("./entitlements") as typeof import("./entitlements")).entitlementsCommand,
  },
];

/** Registers every command, loading every module (tests and docs use the full tree). */
export function registerCommands(program: Command): void {
  for (const entry of COMMANDS) entry.load()(program);
}

/**
 * Registers only what `args` (the arguments after the program name) needs: the named command's
 * module, or (for help, no command or an unknown one) a light placeholder per command that
 * shows as the real one does in the command list.
 */
export function registerCommandsFor(program: Command, args: readonly string[]): void {
  const words = args.filter((a) => !a.startsWith("-"));
  const wanted = words[0] === "help" ? words[1] : words[0];
  const entry = COMMANDS.find((c) => c.name === wanted);
  if (entry) {
    entry.load()(program);
    return;
  }
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? standard.subcommandTerm(cmd) });
  for (const c of COMMANDS) program.command(c.name).description(c.description);
}
