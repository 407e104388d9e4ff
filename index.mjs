// ESM entry: the same objects as the CommonJS module beside it.
import cjs from "./index.js";

export const { Mix, HTTPClient, ServerList, SDK_METADATA, serverURLFromOptions } = cjs;
