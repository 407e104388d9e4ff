"use strict";
// The base of Mix and MixCore: checks options, resolves the server URL and
// owns the native client (its connections live in process-wide pools, see
// crates/mix-core/src/pool.rs). Also runs a call: the only per-call JS work
// is option normalisation (skipped when a call has none) and bridging the
// caller's AbortSignal. Whatever a caller passes, starting a call never
// throws: the promise resolves with an outcome, and the public methods turn
// a failed outcome into a rejection or a failed Result.

const { NativeClient, CallDelivery } = require("./native.js");
const { ServerList, SDK_METADATA, serverURLFromOptions } = require("./config.js");
const { checkClientOptions, nativeCallOptions, signalOf } = require("./options.js");
const { logAttempts, logWarnings, loggerFor } = require("./debug.js");
const { networkOptions } = require("./environment.js");

// Loaded at import, not on first use: loading a module later can itself
// fail (e.g. with EMFILE once the process has run out of file descriptors),
// and that would escape as a raw exception from a constructor or a call.
const abortBridge = require("./abort.js");
const customClients = require("./custom-client.js");
require("./outcome.js");
// Set once a client with the caller's own HTTPClient exists; until then
// settling calls skips looking for what a fetcher threw.
let customClient;

const kStart = Symbol("mix.start");
const kLogger = Symbol("mix.logger");

// The calls in flight of every client of this environment (the main thread
// or a worker), and the native delivery that hands them back in batches
// (src/binding/completions.rs), made with the first client. One for all
// clients: per-client handles would wait for the garbage collector. The
// binding holds `settle` only while calls are pending; this module holds it
// always, so both are collected with the module if it is ever unloaded.
let inFlight;
let settle;
let delivery;

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
    if (delivery === undefined) {
      inFlight = new CallSlots();
      settle = settlerOf(inFlight);
      delivery = new CallDelivery(settle);
    }
    let native;
    try {
      native = new NativeClient(
        {
          serverUrl: url.href,
          userAgent: options.userAgent ?? SDK_METADATA.userAgent,
          retryConfig: options.retryConfig,
          timeoutMs: options.timeoutMs,
          debug: logger !== undefined,
          ...networkOptions(),
        },
        delivery,
        options.httpClient
          ? (customClient = customClients).attemptThrough(options.httpClient)
          : undefined,
      );
    } catch (err) {
      // A base URL with credentials or a bad proxy URL: a bad option value.
      if (err?.code === "InvalidArg") throw new TypeError(err.message);
      throw err;
    }
    if (logger !== undefined) logWarnings(logger, native.warnings);
    Object.defineProperty(this, kStart, { value: starterOf(native) });
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

/** `settle(valueIds, values, ids, outcomes)`: resolves finished calls. */
function settlerOf(slots) {
  return (valueIds, values, ids, outcomes) => {
    // Once a caller's HTTPClient exists, what its fetcher threw for a call
    // is forgotten as the call settles, and given to its error.
    const custom = customClient;
    for (let i = 0; i < valueIds.length; i++) {
      custom?.takeThrown(valueIds[i]);
      slots.take(valueIds[i])({ kind: "value", value: plainValue(values[2 * i], values[2 * i + 1]) });
    }
    for (let i = 0; i < ids.length; i++) {
      const outcome = outcomes[i];
      const thrown = custom?.takeThrown(ids[i]);
      if (thrown !== undefined && thrown.kind === outcome.kind) outcome.thrown = thrown.err;
      slots.take(ids[i])(outcome);
    }
  };
}

/** `start(call, handle)`: starts a native call; resolves with its outcome.
 * Throws, having started nothing, when the binding refuses the options. */
function starterOf(native) {
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
  let detail;
  try {
    detail = String(err?.message ?? err);
  } catch {
    detail = "invalid request options";
  }
  return { kind: "invalidRequest", detail, cause: err };
}

/**
 * The outcome of a call its signal ended: a `TimeoutError` reason (from
 * `AbortSignal.timeout()`, alone or in `AbortSignal.any()`) is a time
 * limit, as in the original; any other reason an abort.
 */
function signalOutcome(signal) {
  const reason = signal.reason;
  const named = (typeof reason === "object" || typeof reason === "function") && reason !== null;
  return { kind: named && reason.name === "TimeoutError" ? "timeout" : "aborted", reason };
}

/**
 * Starts a call of refreshOAuthTokens on `client`. The promise always
 * resolves, with the native outcome object (see src/binding/outcome.rs),
 * and nothing here throws, whatever the caller passed.
 */
function callRefreshOAuthTokens(client, options, keepResponse) {
  try {
    return startCall(client, options, keepResponse);
  } catch (err) {
    // e.g. an options object or signal whose getters throw
    return Promise.resolve(invalidOutcome(err));
  }
}

function startCall(client, options, keepResponse) {
  const start = client?.[kStart];
  if (start === undefined) {
    return Promise.resolve(invalidOutcome(new TypeError("expected a Mix or MixCore client")));
  }
  let promise;
  if (options == null && !keepResponse) {
    promise = start(undefined, undefined);
  } else {
    const call = nativeCallOptions(options, keepResponse);
    const signal = signalOf(options);
    if (signal !== undefined && signal.aborted) return Promise.resolve(signalOutcome(signal));
    if (signal !== undefined) {
      return startWithSignal(start, delivery.cancelHandle(), call, signal, client[kLogger]);
    }
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
function startWithSignal(start, handle, call, signal, logger) {
  const { watch, unwatch } = abortBridge;
  let settle, fail;
  const settled = new Promise((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Throws, having watched nothing, for a signal that is not an AbortSignal.
  watch(signal, handle, () => settle(signalOutcome(signal)));
  startNative(start, call, handle)
    .then((outcome) => {
      unwatch(signal, handle);
      if (outcome.kind === "aborted" && signal.aborted) Object.assign(outcome, signalOutcome(signal));
      if (logger !== undefined) logAttempts(logger, outcome.attempts);
      settle(outcome);
    })
    .catch(fail);
  return settled;
}

module.exports = { ClientSDK, ServerList, SDK_METADATA, serverURLFromOptions, callRefreshOAuthTokens };
