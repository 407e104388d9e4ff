// ESM entry: the same objects as the CommonJS module beside it.
import cjs from "./core.js";

export const { MixCore } = cjs;
