import type { SDKValidationError } from "../errors/index.js";
import type { Result } from "../../types/index.js";

/** Token refresh triggered. */
export type RefreshOAuthTokensResponse = {
  /** Status message */
  message?: string | undefined;
  /** Operation status */
  status?: string | undefined;
};

export declare function refreshOAuthTokensResponseFromJSON(
  jsonString: string,
): Result<RefreshOAuthTokensResponse, SDKValidationError>;
