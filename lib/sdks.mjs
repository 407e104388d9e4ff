// ESM entry: the same objects as the CommonJS module beside it.
import cjs from "./sdks.js";

export const { ClientSDK } = cjs;
