import { Problem } from "../errors";
import type { PathSegment, YamlSource } from "./yaml";
import { formatPath, lineOf } from "./yaml";

/** A problem at `segments` of a parsed file: its file, the line of that node and the field path. */
export function problemAt(source: YamlSource, segments: readonly PathSegment[], message: string, fix?: string): Problem {
  return new Problem(message, { file: source.displayFile, line: lineOf(source, segments), field: segments.length > 0 ? formatPath(segments) : undefined, fix });
}

/** `1 problem` or `N problems`, for the summary line above a list. */
export function problemCount(n: number): string {
  return n === 1 ? "1 problem" : `${n} problems`;
}

/** Problems in file order (stable for problems on one line). */
export function byLine(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.details.line ?? 0) - (b.details.line ?? 0));
}

/** Problems without repeats (the same message at the same place reported twice), first kept. */
export function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = p.toString();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
