// ESM entry: the same objects as the CommonJS module beside it.
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./security.js");

export const { SecurityErrorCode, SecurityError, resolveSecurity } = cjs;
