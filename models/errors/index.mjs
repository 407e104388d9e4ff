// ESM entry: the same objects as the CommonJS module beside it, loaded with
// `require` (see index.mjs at the package root for why).
import { createRequire } from "node:module";

const cjs = createRequire(import.meta.url)("./index.js");

export const { formatZodError, MixError, ErrorResponse, MixDefaultError, ResponseValidationError, SDKValidationError, HTTPClientError, ConnectionError, RequestTimeoutError, RequestAbortedError, InvalidRequestError, UnexpectedClientError } = cjs;
