"use strict";
// The original's retry helper for a fetch function, and its two error
// classes. The waits follow the same rule as the calls' retries (the Rust
// core's, see crates/mix-core/src/retry.rs); RetryConfig and
// BackoffStrategy are types only.

const { retryWait } = require("./internal/native.js");
const { isConnectionError, isTimeoutError } = require("./internal/custom-client.js");

/** An error that ends the retries; `cause` is what failed. */
class PermanentError extends Error {
  constructor(message, options) {
    super(options?.cause ? `${message}: ${options.cause}` : message, options);
    this.name = "PermanentError";
    if (this.cause === undefined) this.cause = options?.cause;
  }
}

/** A response with a retryable status. */
class TemporaryError extends Error {
  constructor(message, response) {
    super(message);
    this.response = response;
    this.name = "TemporaryError";
  }
}

function retryable(status, codes) {
  const actual = String(status);
  return codes.some((code) => (/^[0-9]xx$/i.test(code) ? actual.charAt(0) === code.charAt(0) : code === actual));
}

/**
 * Calls `fetchFn` until it returns a response whose status is not in
 * `statusCodes`, or the policy gives up (then the last response is
 * returned, or the last error thrown). Connection and timeout errors are
 * retried only with `retryConnectionErrors`; anything else is thrown at once.
 */
async function retry(fetchFn, { config, statusCodes }) {
  if (config?.strategy !== "backoff") return fetchFn();
  const start = Date.now();
  for (let index = 0; ; index++) {
    let response;
    let error;
    try {
      response = await fetchFn();
      if (!retryable(response.status, statusCodes)) return response;
    } catch (err) {
      if (!(config.retryConnectionErrors && (isTimeoutError(err) || isConnectionError(err)))) throw err;
      error = err;
    }
    const wait = retryWait(
      config,
      index,
      response?.headers.get("retry-after") ?? undefined,
      response?.headers.get("date") ?? undefined,
      Date.now() - start,
    );
    if (wait == null) {
      if (response !== undefined) return response;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

module.exports = { PermanentError, TemporaryError, retry };
