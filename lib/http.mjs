// ESM entry: the same objects as the CommonJS module beside it, loaded with
// `require` (see index.mjs at the package root for why).
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./http.js");

export const { HTTPClient, matchContentType, matchStatusCode, matchResponse, isConnectionError, isTimeoutError, isAbortError } = cjs;
