/**
 * The third-party GitHub Actions that generated workflows use, pinned to full-length commit
 * SHAs as GitHub's hardening guide recommends. This table is the only place in the code that
 * names an action version: bumping an action is one edit here, followed by
 * `protonkit workflow update` in each provisioning repository and
 * `protonkit workflow toolkit-ci` in this one.
 *
 * Source: the actions' own repositories, newest release tag of each as of late 2026.
 */

/** One pinned action: `uses: <repository>@<commit> # <tag>`. */
export interface PinnedAction {
  /** `owner/name` of the action's repository. */
  readonly repository: string;
  /** Release tag the commit belongs to, rendered as a trailing comment. */
  readonly tag: string;
  /** Full 40-character commit SHA. */
  readonly commit: string;
}

/** Short names the templates use (`{{action "checkout"}}`) mapped to pinned actions. */
export const PINNED_ACTIONS = {
  checkout: {
    repository: "actions/checkout",
    tag: "v7.0.1",
    commit: "3d3c42e5aac5ba805825da76410c181273ba90b1",
  },
  "configure-aws-credentials": {
    repository: "aws-actions/configure-aws-credentials",
    tag: "v6.2.3",
    commit: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
  },
  "setup-terraform": {
    repository: "hashicorp/setup-terraform",
    tag: "v4.0.1",
    commit: "dfe3c3f87815947d99a8997f908cb6525fc44e9e",
  },
  cache: {
    repository: "actions/cache",
    tag: "v5.0.5",
    commit: "27d5ce7f107fe9357f9df03efb73ab90386fccae",
  },
  // The cache action's halves, for handing a file from one job to another.
  "cache-save": {
    repository: "actions/cache/save",
    tag: "v5.0.5",
    commit: "27d5ce7f107fe9357f9df03efb73ab90386fccae",
  },
  "cache-restore": {
    repository: "actions/cache/restore",
    tag: "v5.0.5",
    commit: "27d5ce7f107fe9357f9df03efb73ab90386fccae",
  },
  "setup-node": {
    repository: "actions/setup-node",
    tag: "v7.0.0",
    commit: "820762786026740c76f36085b0efc47a31fe5020",
  },
  "amazon-ecr-login": {
    repository: "aws-actions/amazon-ecr-login",
    tag: "v2.1.7",
    commit: "03f1aad4c6c7ffd436567f42f9384779290529bd",
  },
  "setup-pack": {
    repository: "buildpacks/github-actions/setup-pack",
    tag: "v6.1.0",
    commit: "36416a96be10a6cc7170e7c9c63656d4092f78b2",
  },
} as const satisfies Record<string, PinnedAction>;

/** Node.js version the generated workflows install with actions/setup-node (exact, not a range). */
export const NODE_VERSION = "22.19.0";

/** A short action name known to {@link PINNED_ACTIONS}. */
export type ActionName = keyof typeof PINNED_ACTIONS;

/** Whether `name` is a short action name known to {@link PINNED_ACTIONS}. */
export function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(PINNED_ACTIONS, name);
}

/** The `uses:` value for an action, with the tag as a trailing YAML comment. */
export function usesLine(name: ActionName): string {
  const a: PinnedAction = PINNED_ACTIONS[name];
  return `${a.repository}@${a.commit} # ${a.tag}`;
}
