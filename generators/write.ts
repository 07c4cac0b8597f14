/**
 * Writing generated files into another repository: every file goes to a temporary sibling
 * first and all are renamed into place only after every write succeeded, so a failure leaves
 * no half-written file behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One file to write: path relative to the root it is written under, and its full content. */
export interface FileWrite {
  readonly relativePath: string;
  readonly content: string;
}

/**
 * Writes `files` under `root`: temporary siblings first, then renames. On an error the
 * temporary files are removed and the error is rethrown; files already renamed stay (each
 * rename is atomic, so each of them is complete).
 */
export function writeFilesAtomically(root: string, files: readonly FileWrite[]): void {
  const staged: { tmp: string; final: string }[] = [];
  try {
    for (const file of files) {
      const final = path.join(root, file.relativePath);
      fs.mkdirSync(path.dirname(final), { recursive: true });
      const tmp = path.join(path.dirname(final), `.${path.basename(final)}.protonkit-${process.pid}.tmp`);
      fs.writeFileSync(tmp, file.content, "utf8");
      staged.push({ tmp, final });
    }
    for (const { tmp, final } of staged) fs.renameSync(tmp, final);
  } catch (err) {
    for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
    throw err;
  }
}
