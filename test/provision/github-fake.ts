import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback GitHub REST API holding issue comments, for the sticky-comment tests. */
export interface FakeGitHub {
  readonly url: string;
  readonly comments: Map<number, { id: number; issue: number; body: string; login: string }>;
  /** Adds a comment as someone else (a forger), bypassing the API. */
  addComment(issue: number, body: string, login: string): number;
  readonly log: string[];
  /** Answer the next `count` requests with this status. */
  failNext(status: number, count?: number): void;
  /** Runs before each write is applied (to simulate a concurrent writer). */
  beforeWrite?: () => void;
  close(): Promise<void>;
}

/** The fake's API token writes as `login` (GitHub's login for a workflow's GITHUB_TOKEN by default). */
export async function startFakeGitHub(token = "ghs_test", login = "github-actions[bot]"): Promise<FakeGitHub> {
  const comments = new Map<number, { id: number; issue: number; body: string; login: string }>();
  const log: string[] = [];
  const failures: number[] = [];
  let next = 1000;
  const fake: FakeGitHub = {
    url: "",
    comments,
    log,
    addComment(issue, body, who) {
      const id = next++;
      comments.set(id, { id, issue, body, login: who });
      return id;
    },
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
      return json(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
