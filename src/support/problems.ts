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
