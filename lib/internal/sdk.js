"use strict";
// The base of Mix, MixCore and the namespaces: checks options and owns the
// native client (its connections live in process-wide pools, see
// crates/mix-core/src/pool.rs). Also the one call path of every operation:
// the request is validated and put in its wire shape here (the operation
// table is lib/internal/schemas.js), the options normalised (skipped when a
// call has none) and the caller's AbortSignal bridged; everything else
// happens in Rust. Whatever a caller passes, starting a call never throws:
// the promise resolves with an outcome, and the public methods turn a
// failed outcome into a rejection or a failed Result.

const { NativeClient, CallDelivery, NativeStream, tableDigest } = require("./native.js");
const { digest } = require("./schemas.js");

// The operation tables of the JS and of the addon must be the same
// generation: an addon built before `openapi.yaml` changed would run the
// wrong operations.
if (tableDigest() !== digest) {
  throw new Error(
    "mix-typescript-sdk: the native addon was built from another openapi.yaml than this JavaScript; rebuild it (npm run build)",
  );
}
const { ServerList, SDK_METADATA, serverURLFromOptions } = require("./config.js");
const { checkClientOptions, nativeCallOptions, signalOf } = require("./options.js");
const { logAttempts, logWarnings, loggerFor } = require("./debug.js");
const { networkOptions } = require("./environment.js");
const { outbound } = require("./validate.js");
const { SchemaValidationError } = require("./schema.js");
const { SDKValidationError, InvalidRequestError } = require("../../models/errors/index.js");
const { toError, toResultPair, valueOrThrow } = require("./outcome.js");
const { kSource, eventReader, nativeSource, byteStream } = require("./event-source.js");
const { uploadOf } = require("./upload.js");
const { APIPromise } = require("../../types/async.js");

// Loaded at import, not on first use: loading a module later can itself
// fail (e.g. with EMFILE once the process has run out of file descriptors),
// and that would escape as a raw exception from a constructor or a call.
const abortBridge = require("./abort.js");
const { EventStream } = require("../event-streams.js");
const customClients = require("./custom-client.js");
// Set once a client with the caller's own HTTPClient exists; until then
// settling calls skips looking for what a fetcher threw.
let customClient;

const kStart = Symbol("mix.start");
const kShared = Symbol("mix.shared");
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
  constructor(options = {}, parent = undefined) {
    if (options === kShared) {
      // A namespace of `parent`: the same native client, base URL, logger
      // and options, all fixed when the parent was made.
      this._baseURL = parent._baseURL;
      this._options = parent._options;
      Object.defineProperty(this, kLogger, { value: parent[kLogger] });
      Object.defineProperty(this, kStart, { value: parent[kStart] });
      return;
    }
    checkClientOptions(options);
    const url = serverURLFromOptions(options);
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
    // The base URL as the Rust core normalised it (its path ends in one `/`).
    this._baseURL = new URL(native.baseUrl);
    if (logger !== undefined) logWarnings(logger, native.warnings);
    Object.defineProperty(this, kStart, { value: starterOf(native) });
  }
}

/**
 * A namespace (`mix.sessions`, …). Made by its parent's getter, it shares
 * the parent's native client (and so the settings read when the parent was
 * made); made directly, `new Sessions(options)`, it is a client of its own.
 */
class Namespace extends ClientSDK {
  constructor(parentOrOptions) {
    if (parentOrOptions instanceof ClientSDK) super(kShared, parentOrOptions);
    else super(parentOrOptions);
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

/** `settle(valueIds, values, ids, outcomes)`: resolves finished calls, a
 * plain value with its JSON text (a string), anything else with its
 * outcome object (see src/binding/outcome.rs). */
function settlerOf(slots) {
  return (valueIds, values, ids, outcomes) => {
    // Once a caller's HTTPClient exists, what its fetcher threw for a call
    // is forgotten as the call settles, and given to its error.
    const custom = customClient;
    for (let i = 0; i < valueIds.length; i++) {
      custom?.takeThrown(valueIds[i]);
      slots.take(valueIds[i])(values[i]);
    }
    for (let i = 0; i < ids.length; i++) {
      const outcome = outcomes[i];
      const thrown = custom?.takeThrown(ids[i]);
      if (thrown !== undefined && thrown.kind === outcome.kind) outcome.thrown = thrown.err;
      slots.take(ids[i])(outcome);
    }
  };
}

/**
 * Runs `begin(slot)`, which starts something native that settles under
 * `slot`; resolves with its outcome. Throws, having started nothing, when
 * `begin` throws.
 */
function inSlot(begin) {
  let slot;
  const promise = new Promise((resolve) => {
    slot = inFlight.add(resolve);
  });
  try {
    begin(slot);
  } catch (err) {
    inFlight.take(slot);
    throw err;
  }
  return promise;
}

/** `start(op, request, call, handle, stream)`: starts a native call;
 * resolves with its outcome. Throws, having started nothing, when the
 * binding refuses the options. An upload's content that is not bytes is
 * read through `request.upload` (see upload.js). */
function starterOf(native) {
  return (op, request, call, handle, stream) =>
    inSlot((slot) => {
      const upload = request?.upload;
      native.call(slot, op, request, call, handle, stream, upload?.read);
      // A caller's HTTPClient reads the content itself (custom-client.js).
      if (upload !== undefined) customClient?.uploading(slot, upload);
    });
}

/** Asks a stream's driver for its next batch; resolves with the outcome. */
function pullBatch(stream) {
  try {
    return inSlot((slot) => stream.next(slot));
  } catch (err) {
    return Promise.resolve({ kind: "unexpectedClient", detail: String(err?.message ?? err), cause: err });
  }
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

/** An outcome the native side reports as aborted, with the caller's
 * signal's reason when it was that signal. */
function withSignalReason(outcome, signal) {
  if (outcome.kind === "aborted" && signal?.aborted) Object.assign(outcome, signalOutcome(signal));
  return outcome;
}

/**
 * The request of a call in the form the binding takes, or an outcome for a
 * request that does not fit its type (nothing is sent): values validated,
 * defaults filled and keys renamed by the operation's request schema, then
 * path, query and header values as strings and the body as JSON text.
 */
function nativeRequest(op, request) {
  if (op.request === null || (request === undefined && op.optional)) return undefined;
  const issues = [];
  const wire = outbound(op.request, request, [], issues);
  if (issues.length > 0) {
    const error = new SDKValidationError("Input validation failed", new SchemaValidationError(issues), request);
    return { kind: "invalidInput", error };
  }
  const native = {};
  if (op.path.length > 0) native.path = op.path.map((name) => String(wire[name]));
  if (op.query.length > 0) native.query = pairs(op.query, wire);
  if (op.headers.length > 0) native.headers = pairs(op.headers, wire);
  // A lone surrogate has no UTF-8 form: sent, it would be another value.
  const bad = [...op.path, ...op.query, ...op.headers].find(
    (name) => typeof wire[name] === "string" && !wire[name].isWellFormed(),
  );
  if (bad !== undefined) {
    const error = new InvalidRequestError(`Parameter "${bad}" is not well-formed Unicode (it has a lone surrogate)`);
    return { kind: "invalidInput", error };
  }
  if (op.multipart !== undefined) {
    native.upload = uploadOf(wire[op.body][op.multipart]);
    native.multipart = native.upload.part;
  } else if (op.body === "whole") native.body = JSON.stringify(wire);
  else if (op.body !== null && wire[op.body] !== undefined) native.body = JSON.stringify(wire[op.body]);
  return native;
}

/** Flat name, value pairs of the parameters that are set. */
function pairs(names, wire) {
  const flat = [];
  for (const name of names) {
    if (wire[name] !== undefined) flat.push(name, String(wire[name]));
  }
  return flat;
}

/**
 * Starts a call of operation `op` (an entry of lib/internal/schemas.js) on
 * `client`. The promise always resolves, with the value's JSON text or an
 * outcome object, and nothing here throws, whatever the caller passed.
 */
function callOperation(client, op, request, options, keepResponse) {
  try {
    const native = nativeRequest(op, request);
    if (native?.kind === "invalidInput") return Promise.resolve(native);
    const started = startCall(client, op, native, options, keepResponse);
    return native?.upload === undefined ? started : started.then((outcome) => uploaded(native.upload, outcome));
  } catch (err) {
    // e.g. an options object or signal whose getters throw
    return Promise.resolve(invalidOutcome(err));
  }
}

/** A finished upload's outcome: its source let go of, and what the source
 * threw, if it failed, as the cause of the call's error (SURFACE D2). */
function uploaded(upload, outcome) {
  upload.close();
  if (typeof outcome === "object" && outcome.kind === "unexpectedClient" && upload.failure !== undefined) {
    outcome.cause = upload.failure;
  }
  return outcome;
}

/** A namespace method: the value, or a rejection with a documented error. */
function callMethod(namespace, op, request, options) {
  return callOperation(namespace, op, request, options, false).then((o) => valueOrThrow(op, o));
}

/** A standalone function: an APIPromise of the Result. */
function callFunction(client, op, request, options) {
  return new APIPromise(callOperation(client, op, request, options, true).then((o) => toResultPair(op, o)));
}

function startCall(client, op, request, options, keepResponse) {
  const start = client?.[kStart];
  if (start === undefined) {
    return Promise.resolve(invalidOutcome(new TypeError("expected a Mix or MixCore client")));
  }
  const logger = client[kLogger];
  // An event stream's events, or a download's bytes, come through a
  // handle of their own.
  const stream = op.events || op.bytes ? new NativeStream() : undefined;
  let promise;
  let signal;
  let handle;
  if (options == null && !keepResponse) {
    promise = start(op.index, request, undefined, undefined, stream);
  } else {
    const call = nativeCallOptions(options, keepResponse);
    signal = signalOf(options);
    if (signal !== undefined && signal.aborted) return Promise.resolve(signalOutcome(signal));
    const begin = (h) => startNative(() => start(op.index, request, call, h, stream));
    if (signal !== undefined) {
      handle = delivery.cancelHandle();
      // A stream's signal keeps acting until the stream ends.
      promise = startWithSignal(begin, handle, signal, logger, stream !== undefined);
    } else {
      promise = begin(undefined);
    }
  }
  if (logger !== undefined && handle === undefined) {
    promise = promise.then((outcome) => {
      if (typeof outcome === "object") logAttempts(logger, outcome.attempts);
      return outcome;
    });
  }
  if (stream === undefined) return promise;
  return promise.then((outcome) => withStream(op, outcome, stream, signal, handle, logger));
}

/**
 * The outcome of a stream call with its stream attached (outcome.js makes
 * it the value, or an event stream's `result`); the handle is closed at
 * once when the call failed. The caller's signal keeps acting on the
 * stream: an abort ends it at once, events fetched and not yet read
 * included, and the listener goes when the stream ends or is collected.
 */
function withStream(op, outcome, stream, signal, handle, logger) {
  const opened = typeof outcome === "string" || outcome.kind === "value";
  const stopWatching = () => {
    if (handle !== undefined) abortBridge.unwatch(signal, handle);
  };
  if (!opened) {
    stream.close();
    stopWatching();
    return outcome;
  }
  const toStreamError = (o) => toError(op, withSignalReason(o, signal));
  const onEnd = () => {
    stopWatching();
    unread.unregister(source);
  };
  const read = op.bytes ? undefined : eventReader(op);
  const source = nativeSource(stream, { pull: pullBatch, read, toError: toStreamError, onEnd, logger });
  const result = op.bytes ? byteStream(source) : new EventStream({ [kSource]: source });
  if (handle !== undefined) {
    abortBridge.watch(signal, handle, () => source.fail(toStreamError({ kind: "aborted" })));
    unread.register(result, { signal, handle }, source);
  }
  return typeof outcome === "string" ? { kind: "value", value: outcome, stream: result } : { ...outcome, stream: result };
}

/** Streams collected without having ended: their signal's listener goes too. */
const unread = new FinalizationRegistry(({ signal, handle }) => abortBridge.unwatch(signal, handle));

function startNative(start) {
  try {
    return start();
  } catch (err) {
    // The binding refused an option value (e.g. a wrong type): nothing was sent.
    return Promise.resolve(invalidOutcome(err));
  }
}

/**
 * Runs a call the caller's signal can cancel. An abort settles the call at
 * once (see abort.js); the native outcome that follows is then only logged.
 */
function startWithSignal(begin, handle, signal, logger, keepWatching) {
  const { watch, unwatch } = abortBridge;
  let settle, fail;
  const settled = new Promise((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Throws, having watched nothing, for a signal that is not an AbortSignal.
  watch(signal, handle, () => settle(signalOutcome(signal)));
  begin(handle)
    .then((outcome) => {
      const opened = keepWatching && (typeof outcome === "string" || outcome.kind === "value");
      if (!opened) unwatch(signal, handle);
      if (typeof outcome === "object") {
        withSignalReason(outcome, signal);
        if (logger !== undefined) logAttempts(logger, outcome.attempts);
      }
      settle(outcome);
    })
    .catch(fail);
  return settled;
}

module.exports = {
  ClientSDK,
  Namespace,
  ServerList,
  SDK_METADATA,
  serverURLFromOptions,
  callOperation,
  callMethod,
  callFunction,
};
