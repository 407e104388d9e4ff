// ESM entry: the same objects as the CommonJS module beside it.
import cjs from "./index.js";

export const { MixError, ErrorResponse, MixDefaultError, ResponseValidationError, SDKValidationError, HTTPClientError, ConnectionError, RequestTimeoutError, RequestAbortedError, InvalidRequestError, UnexpectedClientError } = cjs;
