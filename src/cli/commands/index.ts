import type { Command } from "commander";
import { synthCommand } from "./synth";
import { renderCommand } from "./render";
import { workflowCommand } from "./workflow";
import { testCommand } from "./test";
import { provisionCommand } from "./provision";
import { platformCommand } from "./platform";
import { platformOpsCommand } from "./platform-ops";

/** A module that adds one command (with its subcommands) to the CLI. */
export type CommandModule = (program: Command) => void;

// One line per command module; each file owns its command and its options.
const modules: CommandModule[] = [
  synthCommand,
  renderCommand,
  workflowCommand,
  testCommand,
  provisionCommand,
  platformCommand,
  platformOpsCommand,
];

export function registerCommands(program: Command): void {
  for (const register of modules) register(program);
}
