import { Command, CommanderError } from "commander";
import { ProtonkitError } from "../errors";
import { registerCommands, registerCommandsFor } from "./commands";

function newProgram(): Command {
  return new Command("protonkit")
    .description("Author, render, test and provision AWS Proton Terraform templates with CDK for Terraform.")
    .showHelpAfterError()
    .exitOverride();
}

/** Builds the whole `protonkit` command tree, loading every command. Exported for tests and docs generation. */
export function buildProgram(): Command {
  const program = newProgram();
  registerCommands(program);
  return program;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and resolves to the exit code. Only the
 * command being run is loaded (see `registerCommandsFor`), so `--help` starts in a blink.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = newProgram();
  registerCommandsFor(program, argv.slice(2));
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit with 0; usage errors were already printed by commander.
      return err.exitCode;
    }
    if (err instanceof ProtonkitError) {
      process.stderr.write(`protonkit: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
