// ESM entry: the same objects as the CommonJS module beside it. Loaded with
// `require` rather than `import`: Node's ESM-to-CommonJS translation scans
// the CommonJS source for its exports first, which was a third of the
// package's import time.
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./index.js");

export const { Mix, HTTPClient, files, ServerList, SDK_METADATA, serverURLFromOptions } = cjs;
