import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake Proton received (valid or not). */
export interface ProtonRequest {
  readonly target: string;
  readonly body: Record<string, unknown>;
  /** The HTTP status the server answered with. */
  readonly answered: number;
}

/** A loopback server speaking Proton's AWS JSON 1.0 protocol for NotifyResourceDeploymentStatusChange. */
export interface ProtonServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: ProtonRequest[];
  /** The bodies of accepted NotifyResourceDeploymentStatusChange calls. */
  accepted(): Record<string, unknown>[];
  /** Answer the next `count` calls with this error (e.g. ThrottlingException, 400). */
  failNext(type: string, status?: number, count?: number, message?: string): void;
  /** Stops the server. */
  close(): Promise<void>;
}

const TARGET = "AwsProton20200720.NotifyResourceDeploymentStatusChange";
// Constraints as the API reference states them (NotifyResourceDeploymentStatusChange, Output).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN = /^arn:(aws|aws-cn|aws-us-gov):[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:\d{12}:([\w+=,.@-]+[/:])*[\w+=,.@-]+$/;
const STATUSES = ["IN_PROGRESS", "FAILED", "SUCCEEDED"];

function str(v: unknown): v is string {
  return typeof v === "string";
}

/** Checks a request body against the API's documented constraints; returns the violation, if any. */
export function validateNotify(body: Record<string, unknown>): string | undefined {
  const { resourceArn, status, deploymentId, statusMessage, outputs } = body;
  if (!str(resourceArn)) return "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null";
  if (resourceArn.length < 1 || resourceArn.length > 200) {
    return "1 validation error detected: Value at 'resourceArn' failed to satisfy constraint: Member must have length between 1 and 200";
  }
  if (!ARN.test(resourceArn)) {
    return `1 validation error detected: Value '${resourceArn}' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN.source}`;
  }
  if (status !== undefined && (!str(status) || !STATUSES.includes(status))) {
    return `1 validation error detected: Value '${String(status)}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(", ")}]`;
  }
  if (deploymentId !== undefined && (!str(deploymentId) || !UUID.test(deploymentId))) {
    return `1 validation error detected: Value '${String(deploymentId)}' at 'deploymentId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`;
  }
  if (statusMessage !== undefined && (!str(statusMessage) || statusMessage.length > 5000)) {
    return "1 validation error detected: Value at 'statusMessage' failed to satisfy constraint: Member must have length less than or equal to 5000";
  }
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) return "1 validation error detected: Value at 'outputs' failed to satisfy constraint: Member must be a list";
    if (outputs.length > 50) {
      return "1 validation error detected: Value at 'outputs' failed to satisfy constraint: Member must have length less than or equal to 50";
    }
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs[i] as Record<string, unknown>;
      if (o.key !== undefined && (!str(o.key) || o.key.length < 1 || o.key.length > 1024)) {
        return `1 validation error detected: Value at 'outputs.${i + 1}.member.key' failed to satisfy constraint: Member must have length between 1 and 1024`;
      }
      if (o.valueString !== undefined && (!str(o.valueString) || o.valueString.length < 1 || o.valueString.length > 1024)) {
        return `1 validation error detected: Value at 'outputs.${i + 1}.member.valueString' failed to satisfy constraint: Member must have length between 1 and 1024`;
      }
    }
  }
  return undefined;
}

/** Starts the fake Proton on 127.0.0.1 with a free port. */
export async function startProtonServer(): Promise<ProtonServer> {
  const requests: ProtonRequest[] = [];
  const failures: Array<{ type: string; status: number; message: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const send = (status: number, payload: Record<string, unknown>, errorType?: string): void => {
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": `req-${requests.length}`,
          ...(errorType ? { "x-amzn-errortype": errorType } : {}),
        });
        res.end(JSON.stringify(payload));
      };
      const error = (status: number, type: string, message: string, body: Record<string, unknown>): void => {
        requests.push({ target, body, answered: status });
        send(status, { __type: type, message }, type);
      };
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        return error(400, "SerializationException", "Start of structure or map found where not expected", {});
      }
      if (req.method !== "POST" || req.url !== "/") return error(404, "UnknownOperationException", "not found", body);
      if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.0")) {
        return error(400, "SerializationException", "expected application/x-amz-json-1.0", body);
      }
      if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ")) {
        return error(403, "MissingAuthenticationTokenException", "Missing Authentication Token", body);
      }
      if (target !== TARGET) return error(400, "UnknownOperationException", `unknown operation ${target}`, body);
      const injected = failures.shift();
      if (injected) return error(injected.status, injected.type, injected.message, body);
      const invalid = validateNotify(body);
      if (invalid) return error(400, "ValidationException", invalid, body);
      requests.push({ target, body, answered: 200 });
      send(200, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    accepted: () => requests.filter((r) => r.answered === 200).map((r) => r.body),
    failNext(type, status = 400, count = 1, message = "Rate exceeded") {
      for (let i = 0; i < count; i++) failures.push({ type, status, message });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
