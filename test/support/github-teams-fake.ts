/**
 * A loopback GitHub REST API for the entitlement checks: one pull request (author, base/head,
 * commits, reviews) and organisation team memberships. Started by a test on 127.0.0.1.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake serves. */
export interface TeamsFakeState {
  /** `org/slug` -> member logins. */
  teams: Record<string, string[]>;
  pulls: Record<number, { author: string; base: string; head: string; commitAuthors: (string | null)[]; reviews: { login: string; state: string; commit: string }[] }>;
}

/** A running fake. */
export interface TeamsFake {
  readonly url: string;
  readonly state: TeamsFakeState;
  /** Every request as `METHOD /path`. */
  readonly log: string[];
  close(): Promise<void>;
}

/** Starts the fake; requests need `Bearer <token>`. */
export async function startTeamsFake(state: TeamsFakeState, repository = "acme/platform", token = "ghs_app"): Promise<TeamsFake> {
  const log: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    log.push(`${req.method} ${url.pathname}`);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { message: "Bad credentials" });
    const page = Number(url.searchParams.get("page") ?? "1");
    const paged = (items: unknown[]): void => json(200, page === 1 ? items : []);
    let m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const members = state.teams[`${m[1]}/${m[2]}`];
      if (!members) return json(404, { message: "Not Found" });
      return members.includes(decodeURIComponent(m[3])) ? json(200, { state: "active", role: "member" }) : json(404, { message: "Not Found" });
    }
    m = new RegExp(`^/repos/${repository}/pulls/(\\d+)(/commits|/reviews)?$`).exec(url.pathname);
    const pr = m ? state.pulls[Number(m[1])] : undefined;
    if (m && pr) {
      if (m[2] === undefined) return json(200, { number: Number(m[1]), user: { login: pr.author }, base: { sha: pr.base }, head: { sha: pr.head } });
      if (m[2] === "/commits") return paged(pr.commitAuthors.map((a, i) => ({ sha: `c${i}`, author: a === null ? null : { login: a }, commit: { author: { email: a === null ? "someone@example.com" : `${a}@example.com` } } })));
      return paged(pr.reviews.map((r, i) => ({ id: i, user: { login: r.login }, state: r.state, commit_id: r.commit })));
    }
    return json(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
