"use strict";
// Checks a client's options at construction (a wrong type is a TypeError
// naming the option) and turns a call's RequestOptions into the plain object
// the native call takes. Calls without options skip all of this.

function fail(name, expected, value) {
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  throw new TypeError(`Invalid option "${name}": expected ${expected}, got ${got}`);
}

function checkNumber(name, value) {
  if (value !== undefined && typeof value !== "number") fail(name, "a number", value);
}

function checkRetryConfig(name, value) {
  if (value === undefined) return;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(name, 'a RetryConfig object ({ strategy: "none" } or { strategy: "backoff", … })', value);
  }
  if (value.strategy !== "none" && value.strategy !== "backoff") {
    throw new TypeError(`Invalid option "${name}.strategy": expected "none" or "backoff", got ${JSON.stringify(value.strategy)}`);
  }
  if (value.backoff !== undefined) {
    if (value.backoff === null || typeof value.backoff !== "object") fail(`${name}.backoff`, "an object", value.backoff);
    for (const key of ["initialInterval", "maxInterval", "exponent", "maxElapsedTime"]) {
      checkNumber(`${name}.backoff.${key}`, value.backoff[key]);
    }
  }
  if (value.retryConnectionErrors !== undefined && typeof value.retryConnectionErrors !== "boolean") {
    fail(`${name}.retryConnectionErrors`, "a boolean", value.retryConnectionErrors);
  }
}

/** Throws a TypeError for any client option of the wrong type. */
function checkClientOptions(options) {
  if (options === null || typeof options !== "object") fail("options", "an object", options);
  if (options.serverURL !== undefined && typeof options.serverURL !== "string") {
    fail("serverURL", "a string", options.serverURL);
  }
  checkNumber("serverIdx", options.serverIdx);
  if (options.userAgent !== undefined && typeof options.userAgent !== "string") {
    fail("userAgent", "a string", options.userAgent);
  }
  checkRetryConfig("retryConfig", options.retryConfig);
  checkNumber("timeoutMs", options.timeoutMs);
  const logger = options.debugLogger;
  if (logger !== undefined) {
    const ok = logger !== null && typeof logger === "object" &&
      ["group", "groupEnd", "log"].every((m) => typeof logger[m] === "function");
    if (!ok) fail("debugLogger", "an object with group, groupEnd and log methods (e.g. console)", logger);
  }
  const http = options.httpClient;
  if (http !== undefined && (http === null || typeof http !== "object" || typeof http.request !== "function")) {
    fail("httpClient", "an HTTPClient", http);
  }
}

/** Header pairs from a plain object, an array of pairs or a Headers. */
function flattenHeaders(init) {
  const flat = [];
  if (init == null) return flat;
  if (typeof init[Symbol.iterator] === "function") {
    for (const pair of init) {
      if (pair == null || typeof pair[Symbol.iterator] !== "function") {
        throw new TypeError("headers must be [name, value] pairs");
      }
      const [name, value, ...rest] = pair;
      if (rest.length > 0 || value === undefined) throw new TypeError("headers must be [name, value] pairs");
      flat.push(String(name), String(value));
    }
    return flat;
  }
  if (typeof init !== "object") throw new TypeError("headers must be an object, an array of pairs or a Headers");
  for (const name of Object.keys(init)) flat.push(name, String(init[name]));
  return flat;
}

/**
 * The native call options for RequestOptions. Throws a TypeError for values
 * that cannot be used; the caller turns that into an InvalidRequestError.
 */
function nativeCallOptions(options, keepResponse) {
  const call = { keepResponse };
  if (options == null) return call;
  if (typeof options !== "object") throw new TypeError("request options must be an object");
  // Top-level RequestInit fields win over fetchOptions; headers are replaced, not merged.
  const headers = options.headers ?? options.fetchOptions?.headers;
  if (headers !== undefined) call.headers = flattenHeaders(headers);
  if (options.serverURL != null) {
    const url = options.serverURL;
    call.serverUrl = url instanceof URL ? url.href : typeof url === "string" ? url : String(url);
  }
  if (options.timeoutMs !== undefined) call.timeoutMs = options.timeoutMs;
  if (options.retries) {
    checkRetryConfig("retries", options.retries);
    call.retries = options.retries;
  }
  if (options.retryCodes) {
    if (!Array.isArray(options.retryCodes)) throw new TypeError("retryCodes must be an array of strings");
    call.retryCodes = options.retryCodes.map(String);
  }
  return call;
}

/** The caller's signal: the top-level one wins over fetchOptions.signal. */
function signalOf(options) {
  if (options == null) return undefined;
  return options.signal ?? options.fetchOptions?.signal ?? undefined;
}

module.exports = { checkClientOptions, nativeCallOptions, signalOf };
