import type { MixCore } from "../core.js";
import type { RequestOptions } from "../lib/sdks.js";
import type * as errors from "../models/errors/index.js";
import type { RefreshOAuthTokensResponse } from "../models/operations/index.js";
import type { APIPromise, Result } from "../types/index.js";

/** Manually refresh OAuth tokens; never rejects for the documented errors. */
export declare function authenticationRefreshOAuthTokens(
  client: MixCore,
  options?: RequestOptions,
): APIPromise<
  Result<
    RefreshOAuthTokensResponse,
    | errors.ErrorResponse
    | errors.MixError
    | errors.ResponseValidationError
    | errors.ConnectionError
    | errors.RequestAbortedError
    | errors.RequestTimeoutError
    | errors.InvalidRequestError
    | errors.UnexpectedClientError
    | errors.SDKValidationError
  >
>;
