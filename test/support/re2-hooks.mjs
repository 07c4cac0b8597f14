// Module hooks registered by re2.mjs: the bare specifier `re2` resolves to the RegExp stand-in.
const shim = new URL("./re2-shim.mjs", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "re2") return { url: shim, format: "module", shortCircuit: true };
  return nextResolve(specifier, context);
}
