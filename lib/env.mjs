// ESM entry: the same objects as the CommonJS module beside it.
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./env.js");

export const { env, resetEnv } = cjs;
