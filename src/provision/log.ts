/**
 * Text that reaches the job log. GitHub's runner reads any log line starting with `::` as a
 * workflow command (`::error::`, `::add-mask::`, `::stop-commands::` ...), so a name taken from
 * the repository (a directory, a resource name) must never start a line of its own.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A repository-supplied name made safe for one log line: control characters become `\uXXXX` escapes. */
export function logName(text: string): string {
  return text.replace(CONTROL, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/**
 * Neutralizes workflow commands in text written to the log: a line that would start with
 * `::` (after blanks) or `##[` gets a leading space-less marker, so the runner prints it
 * instead of running it. Applied by the CLI's log sink to everything, Terraform's text included.
 */
export function neutralizeCommands(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (/^\s*(::|##\[)/.test(line) ? `» ${line}` : line))
    .join("\n");
}
