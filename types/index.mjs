// ESM entry: the same objects as the CommonJS module beside it.
import cjs from "./index.js";

export const { APIPromise } = cjs;
