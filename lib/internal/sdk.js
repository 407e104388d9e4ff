"use strict";
// The base of Mix and MixCore: checks options, resolves the server URL and
// owns the native client (one connection pool per instance). Also runs a
// call: the only per-call JS work is option normalisation (skipped when a
// call has none) and bridging the caller's AbortSignal.

const { NativeClient, CancelHandle } = require("./native.js");
const { ServerList, SDK_METADATA, serverURLFromOptions } = require("./config.js");
const { checkClientOptions, nativeCallOptions, signalOf } = require("./options.js");
const { watch, unwatch } = require("./abort.js");
const { logAttempts, loggerFor } = require("./debug.js");
const { attemptThrough } = require("./custom-client.js");

const kNative = Symbol("mix.native");
const kLogger = Symbol("mix.logger");

class ClientSDK {
  constructor(options = {}) {
    checkClientOptions(options);
    const url = serverURLFromOptions(options);
    // Trailing slashes of the base path collapse into one (as in the original).
    url.pathname = url.pathname.replace(/\/+$/, "") + "/";
    this._baseURL = url;
    this._options = { ...options };
    const logger = loggerFor(options);
    Object.defineProperty(this, kLogger, { value: logger });
    const native = new NativeClient(
      {
        serverUrl: url.href,
        userAgent: options.userAgent ?? SDK_METADATA.userAgent,
        retryConfig: options.retryConfig,
        timeoutMs: options.timeoutMs,
        debug: logger !== undefined,
      },
      options.httpClient ? attemptThrough(options.httpClient) : undefined,
    );
    Object.defineProperty(this, kNative, { value: native });
  }
}

function invalidOutcome(err) {
  return { kind: "invalidRequest", detail: String(err?.message ?? err), cause: err };
}

/**
 * Starts a call of refreshOAuthTokens on `client`. The promise always
 * resolves, with the native outcome object (see src/binding/outcome.rs).
 */
function callRefreshOAuthTokens(client, options, keepResponse) {
  const native = client[kNative];
  if (native === undefined) {
    return Promise.resolve(invalidOutcome(new TypeError("expected a Mix or MixCore client")));
  }
  let promise;
  if (options == null && !keepResponse) {
    promise = native.refreshOAuthTokens(undefined, undefined);
  } else {
    let call;
    try {
      call = nativeCallOptions(options, keepResponse);
    } catch (err) {
      return Promise.resolve(invalidOutcome(err));
    }
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) {
      return Promise.resolve({ kind: "aborted", reason: signal.reason });
    }
    if (signal !== undefined) return startWithSignal(native, call, signal, client[kLogger]);
    promise = startNative(native, call, undefined);
  }
  const logger = client[kLogger];
  if (logger === undefined) return promise;
  return promise.then((outcome) => {
    logAttempts(logger, outcome.attempts);
    return outcome;
  });
}

function startNative(native, call, handle) {
  try {
    return native.refreshOAuthTokens(call, handle);
  } catch (err) {
    // The binding refused an option value (e.g. a wrong type): nothing was sent.
    return Promise.resolve(invalidOutcome(err));
  }
}

/**
 * Runs a call the caller's signal can cancel. An abort settles the call at
 * once (see abort.js); the native outcome that follows is then only logged.
 */
function startWithSignal(native, call, signal, logger) {
  const handle = new CancelHandle();
  return new Promise((settle, fail) => {
    watch(signal, handle, () => settle({ kind: "aborted", reason: signal.reason }));
    startNative(native, call, handle)
      .then((outcome) => {
        unwatch(signal, handle);
        if (outcome.kind === "aborted") outcome.reason = signal.reason;
        if (logger !== undefined) logAttempts(logger, outcome.attempts);
        settle(outcome);
      })
      .catch(fail);
  });
}

module.exports = { ClientSDK, ServerList, SDK_METADATA, serverURLFromOptions, callRefreshOAuthTokens };
