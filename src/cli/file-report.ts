/** The per-file lines `workflow` and `pipeline` print. */
import type { FileResult } from "../../generators/workflow/sync";

/** What `--check` prints for a status: it writes nothing, so a change is one that would happen. */
const CHECK_WORDS: Partial<Record<FileResult["status"], string>> = { created: "would create", updated: "would update" };

/** One line per file: status, path, and why when a file was left alone. With `check`, `would create`/`would update`. */
export function fileLines(files: readonly FileResult[], check = false): string {
  const words = files.map((f) => (check ? CHECK_WORDS[f.status] : undefined) ?? f.status);
  const width = Math.max(9, ...words.map((w) => w.length));
  return files.map((f, i) => `${words[i].padEnd(width)} ${f.path}${f.reason ? ` (${f.reason})` : ""}\n`).join("");
}
