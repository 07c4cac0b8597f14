/** Shared fixtures for the delivery pipeline tests: application repositories and flags. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PipelineFlags } from "../../generators/pipeline/sync";

/** What the helpers need of a tap test: a teardown hook. */
export interface TestContext {
  teardown(fn: () => void): void;
}

/** The application templates with a pipeline. */
export const TEMPLATES = ["public-web-service", "private-web-service", "function-service"] as const;

/** A temporary folder removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "protonkit-pipeline-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A Node.js application checkout (a `.git` folder, `package.json`), optionally with a Dockerfile. */
export function nodeApp(t: TestContext, dockerfile: boolean, name = "app"): string {
  const repo = path.join(tempDir(t), name);
  fs.mkdirSync(path.join(repo, ".git"), { recursive: true });
  fs.writeFileSync(path.join(repo, "package.json"), `${JSON.stringify({ name: "orders", version: "1.0.0", private: true, scripts: { test: "node test.js" } }, null, 2)}\n`);
  fs.writeFileSync(path.join(repo, "test.js"), "console.log('unit tests of orders: ok');\n");
  if (dockerfile) fs.writeFileSync(path.join(repo, "Dockerfile"), "FROM node:22-alpine\nCOPY . /app\nCMD [\"node\", \"/app/index.js\"]\n");
  return repo;
}

/** Flags of a three-stage pipeline (given out of order: the generator orders by tier). */
export function flagsFor(template: string, scm: "github" | "gitlab"): PipelineFlags {
  return {
    service: "orders",
    scm,
    template,
    account: "123456789012",
    region: "eu-west-1",
    platformRepository: "acme/platform",
    unitTest: "npm test",
    stages: ["production:orders-prod:production:210987654321", "test:orders-test:test", "staging:orders-staging:staging"],
    ...(template === "function-service" ? { codeBucket: "acme-artifacts-123456789012" } : {}),
  };
}
