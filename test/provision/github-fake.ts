import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback GitHub REST API holding issue comments, for the sticky-comment tests. */
export interface FakeGitHub {
  readonly url: string;
  readonly comments: Map<number, { id: number; issue: number; body: string; login: string }>;
  /** Head commits of successful push runs, newest first, by workflow file. */
  readonly successfulRuns: Map<string, string[]>;
  /** Adds a comment as someone else (a forger), bypassing the API. */
  addComment(issue: number, body: string, login: string): number;
  readonly log: string[];
  /** Answer the next `count` requests with this status. */
  failNext(status: number, count?: number): void;
  /** Runs before each write is applied (to simulate a concurrent writer). */
  beforeWrite?: () => void;
  close(): Promise<void>;
  /** GitHub Deployments created, with their statuses (reporting: git mirrors). */
  readonly deployments: FakeDeployment[];
  /** Issues (drift), by number; numbers share the comments' counter. */
  readonly issues: Map<number, FakeIssue>;
  /** Opens an issue as someone else (a forger), bypassing the API. */
  addIssue(title: string, body: string, login: string, labels?: string[]): number;
  /** Pull requests associated with a commit (`GET /repos/.../commits/<sha>/pulls`), by sha. */
  readonly commitPulls: Map<string, FakePull[]>;
  /** Commit statuses posted, in order. */
  readonly statuses: Array<{ sha: string; state: string; context: string; description: string }>;
}

/** A pull request as `commits/<sha>/pulls` lists it. */
export interface FakePull {
  number: number;
  state: "open" | "closed";
  merged_at: string | null;
  merge_commit_sha: string | null;
  base: { ref: string };
  head: { sha: string };
}

/** An issue held by the fake. */
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  login: string;
  state: "open" | "closed";
  stateReason?: string;
  labels: string[];
}

/** A GitHub Deployment held by the fake. */
export interface FakeDeployment {
  id: number;
  ref: string;
  environment: string;
  task: string;
  payload: Record<string, unknown>;
  statuses: Array<{ state: string; description: string }>;
}

/** The fake's API token writes as `login` (GitHub's login for a workflow's GITHUB_TOKEN by default). */
export async function startFakeGitHub(token = "ghs_test", login = "github-actions[bot]"): Promise<FakeGitHub> {
  const comments = new Map<number, { id: number; issue: number; body: string; login: string }>();
  const log: string[] = [];
  const failures: number[] = [];
  let next = 1000;
  const successfulRuns = new Map<string, string[]>();
  const fake: FakeGitHub = {
    url: "",
    comments,
    successfulRuns,
    log,
    addComment(issue, body, who) {
      const id = next++;
      comments.set(id, { id, issue, body, login: who });
      return id;
    },
    issues: new Map(),
    addIssue(title, body, who, labels = ["protonkit-drift"]) {
      const number = next++;
      fake.issues.set(number, { number, title, body, login: who, state: "open", labels });
      return number;
    },
    deployments: [],
    commitPulls: new Map(),
    statuses: [],
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      log.push(`${req.method} ${url.pathname}${url.search}`);
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return json(401, { message: "Bad credentials" });
      const failure = failures.shift();
      if (failure) return json(failure, { message: "injected" });
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { body?: string }) : {};
      const runs = /^\/repos\/acme\/provisioning\/actions\/workflows\/([^/]+)\/runs$/.exec(url.pathname);
      if (runs && req.method === "GET") {
        const shas = url.searchParams.get("status") === "success" && url.searchParams.get("event") === "push" ? (successfulRuns.get(decodeURIComponent(runs[1])) ?? []) : [];
        return json(200, { total_count: shas.length, workflow_runs: shas.slice(0, Number(url.searchParams.get("per_page") ?? 30)).map((head_sha) => ({ head_sha })) });
      }
      const pulls = /^\/repos\/acme\/provisioning\/commits\/([0-9a-f]{40})\/pulls$/.exec(url.pathname);
      if (pulls && req.method === "GET") return json(200, fake.commitPulls.get(pulls[1]) ?? []);
      let m = /^\/repos\/acme\/provisioning\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (m && req.method === "GET") {
        const issue = Number(m[1]);
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = [...comments.values()].filter((c) => c.issue === issue).sort((a, b) => a.id - b.id);
        return json(200, all.slice((page - 1) * perPage, page * perPage).map((c) => ({ id: c.id, body: c.body, user: { login: c.login, type: c.login.endsWith("[bot]") ? "Bot" : "User" } })));
      }
      if (m && req.method === "POST") {
        fake.beforeWrite?.();
        const c = { id: next++, issue: Number(m[1]), body: String(body.body), login };
        comments.set(c.id, c);
        return json(201, { id: c.id, body: c.body });
      }
      m = /^\/repos\/acme\/provisioning\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (m) {
        const c = comments.get(Number(m[1]));
        if (!c) return json(404, { message: "Not Found" });
        if (req.method === "PATCH") {
          fake.beforeWrite?.();
          c.body = String(body.body);
          return json(200, { id: c.id, body: c.body });
        }
        if (req.method === "DELETE") {
          comments.delete(c.id);
          res.writeHead(204);
          return res.end();
        }
      }
      if (deploymentRoutes(fake, req.method ?? "GET", url, chunks, json)) return;
      if (issueRoutes(fake, login, () => next++, req.method ?? "GET", url, chunks, json)) return;
      return json(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Deployments, deployment statuses and commit statuses of acme/provisioning. */
function deploymentRoutes(fake: FakeGitHub, method: string, url: URL, chunks: Buffer[], json: (status: number, body: unknown) => void): boolean {
  const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {}) as Record<string, unknown>;
  const p = url.pathname;
  if (p === "/repos/acme/provisioning/deployments" && method === "GET") {
    const q = url.searchParams;
    const found = fake.deployments.filter((d) => (!q.get("sha") || d.ref === q.get("sha")) && (!q.get("environment") || d.environment === q.get("environment")) && (!q.get("task") || d.task === q.get("task")));
    json(200, [...found].reverse().map((d) => ({ id: d.id, ref: d.ref, environment: d.environment, task: d.task, payload: d.payload })));
    return true;
  }
  if (p === "/repos/acme/provisioning/deployments" && method === "POST") {
    const d: FakeDeployment = { id: 5000 + fake.deployments.length, ref: String(body.ref), environment: String(body.environment), task: String(body.task ?? "deploy"), payload: (body.payload ?? {}) as Record<string, unknown>, statuses: [] };
    fake.deployments.push(d);
    json(201, { id: d.id });
    return true;
  }
  let m = /^\/repos\/acme\/provisioning\/deployments\/(\d+)\/statuses$/.exec(p);
  if (m && method === "POST") {
    const d = fake.deployments.find((x) => x.id === Number(m?.[1]));
    if (!d) {
      json(404, { message: "Not Found" });
      return true;
    }
    d.statuses.push({ state: String(body.state), description: String(body.description ?? "") });
    json(201, { id: d.statuses.length });
    return true;
  }
  m = /^\/repos\/acme\/provisioning\/statuses\/([0-9a-f]{40})$/.exec(p);
  if (m && method === "POST") {
    fake.statuses.push({ sha: m[1], state: String(body.state), context: String(body.context), description: String(body.description ?? "") });
    json(201, {});
    return true;
  }
  return false;
}

/** Issues of acme/provisioning: list (state, labels, creator), create, update. */
function issueRoutes(fake: FakeGitHub, login: string, nextId: () => number, method: string, url: URL, chunks: Buffer[], json: (status: number, body: unknown) => void): boolean {
  const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {}) as Record<string, unknown>;
  const shape = (i: FakeIssue) => ({ number: i.number, title: i.title, body: i.body, state: i.state, state_reason: i.stateReason ?? null, labels: i.labels.map((name) => ({ name })), user: { login: i.login } });
  if (url.pathname === "/repos/acme/provisioning/issues" && method === "GET") {
    const q = url.searchParams;
    const state = q.get("state") ?? "open";
    const labels = (q.get("labels") ?? "").split(",").filter(Boolean);
    const perPage = Number(q.get("per_page") ?? 30);
    const page = Number(q.get("page") ?? 1);
    const found = [...fake.issues.values()]
      .filter((i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)) && (!q.get("creator") || i.login === q.get("creator")))
      .sort((a, b) => b.number - a.number);
    json(200, found.slice((page - 1) * perPage, page * perPage).map(shape));
    return true;
  }
  if (url.pathname === "/repos/acme/provisioning/issues" && method === "POST") {
    fake.beforeWrite?.();
    const i: FakeIssue = { number: nextId(), title: String(body.title), body: String(body.body ?? ""), login, state: "open", labels: Array.isArray(body.labels) ? body.labels.map(String) : [] };
    fake.issues.set(i.number, i);
    json(201, shape(i));
    return true;
  }
  const m = /^\/repos\/acme\/provisioning\/issues\/(\d+)$/.exec(url.pathname);
  if (m && method === "PATCH") {
    const i = fake.issues.get(Number(m[1]));
    if (!i) {
      json(404, { message: "Not Found" });
      return true;
    }
    fake.beforeWrite?.();
    if (typeof body.body === "string") i.body = body.body;
    if (body.state === "closed" || body.state === "open") i.state = body.state;
    if (typeof body.state_reason === "string") i.stateReason = body.state_reason;
    json(200, shape(i));
    return true;
  }
  return false;
}
