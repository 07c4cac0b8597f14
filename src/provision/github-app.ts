/**
 * A GitHub App installation token, minted by the toolkit itself (a JWT signed with the App's
 * private key, exchanged for a token limited to one repository and the permissions asked for).
 * The generated workflows use it where `GITHUB_TOKEN` cannot serve: reading organisation team
 * membership, and pushes or pull requests that must start workflows. Done here rather than
 * with a third-party action so the workflow runs no action that is not pinned in
 * generators/actions.ts.
 */
import * as crypto from "node:crypto";
import { GitHubRest } from "./github-rest";

/** Options of {@link installationToken}. */
export interface AppTokenOptions {
  /** The App's id (a number, as GitHub shows it on the App's page). */
  readonly appId: string;
  /** The App's private key, PEM. */
  readonly privateKey: string;
  /** `owner/name` the token is limited to. */
  readonly repository: string;
  /** Permissions the token is limited to, e.g. `{ contents: "write" }`; every App permission when empty. */
  readonly permissions?: Readonly<Record<string, "read" | "write">>;
  /** GitHub API URL. @default "https://api.github.com" */
  readonly apiUrl?: string;
  /** Clock; injectable. @default () => new Date() */
  readonly now?: () => Date;
  /** fetch; injectable. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/**
 * The App's JSON Web Token (RS256), valid from a minute ago (clock skew) for nine minutes
 * (GitHub accepts at most ten).
 */
export function appJwt(appId: string, privateKey: string, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000) - 60;
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ iat, exp: iat + 600 - 60, iss: appId }));
  const signature = crypto.createSign("RSA-SHA256").update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The git identity of an App's bot user, as GitHub attributes its commits. */
export interface BotIdentity {
  /** `<app-slug>[bot]`. */
  readonly login: string;
  /** `<bot user id>+<app-slug>[bot]@users.noreply.github.com`. */
  readonly email: string;
}

/**
 * The App's bot identity: its commits then show the App as author, which is what the
 * entitlement check's automation exemption matches.
 */
export async function botIdentity(options: Pick<AppTokenOptions, "appId" | "privateKey" | "apiUrl" | "now" | "fetch"> & { readonly token: string }): Promise<BotIdentity> {
  const jwt = appJwt(options.appId, options.privateKey, (options.now ?? (() => new Date()))());
  // The JWT reaches only the App's own endpoints; the user lookup takes the installation token.
  const asApp = new GitHubRest({ token: jwt, apiUrl: options.apiUrl, fetch: options.fetch, retry: { attempts: 3 } });
  const asInstallation = new GitHubRest({ token: options.token, apiUrl: options.apiUrl, fetch: options.fetch, retry: { attempts: 3 } });
  const app = await asApp.request<{ slug: string }>("GET", "/app");
  const login = `${app.slug}[bot]`;
  const user = await asInstallation.request<{ id: number }>("GET", `/users/${encodeURIComponent(login)}`);
  return { login, email: `${user.id}+${login}@users.noreply.github.com` };
}

/** Mints an installation token for one repository. */
export async function installationToken(options: AppTokenOptions): Promise<{ token: string; expiresAt: string }> {
  const jwt = appJwt(options.appId, options.privateKey, (options.now ?? (() => new Date()))());
  const rest = new GitHubRest({ token: jwt, apiUrl: options.apiUrl, fetch: options.fetch, retry: { attempts: 3 } });
  const installation = await rest.request<{ id: number }>("GET", `/repos/${options.repository}/installation`);
  const name = options.repository.slice(options.repository.indexOf("/") + 1);
  const permissions = options.permissions && Object.keys(options.permissions).length > 0 ? { permissions: options.permissions } : {};
  const res = await rest.request<{ token: string; expires_at: string }>("POST", `/app/installations/${installation.id}/access_tokens`, { repositories: [name], ...permissions });
  return { token: res.token, expiresAt: res.expires_at };
}
