/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Total attempts, first included (default 5). */
  readonly attempts?: number;
  /** Delay before the second attempt in ms (default 1000); doubles each time. */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay in ms (default 20000). */
  readonly maxDelayMs?: number;
  /** Sleeps; injectable so tests do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for jitter; injectable for tests. */
  readonly random?: () => number;
  /** Decides whether an error is worth another attempt (default {@link isTransientError}). */
  readonly isTransient?: (err: unknown) => boolean;
  /**
   * Retry for this long in all: no retry starts once the delays already waited plus the next
   * one would pass it. With a horizon, `attempts` defaults to unlimited.
   */
  readonly horizonMs?: number;
  /** Called before each retry, e.g. to log. */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalServerException",
  "InternalFailure",
  "InternalServerError",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** An HTTP response error with its status, for clients other than the AWS SDK. */
export class HttpStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "HttpStatusError";
  }
}

function field(err: unknown, name: string): unknown {
  return typeof err === "object" && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** True for throttling, HTTP 429 and 5xx, timeouts and network resets (also as `cause`). */
export function isTransientError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const name = field(err, "name");
  if (typeof name === "string" && TRANSIENT_NAMES.has(name)) return true;
  const code = field(err, "code");
  if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
  const status = field(err, "status") ?? field(field(err, "$metadata"), "httpStatusCode");
  if (typeof status === "number" && (status === 429 || status >= 500)) return true;
  const cause = field(err, "cause");
  return cause !== undefined && cause !== err && isTransientError(cause);
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `fn`, retrying transient errors with bounded, jittered exponential backoff: delays of
 * about base, 2*base, 4*base ... capped at `maxDelayMs`, at most `attempts` calls in all.
 * The last error is rethrown.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? (options.horizonMs !== undefined ? Number.POSITIVE_INFINITY : 5));
  const horizon = options.horizonMs ?? Number.POSITIVE_INFINITY;
  let waited = 0;
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 20000;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const transient = options.isTransient ?? isTransientError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !transient(err)) throw err;
      const delay = Math.round(Math.min(max, base * 2 ** Math.min(attempt - 1, 30)) * (0.5 + random() / 2));
      if (waited + delay > horizon) throw err;
      waited += delay;
      options.onRetry?.(err, attempt, delay);
      await wait(delay);
    }
  }
}

/**
 * How a final status (SUCCEEDED, FAILED) is retried: for up to 15 minutes of waiting, delays
 * of 2 s doubling to at most 60 s, each jittered to 50-100 %. A deployment left IN_PROGRESS
 * blocks the next one in Proton, so this is worth most of a job's time; IN_PROGRESS itself
 * keeps the short default.
 */
export const FINAL_REPORT_RETRY = { horizonMs: 15 * 60 * 1000, baseDelayMs: 2000, maxDelayMs: 60000 } as const;
