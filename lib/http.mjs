// ESM entry: the same objects as the CommonJS module beside it.
import cjs from "./http.js";

export const { HTTPClient } = cjs;
