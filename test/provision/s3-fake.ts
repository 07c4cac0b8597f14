import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback S3 (path-style) holding objects in memory: just what Terraform's S3 backend uses. */
export interface FakeS3 {
  readonly endpoint: string;
  readonly objects: Map<string, Buffer>;
  readonly log: string[];
  close(): Promise<void>;
}

/** Decodes an `aws-chunked` body (`<hex>;chunk-signature=...\r\n<data>\r\n ... 0\r\n<trailers>`). */
function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", pos);
    if (eol < 0) break;
    const size = parseInt(body.subarray(pos, eol).toString("latin1").split(";")[0], 16);
    if (!size) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function xml(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const log: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const [, bucket, ...rest] = url.pathname.split("/");
      const key = decodeURIComponent(rest.join("/"));
      const id = `${bucket}/${key}`;
      log.push(`${req.method} ${id}${url.search}`);
      let body = Buffer.concat(chunks);
      if (String(req.headers["content-encoding"] ?? "").includes("aws-chunked") || String(req.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-")) {
        body = decodeChunked(body);
      }
      if (req.method === "GET" && key === "") {
        const prefix = url.searchParams.get("prefix") ?? "";
        const keys = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1)).sort();
        return xml(
          res,
          200,
          `<ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${keys
            .map((k) => `<Contents><Key>${k}</Key><Size>${objects.get(`${bucket}/${k}`)?.length ?? 0}</Size></Contents>`)
            .join("")}</ListBucketResult>`,
        );
      }
      if (req.method === "PUT") {
        if (req.headers["if-none-match"] === "*" && objects.has(id)) {
          return xml(res, 412, "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>");
        }
        objects.set(id, body);
        res.writeHead(200, { etag: `"${body.length}"` });
        return res.end();
      }
      if (req.method === "GET" || req.method === "HEAD") {
        const obj = objects.get(id);
        if (!obj) return xml(res, 404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key></Error>`);
        res.writeHead(200, { "content-length": obj.length, etag: `"${obj.length}"`, "content-type": "application/json" });
        return res.end(req.method === "HEAD" ? undefined : obj);
      }
      if (req.method === "DELETE") {
        objects.delete(id);
        res.writeHead(204);
        return res.end();
      }
      return xml(res, 400, "<Error><Code>NotImplemented</Code></Error>");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
