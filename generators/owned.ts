/**
 * Files protonkit owns in another repository carry one marker line with a digest of the rest
 * of the file. The digest tells "the file protonkit wrote" from "a file someone edited since",
 * so regeneration replaces its own output and leaves a user's edits alone unless forced.
 *
 * YAML and other `#`-comment files get the marker as their first line; JSON files get it as a
 * `"$comment"` member on the second line (JSON has no comments, and JSON Schema reserves
 * `$comment` for exactly this). The digest covers the file without that line, so stamping and
 * checking are each one pass and need no other bookkeeping file.
 */
import { createHash } from "node:crypto";

/** The word that marks an owned file; searched for in the first lines of a file. */
export const OWNED_MARKER = "protonkit-owned";

/** How the marker line is written into a file. */
export type OwnedStyle = "hash-comment" | "json";

/** What a file's marker says about it. */
export type OwnedState =
  /** No marker: the file was not written by protonkit (or the marker was removed). */
  | { readonly kind: "foreign" }
  /** A marker whose digest matches the content: untouched since protonkit wrote it. */
  | { readonly kind: "pristine"; readonly digest: string }
  /** A marker whose digest does not match: edited after protonkit wrote it. */
  | { readonly kind: "modified"; readonly recorded: string; readonly actual: string };

const DIGEST = /sha256:([0-9a-f]{64})/;
/** The marker is looked for in this many leading lines only. */
const MARKER_WINDOW = 3;

/** Hex SHA-256 of a string's UTF-8 bytes. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function markerText(note: string, digest: string): string {
  return `${OWNED_MARKER}: ${note} (sha256:${digest})`;
}

/**
 * Adds the marker line to `body`. `note` says who wrote the file and how to change it; it
 * must be one line and, for JSON, must not need escaping beyond what JSON.stringify does.
 * `body` for the JSON style must start with `{` followed by a newline.
 */
export function stampOwned(body: string, style: OwnedStyle, note: string): string {
  if (note.includes("\n")) throw new Error("owned-file note must be one line");
  const digest = sha256(body);
  if (style === "hash-comment") return `# ${markerText(note, digest)}\n${body}`;
  if (!body.startsWith("{\n")) throw new Error("JSON body must start with '{' and a newline");
  return `{\n  "$comment": ${JSON.stringify(markerText(note, digest))},\n${body.slice(2)}`;
}

/** Reads the marker of an existing file and checks its digest. */
export function ownedState(text: string): OwnedState {
  const lines = text.split("\n");
  for (let i = 0; i < Math.min(MARKER_WINDOW, lines.length); i++) {
    const line = lines[i];
    if (!line.includes(OWNED_MARKER)) continue;
    const match = DIGEST.exec(line);
    if (!match) return { kind: "foreign" };
    const rest = [...lines.slice(0, i), ...lines.slice(i + 1)].join("\n");
    const actual = sha256(rest);
    return actual === match[1] ? { kind: "pristine", digest: actual } : { kind: "modified", recorded: match[1], actual };
  }
  return { kind: "foreign" };
}
