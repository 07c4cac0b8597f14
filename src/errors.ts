/**
 * Errors protonkit reports to a user. Each names where the problem is (file, field) and how
 * to fix it, so the CLI can print it without a stack trace and exit non-zero.
 */
export interface ProblemDetails {
  /**
   * File the problem is in, relative to the working directory where possible.
   * @default - no file (a flag or a value given in code)
   */
  readonly file?: string;
  /**
   * 1-based line in that file.
   * @default - not known
   */
  readonly line?: number;
  /**
   * Field path inside the file or object, e.g. `spec.instances[0].name`.
   * @default - the whole file or object
   */
  readonly field?: string;
  /**
   * What the user should do about it.
   * @default - no fix printed
   */
  readonly fix?: string;
}

/** One problem found in user input. */
export class Problem {
  constructor(
    readonly message: string,
    readonly details: ProblemDetails = {},
  ) {}

  /** `file:line: field: message (fix: ...)` on one line. */
  toString(): string {
    const { file, line, field, fix } = this.details;
    const where = file ? `${file}${line !== undefined ? `:${line}` : ""}: ` : "";
    const at = field ? `${field}: ` : "";
    return `${where}${at}${this.message}${fix ? ` (fix: ${fix})` : ""}`;
  }
}

/** A user-facing failure carrying one or more problems. The CLI prints it and exits 1. */
export class ProtonkitError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[], summary?: string) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    const body = list.map((p) => p.toString());
    super(summary ? [summary, ...body.map((b) => `  - ${b}`)].join("\n") : body.join("\n"));
    this.name = "ProtonkitError";
    this.problems = list;
  }
}

/** Shorthand for a single-problem error. */
export function fail(message: string, details: ProblemDetails = {}): never {
  throw new ProtonkitError(new Problem(message, details));
}
