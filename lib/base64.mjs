// ESM entry: the same objects as the CommonJS module beside it.
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./base64.js");

export const { bytesToBase64, bytesFromBase64, stringToBytes, stringFromBytes, stringToBase64, stringFromBase64 } = cjs;
