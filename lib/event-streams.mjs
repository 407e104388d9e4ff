// ESM entry: the same objects as the CommonJS module beside it.
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./event-streams.js");

export const { EventStream } = cjs;
