import { Command, CommanderError } from "commander";
import { ProtonkitError } from "../errors";
import { registerCommands } from "./commands";

/** Builds the `protonkit` command tree. Exported for tests and docs generation. */
export function buildProgram(): Command {
  const program = new Command("protonkit")
    .description("Author, render, test and provision AWS Proton Terraform templates with CDK for Terraform.")
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI with `argv` (as in `process.argv`) and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
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
