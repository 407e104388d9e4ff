"use strict";
// The base of Mix and MixCore: checks options, resolves the server URL and
// owns the native client (one connection pool per instance). Also runs a
// call: the only per-call JS work is option normalisation (skipped when a
// call has none) and bridging the caller's AbortSignal.

const { NativeClient, CancelHandle } = require("./native.js");
const { ServerList, SDK_METADATA, serverURLFromOptions } = require("./config.js");
const { checkClientOptions, nativeCallOptions, signalOf } = require("./options.js");
const { logAttempts, loggerFor } = require("./debug.js");

// Required on first use, not at import: most programs never pass a signal
// or their own HTTPClient, and every module loaded is start-up time.
let abortBridge;
let customClient;

const kStart = Symbol("mix.start");
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
    // Calls in flight. The binding hands finished calls back in batches
    // (src/binding/completions.rs) through `settle`, each under its slot.
    const inFlight = new CallSlots();
    const native = new NativeClient(
      {
        serverUrl: url.href,
        userAgent: options.userAgent ?? SDK_METADATA.userAgent,
        retryConfig: options.retryConfig,
        timeoutMs: options.timeoutMs,
        debug: logger !== undefined,
      },
      settlerOf(inFlight),
      options.httpClient
        ? (customClient ??= require("./custom-client.js")).attemptThrough(options.httpClient)
        : undefined,
    );
    const start = starterOf(native, inFlight);
    Object.defineProperty(this, kStart, { value: start });
  }
}

/**
 * The resolve functions of calls in flight, by slot number. A slot is
 * reused once its call is settled, and every started call is settled
 * exactly once. (A Map keyed by ever-growing ids made V8 grow its young
 * generation by 30 MB under steady load; a reused array does not.)
 */
class CallSlots {
  #resolvers = [];
  #free = [];

  add(resolve) {
    const slot = this.#free.length > 0 ? this.#free.pop() : this.#resolvers.length;
    this.#resolvers[slot] = resolve;
    return slot;
  }

  take(slot) {
    const resolve = this.#resolvers[slot];
    this.#resolvers[slot] = undefined;
    this.#free.push(slot);
    return resolve;
  }
}

// The two closures come from separate functions on purpose: closures made in
// one scope share its variables, and the binding holds `settle` strongly, so
// a `settle` made next to `native` would keep every client alive forever.

/** `settle(valueIds, values, ids, outcomes)`: resolves finished calls. */
function settlerOf(inFlight) {
  return (valueIds, values, ids, outcomes) => {
    for (let i = 0; i < valueIds.length; i++) {
      inFlight.take(valueIds[i])({ kind: "value", value: plainValue(values[2 * i], values[2 * i + 1]) });
    }
    for (let i = 0; i < ids.length; i++) inFlight.take(ids[i])(outcomes[i]);
  };
}

/** `start(call, handle)`: starts a native call; resolves with its outcome.
 * Throws, having started nothing, when the binding refuses the options. */
function starterOf(native, inFlight) {
  return (call, handle) => {
    let slot;
    const promise = new Promise((resolve) => {
      slot = inFlight.add(resolve);
    });
    try {
      native.refreshOAuthTokens(slot, call, handle);
    } catch (err) {
      // Refused before it started (e.g. an option of the wrong type).
      inFlight.take(slot);
      throw err;
    }
    return promise;
  };
}

/** The decoded value as the original returns it: absent fields are absent. */
function plainValue(message, status) {
  if (message == null) return status == null ? {} : { status };
  return status == null ? { message } : { message, status };
}

function invalidOutcome(err) {
  return { kind: "invalidRequest", detail: String(err?.message ?? err), cause: err };
}

/**
 * Starts a call of refreshOAuthTokens on `client`. The promise always
 * resolves, with the native outcome object (see src/binding/outcome.rs).
 */
function callRefreshOAuthTokens(client, options, keepResponse) {
  const start = client[kStart];
  if (start === undefined) {
    return Promise.resolve(invalidOutcome(new TypeError("expected a Mix or MixCore client")));
  }
  let promise;
  if (options == null && !keepResponse) {
    promise = start(undefined, undefined);
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
    if (signal !== undefined) return startWithSignal(start, call, signal, client[kLogger]);
    promise = startNative(start, call, undefined);
  }
  const logger = client[kLogger];
  if (logger === undefined) return promise;
  return promise.then((outcome) => {
    logAttempts(logger, outcome.attempts);
    return outcome;
  });
}

function startNative(start, call, handle) {
  try {
    return start(call, handle);
  } catch (err) {
    // The binding refused an option value (e.g. a wrong type): nothing was sent.
    return Promise.resolve(invalidOutcome(err));
  }
}

/**
 * Runs a call the caller's signal can cancel. An abort settles the call at
 * once (see abort.js); the native outcome that follows is then only logged.
 */
function startWithSignal(start, call, signal, logger) {
  const { watch, unwatch } = (abortBridge ??= require("./abort.js"));
  const handle = new CancelHandle();
  return new Promise((settle, fail) => {
    watch(signal, handle, () => settle({ kind: "aborted", reason: signal.reason }));
    startNative(start, call, handle)
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
