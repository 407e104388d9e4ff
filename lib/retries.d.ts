/** Backoff parameters, all in milliseconds except `exponent`. */
export type BackoffStrategy = {
  initialInterval: number;
  maxInterval: number;
  exponent: number;
  maxElapsedTime: number;
};

/** A retry policy. */
export type RetryConfig =
  | { strategy: "none" }
  | {
      strategy: "backoff";
      backoff?: BackoffStrategy;
      retryConnectionErrors?: boolean;
    };

/** An error that ends the retries; `cause` is what failed. */
export declare class PermanentError extends Error {
  readonly cause: unknown;
  constructor(message: string, options?: { cause?: unknown });
}
/** A response with a retryable status. */
export declare class TemporaryError extends Error {
  response: Response;
  constructor(message: string, response: Response);
}
/** Calls `fetchFn` until its response is not retryable or the policy gives up. */
export declare function retry(
  fetchFn: () => Promise<Response>,
  options: { config: RetryConfig; statusCodes: string[] },
): Promise<Response>;
