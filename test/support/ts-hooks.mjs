// Module hooks for tap: a .ts file is CommonJS, loaded through require() (where sucrase's hook
// strips its types), never through Node's ESM loader, which does not know the extension.
export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && /\.tsx?$/.test(url)) return { format: "commonjs", shortCircuit: true };
  return nextLoad(url, context);
}
