/** Shared fixtures for the workflow generator tests. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import type { WorkflowSettingsInput } from "../../generators/workflow/settings";

/** A toolkit commit used as `toolkit_ref` throughout the tests. */
export const TOOLKIT_REF = "0123456789abcdef0123456789abcdef01234567";

/** Settings the tests initialise repositories with. */
export const SETTINGS: WorkflowSettingsInput = { repository: "acme/provisioning", toolkit_repository: "acme/protonkit", toolkit_ref: TOOLKIT_REF };

/** What the helpers need of a tap test: a teardown hook. */
export interface TestContext {
  teardown(fn: () => void): void;
}

/** A fresh empty "git checkout" (a folder with a `.git` folder), removed after the test. */
export function tempRepo(t: TestContext, name = "prov"): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-workflow-"));
  const repo = path.join(base, name);
  fs.mkdirSync(path.join(repo, ".git"), { recursive: true });
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  return repo;
}

/** Every file under `root` (except `.git`) with its content, sorted by path. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === ".git") continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(root, full).split(path.sep).join("/")] = fs.readFileSync(full, "utf8");
    }
  };
  walk(root);
  return out;
}

/** A step of a parsed workflow job. */
export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly "working-directory"?: string;
}

/** A job of a parsed workflow. */
export interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: { group: string; "cancel-in-progress"?: boolean | string };
  readonly strategy?: { "fail-fast"?: boolean; "max-parallel"?: number; matrix?: unknown };
  readonly environment?: string;
  readonly uses?: string;
  readonly secrets?: string;
  readonly env?: Record<string, unknown>;
  readonly outputs?: Record<string, string>;
  readonly steps: readonly Step[];
}

/** A parsed workflow, as far as the tests look at it. */
export interface Workflow {
  readonly name?: string;
  readonly on: Record<string, { branches?: string[]; paths?: string[] } | null | Record<string, never>>;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; "cancel-in-progress"?: boolean | string };
  readonly env?: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

/** Parses workflow YAML into {@link Workflow}. */
export function parseWorkflowYaml(text: string): Workflow {
  return parse(text) as Workflow;
}

/** Every step of every job, with its job id. */
export function allSteps(wf: Workflow): { job: string; step: Step }[] {
  return Object.entries(wf.jobs).flatMap(([job, j]) => j.steps.map((step) => ({ job, step })));
}

/**
 * Contexts whose values an outside contributor controls (GitHub's hardening guide and
 * actionlint's list): never to be interpolated into a script.
 */
export const UNTRUSTED = [
  /github\.event\.issue\.(title|body)/,
  /github\.event\.pull_request\.(title|body)/,
  /github\.event\.pull_request\.head\.(ref|label)/,
  /github\.event\.pull_request\.head\.repo\.default_branch/,
  /github\.event\.comment\.body/,
  /github\.event\.review\.body/,
  /github\.event\.review_comment\.body/,
  /github\.event\.pages\.[^.]+\.page_name/,
  /github\.event\.commits\.[^.]+\.(message|author\.(email|name))/,
  /github\.event\.head_commit\.(message|author\.(email|name))/,
  /github\.head_ref/,
  /github\.event\.workflow_run\.head_branch/,
];

/**
 * Security findings in a parsed workflow: every `${{ }}` inside a `run:` script, and every
 * untrusted context used anywhere in a script. Empty for a safe workflow.
 */
export function scriptInjectionFindings(wf: Workflow): string[] {
  const findings: string[] = [];
  for (const { job, step } of allSteps(wf)) {
    if (step.run === undefined) continue;
    if (step.run.includes("${{")) findings.push(`${job}/${step.name ?? step.id ?? "?"}: expression inside run`);
    for (const re of UNTRUSTED) if (re.test(step.run)) findings.push(`${job}/${step.name ?? "?"}: untrusted ${re.source}`);
  }
  return findings;
}
