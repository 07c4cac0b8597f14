import {
  NotifyResourceDeploymentStatusChangeCommand,
  ProtonClient,
  type NotifyResourceDeploymentStatusChangeInput,
} from "@aws-sdk/client-proton";
import { BestEffortReporter, gitReporterFromEnv, MultiReporter } from "./git-reporter";
import { isUuid } from "./metadata";
import type { ProtonOutput } from "./outputs";
import { FINAL_REPORT_RETRY, withRetry, type RetryOptions } from "./retry";

/** Deployment status values Proton accepts. */
export type DeploymentStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED";

/** The resource a status is about. */
export interface ReportTarget {
  /** Resource ARN. */
  readonly arn: string;
  /** Deployment id from the metadata; sent only when it is a UUID. */
  readonly deploymentId?: string;
  /** Region of the Proton resource; default from the ARN. */
  readonly protonRegion?: string;
  /** True for a deleted resource: "not found" from Proton is then not an error. */
  readonly deleted?: boolean;
}

/** What goes with a status. */
export interface ReportDetails {
  /** Encoded outputs (SUCCEEDED). */
  readonly outputs?: readonly ProtonOutput[];
  /** Status message, cut to Proton's 5000 characters keeping the end. */
  readonly statusMessage?: string;
  /** Keys of outputs whose values must not be printed (sensitive ones reported on opt-in). */
  readonly sensitiveKeys?: readonly string[];
}

/** Where deployment status goes: Proton's API, git (records branch and GitHub), or the console. */
export interface DeploymentReporter {
  /** Short name for logs. */
  readonly name: string;
  /** Reports one status change; rejects when it could not be delivered. */
  report(resource: ReportTarget, status: DeploymentStatus, details?: ReportDetails): Promise<void>;
}

/** Proton's limit on statusMessage. */
export const STATUS_MESSAGE_LIMIT = 5000;

/**
 * Keeps the end of a long message (where Terraform puts the error), within `max` characters,
 * marking the cut.
 */
export function tailText(text: string, max = 4000): string {
  if (text.length <= max) return text;
  const marker = "[...] ";
  if (max <= marker.length) return text.slice(text.length - max);
  return marker + text.slice(text.length - (max - marker.length));
}

/** Builds the API input: UUID-only deploymentId, statusMessage within the limit. */
export function buildNotifyInput(
  target: ReportTarget,
  status: DeploymentStatus,
  details: ReportDetails = {},
): NotifyResourceDeploymentStatusChangeInput {
  const input: NotifyResourceDeploymentStatusChangeInput = { resourceArn: target.arn, status };
  if (isUuid(target.deploymentId)) input.deploymentId = target.deploymentId;
  if (details.statusMessage !== undefined) input.statusMessage = tailText(details.statusMessage, STATUS_MESSAGE_LIMIT);
  if (details.outputs && details.outputs.length > 0) input.outputs = details.outputs.map((o) => ({ ...o }));
  return input;
}

/** The part of `ProtonClient` the reporter uses; injectable. */
export interface NotifyClient {
  send(command: NotifyResourceDeploymentStatusChangeCommand): Promise<unknown>;
}

/** Options of {@link ProtonReporter}. */
export interface ProtonReporterOptions {
  /** Endpoint override, e.g. `http://127.0.0.1:4566` (`PROTONKIT_PROTON_ENDPOINT`). */
  readonly endpoint?: string;
  /** Static credentials (tests); default is the AWS SDK's provider chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Builds the client for a region; default a real `ProtonClient` with SDK retries off. */
  readonly clientFor?: (region: string) => NotifyClient;
  /** Retry policy for transient errors. */
  readonly retry?: RetryOptions;
  /** Retry policy for final statuses (SUCCEEDED, FAILED). @default retry with FINAL_REPORT_RETRY over it */
  readonly finalRetry?: RetryOptions;
  /** Log sink. */
  readonly log?: (line: string) => void;
}

function regionOfArn(arn: string): string | undefined {
  return arn.split(":")[3] || undefined;
}

function errorName(err: unknown): string {
  return typeof err === "object" && err !== null && typeof (err as { name?: unknown }).name === "string"
    ? (err as { name: string }).name
    : "Error";
}

/** Reports through AWS Proton's `NotifyResourceDeploymentStatusChange`, retrying transient errors. */
export class ProtonReporter implements DeploymentReporter {
  readonly name = "proton";
  private readonly clients = new Map<string, NotifyClient>();

  constructor(private readonly options: ProtonReporterOptions = {}) {}

  private client(region: string): NotifyClient {
    let c = this.clients.get(region);
    if (!c) {
      c =
        this.options.clientFor?.(region) ??
        new ProtonClient({
          region,
          endpoint: this.options.endpoint,
          credentials: this.options.credentials,
          maxAttempts: 1, // retries are ours, so every reporter behaves the same
        });
      this.clients.set(region, c);
    }
    return c;
  }

  async report(resource: ReportTarget, status: DeploymentStatus, details: ReportDetails = {}): Promise<void> {
    const region = resource.protonRegion ?? regionOfArn(resource.arn) ?? "us-east-1";
    const input = buildNotifyInput(resource, status, details);
    const log = this.options.log ?? (() => undefined);
    try {
      const policy = status === "IN_PROGRESS" ? this.options.retry : (this.options.finalRetry ?? { ...this.options.retry, ...FINAL_REPORT_RETRY });
      await withRetry(() => this.client(region).send(new NotifyResourceDeploymentStatusChangeCommand(input)), {
        ...policy,
        onRetry: (err, attempt, delay) => {
          log(`Proton: ${errorName(err)} on attempt ${attempt}, retrying in ${delay} ms`);
          policy?.onRetry?.(err, attempt, delay);
        },
      });
      log(`Proton: reported ${status} for ${resource.arn}${input.outputs ? ` with ${input.outputs.length} outputs` : ""}`);
    } catch (err) {
      if (resource.deleted && errorName(err) === "ResourceNotFoundException") {
        log(`Proton: ${resource.arn} no longer exists (deleted); ${status} not recorded there`);
        return;
      }
      throw err;
    }
  }
}

/** Prints what would be reported (dry runs, `reporting: none`); values of sensitive keys are hidden. */
export class ConsoleReporter implements DeploymentReporter {
  readonly name = "console";
  /** Every report made, for tests and summaries. */
  readonly reports: Array<{ input: NotifyResourceDeploymentStatusChangeInput }> = [];

  constructor(
    private readonly log: (line: string) => void,
    private readonly verb = "would report",
  ) {}

  async report(resource: ReportTarget, status: DeploymentStatus, details: ReportDetails = {}): Promise<void> {
    const input = buildNotifyInput(resource, status, details);
    this.reports.push({ input });
    const hidden = new Set(details.sensitiveKeys ?? []);
    const shown = {
      ...input,
      outputs: input.outputs?.map((o) => (hidden.has(o.key ?? "") ? { key: o.key, valueString: "(sensitive value)" } : o)),
    };
    this.log(`${this.verb} ${status}: ${JSON.stringify(shown)}`);
  }
}

/** Options of {@link createReporter}. */
export interface CreateReporterOptions {
  /** Configuration `reporting`. */
  readonly reporting: "proton" | "none" | "git";
  /** The repository checkout: deployment records are written there (`reporting: git`, and `proton` when it has the records remote). */
  readonly repo?: string;
  /** Dry run: print instead of calling. */
  readonly dryRun: boolean;
  /** Environment (for `PROTONKIT_PROTON_ENDPOINT`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Log sink. */
  readonly log: (line: string) => void;
  /** Retry policy. */
  readonly retry?: RetryOptions;
}

/** The reporter the configuration and flags ask for. */
export function createReporter(options: CreateReporterOptions): DeploymentReporter {
  if (options.dryRun) return new ConsoleReporter(options.log, "dry run: would notify Proton");
  if (options.reporting === "none") return new ConsoleReporter(options.log, "reporting: none; status");
  const env = options.env ?? process.env;
  const git = options.repo ? gitReporterFromEnv({ repo: options.repo, env, log: options.log, required: options.reporting === "git", retry: options.retry }) : undefined;
  if (options.reporting === "git") {
    if (!git) throw new Error("reporting: git needs the repository checkout");
    return git;
  }
  const endpoint = env.PROTONKIT_PROTON_ENDPOINT || undefined;
  const proton = new ProtonReporter({ endpoint, log: options.log, retry: options.retry });
  // With Proton, outputs and records are still recorded in git, so renders and status never depend on Proton.
  return git ? new MultiReporter([proton, new BestEffortReporter(git, options.log)]) : proton;
}
