/** The GitHub App installation token the generated workflows mint, against a loopback GitHub. */
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import t from "tap";
import { appJwt, botIdentity, installationToken } from "../../src/provision/github-app";

const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();

function verify(jwt: string): { iat: number; exp: number; iss: string } {
  const [h, p, s] = jwt.split(".");
  if (!crypto.createVerify("RSA-SHA256").update(`${h}.${p}`).verify(publicKey, Buffer.from(s, "base64url"))) throw new Error("bad signature");
  t.same(JSON.parse(Buffer.from(h, "base64url").toString()), { alg: "RS256", typ: "JWT" });
  return JSON.parse(Buffer.from(p, "base64url").toString()) as { iat: number; exp: number; iss: string };
}

t.test("the JWT is RS256, issued by the App, backdated a minute and valid under ten", async (t) => {
  const now = new Date("2026-11-30T12:00:00Z");
  const claims = verify(appJwt("4242", pem, now));
  t.equal(claims.iss, "4242");
  t.equal(claims.iat, now.getTime() / 1000 - 60);
  t.ok(claims.exp - claims.iat <= 600);
  t.ok(claims.exp > now.getTime() / 1000);
});

t.test("mints a token limited to the repository and the permissions asked for", async (t) => {
  const calls: { method: string; url: string; auth: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      calls.push({ method: req.method ?? "", url: req.url ?? "", auth: req.headers.authorization ?? "", body });
      res.setHeader("content-type", "application/json");
      if (req.url === "/repos/acme/platform/installation") {
        res.end(JSON.stringify({ id: 77 }));
      } else if (req.url === "/app") {
        res.end(JSON.stringify({ slug: "acme-platform" }));
      } else if (req.url === "/users/acme-platform%5Bbot%5D") {
        res.end(JSON.stringify({ id: 99 }));
      } else if (req.url === "/app/installations/77/access_tokens") {
        res.statusCode = 201;
        res.end(JSON.stringify({ token: "ghs_minted", expires_at: "2026-11-30T13:00:00Z" }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: "Not Found" }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.teardown(() => server.close());
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await installationToken({ appId: "4242", privateKey: pem, repository: "acme/platform", permissions: { contents: "write" }, apiUrl });
  t.same(res, { token: "ghs_minted", expiresAt: "2026-11-30T13:00:00Z" });
  t.same(calls.map((c) => `${c.method} ${c.url}`), ["GET /repos/acme/platform/installation", "POST /app/installations/77/access_tokens"]);
  for (const c of calls) t.equal(verify(c.auth.replace(/^Bearer /, "")).iss, "4242", "each call is signed by the App");
  t.same(JSON.parse(calls[1].body), { repositories: ["platform"], permissions: { contents: "write" } });
  await t.rejects(installationToken({ appId: "4242", privateKey: pem, repository: "acme/other", apiUrl }), /404 Not Found/);
  calls.length = 0;
  t.same(await botIdentity({ appId: "4242", privateKey: pem, apiUrl, token: "ghs_minted" }), { login: "acme-platform[bot]", email: "99+acme-platform[bot]@users.noreply.github.com" });
  t.match(calls[0], { url: "/app" });
  t.equal(verify(calls[0].auth.replace(/^Bearer /, "")).iss, "4242", "the App's own endpoint with the JWT");
  t.same(calls[1], { method: "GET", url: "/users/acme-platform%5Bbot%5D", auth: "Bearer ghs_minted", body: "" }, "the user lookup with the installation token");
});
