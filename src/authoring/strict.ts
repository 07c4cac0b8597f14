/**
 * Objects whose unknown properties are errors. Templates are run with `npm run synth`, which
 * only transpiles: a mistyped `env.vpc_identifier` would otherwise read `undefined`, and cdktf
 * drops the attribute or writes the word "undefined" into a string.
 */

/** Names JavaScript machinery probes on any object (await, JSON.stringify, inspectors). */
const PROBED = new Set(["then", "toJSON", "inspect", "nodeType", "asymmetricMatch", "$$typeof"]);

/**
 * `target`, behind a proxy that calls `unknown(name, known)` (which throws) when code reads a
 * string property the object does not have.
 */
export function strict<T extends object>(target: T, unknown: (name: string, known: readonly string[]) => never): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (typeof prop === "symbol" || prop in obj || PROBED.has(prop)) return Reflect.get(obj, prop, receiver) as unknown;
      return unknown(prop, Object.keys(obj));
    },
  });
}

/** `use one of: a, b (did you mean "a"?)`, for a fix message. */
export function knownNames(name: string, known: readonly string[]): string {
  if (known.length === 0) return "there are none";
  const close = [...known].sort((a, b) => distance(name, a) - distance(name, b))[0];
  const near = distance(name, close) <= Math.max(2, Math.floor(close.length / 3)) || name.startsWith(close) || close.startsWith(name);
  const hint = near ? ` (did you mean "${close}"?)` : "";
  return `use one of: ${[...known].sort().join(", ")}${hint}`;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
