// Finds how to load this package, the way a user would where possible.
//
// Importing by name ("mix-typescript-sdk") needs an "exports" field in the
// root package.json (Node's self-reference rule); until the package has one,
// fall back to requiring the root index.js directly.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const PACKAGE_NAME = "mix-typescript-sdk";
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** @returns {{ kind: "import" | "require", specifier: string }} */
export function mixEntry() {
  try {
    import.meta.resolve(PACKAGE_NAME);
    return { kind: "import", specifier: PACKAGE_NAME };
  } catch {
    // Not resolvable by name yet: try the file below.
  }
  const file = fileURLToPath(new URL("../../index.js", import.meta.url));
  if (existsSync(file)) return { kind: "require", specifier: file };
  throw new Error(
    `cannot load ${PACKAGE_NAME}: the name does not resolve (no "exports" in ` +
      `package.json) and ${file} does not exist`,
  );
}

/** Loads the package and returns its `Mix` class. */
export async function loadMix() {
  const entry = mixEntry();
  const mod =
    entry.kind === "import"
      ? await import(entry.specifier)
      : createRequire(import.meta.url)(entry.specifier);
  // An ESM namespace over a CommonJS module may only expose `default`.
  const Mix = mod.Mix ?? mod.default?.Mix;
  if (typeof Mix !== "function") {
    throw new Error(`${entry.specifier} does not export a Mix class`);
  }
  return Mix;
}
