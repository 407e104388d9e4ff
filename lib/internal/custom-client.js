"use strict";
// The attempt function handed to the native client when the caller passes
// their own HTTPClient: the Rust engine still decides retries, waits and time
// limits; each attempt goes through `httpClient.request`, so its hooks and
// fetcher see every one. Failures are classified here, as the original does.
//
// Each Request carries a signal that aborts when the engine gives up on the
// attempt or its body (the call's time limit, the caller's abort, a stream
// stopped, a worker shutting down), so the fetch and its socket close at
// once (see src/binding/fetch.rs). Bodies are read piece by piece as the
// engine asks (it applies the body limit, and reads a stream's events as
// they come).

/** The original SDK's tests for an aborted and a timed-out fetch. */
function hasNameOrCode(err, name, legacyCode) {
  if (typeof err !== "object" || err === null) return false;
  return (
    err.name === name ||
    err.code === legacyCode ||
    (typeof err.code === "string" && err.code.toLowerCase() === "econnaborted")
  );
}

/** How the original classifies what a fetcher threw: the error class it becomes. */
function errorKind(err) {
  if (isAbortError(err)) return "aborted";
  if (isTimeoutError(err)) return "timeout";
  if (isConnectionError(err)) return "connection";
  return "unexpected";
}

/** The original SDK's tests (also public, from lib/http.js). */
const isAbortError = (err) => hasNameOrCode(err, "AbortError", 20);
const isTimeoutError = (err) => hasNameOrCode(err, "TimeoutError", 23);

/** The original SDK's test for a failed connection from fetch and friends. */
function isConnectionError(err) {
  if (typeof err !== "object" || err === null) return false;
  const message = typeof err.message === "string" ? err.message.toLowerCase() : "";
  return (
    (err instanceof TypeError && (message.startsWith("fetch failed") || message.startsWith("failed to fetch"))) ||
    err.name === "ConnectionError" ||
    (typeof err.code === "string" && err.code.toLowerCase() === "econnreset")
  );
}

/**
 * What the fetchers and hooks of this thread threw, by the call's slot, as
 * `{ err, kind }` (`kind` the outcome kind it makes): the call's error gets
 * `err` as its `cause` when the call ends that way, as in the original. Set
 * by a failed attempt, cleared by the next, taken when the call settles
 * (see sdk.js): at most one entry per call in flight.
 */
const thrown = new Map();

/** The outcome kind (src/binding/outcome.rs) of each attempt error kind. */
const OUTCOME_KIND = { connection: "connection", timeout: "timeout", aborted: "aborted", unexpected: "unexpectedClient" };

/**
 * The uploads of calls in flight, by slot (see upload.js): a caller's
 * HTTPClient sends their content itself, as a `Blob` or a stream framed by
 * the multipart head and tail the core made.
 */
const uploads = new Map();

/** Call `slot` is an upload (until it settles). */
function uploading(slot, upload) {
  uploads.set(slot, upload);
}

/** What the last attempt of call `slot` threw, if it failed; forgets it
 * (the call is settling), and its upload too. */
function takeThrown(slot) {
  uploads.delete(slot);
  const entry = thrown.get(slot);
  if (entry !== undefined) thrown.delete(slot);
  return entry;
}

/**
 * The native client's attempt function (src/binding/fetch.rs):
 * - `(id, call, method, url, headers, body, framing)` sends attempt `id` of
 *   the call in slot `call` (`body` a Buffer or null; each attempt gets the
 *   same bytes; an upload's `framing` is its multipart head and tail, around
 *   the content its upload gives) and resolves with the response head;
 * - `(id, call, "read")` resolves with the next piece of that response's
 *   body (`{ chunk }`; no chunk at its end); `call` is the slot of the call
 *   waiting for it, or null for a stream read after its call settled;
 * - `(id, null, null)` cancels the attempt, or gives up its body (the
 *   binding calls it that way only after the attempt itself, so an unknown
 *   id has already finished).
 */
function attemptThrough(httpClient) {
  const inFlight = new Map(); // id -> AbortController, until the head arrives
  const bodies = new Map(); // id -> { response, reader, controller }, until read or given up
  return (id, call, method, url, flatHeaders, body, framing) => {
    if (method === "read") return readBody(bodies, id, call);
    if (call == null) {
      const aborted = new DOMException("This operation was aborted", "AbortError");
      inFlight.get(id)?.abort(aborted);
      inFlight.delete(id);
      const open = bodies.get(id);
      if (open !== undefined) {
        bodies.delete(id);
        giveUp(open, aborted);
      }
      return undefined;
    }
    thrown.delete(call);
    const controller = new AbortController();
    inFlight.set(id, controller);
    // An upload's content is its upload's to give (see upload.js).
    const upload = framing != null ? { upload: uploads.get(call), framing } : undefined;
    return send(httpClient, call, method, url, flatHeaders, upload ?? body, controller.signal)
      .then((head) => {
        const response = head.response;
        delete head.response;
        if (response === undefined) return head;
        const open = { response, reader: undefined, controller };
        // Cancelled while the fetcher or its hooks were still at work:
        // nobody will read or give up this body but us.
        if (controller.signal.aborted) giveUp(open, controller.signal.reason);
        else bodies.set(id, open);
        return head;
      })
      .finally(() => inFlight.delete(id));
  };
}

/** Lets go of a response body: its fetch is aborted and its stream
 * cancelled (for a fetcher that does not pass the signal on). */
function giveUp(open, reason) {
  open.controller.abort(reason);
  const cancelled = open.reader !== undefined ? open.reader.cancel(reason) : open.response.body?.cancel(reason);
  cancelled?.catch(() => {});
}

async function send(httpClient, call, method, url, flatHeaders, body, signal) {
  try {
    const headers = new Headers();
    for (let i = 0; i + 1 < flatHeaders.length; i += 2) headers.append(flatHeaders[i], flatHeaders[i + 1]);
    const init = { method, headers, signal };
    if (body?.framing !== undefined) {
      if (body.upload === undefined) throw new Error("the upload of this call is gone");
      init.body = body.upload.bodyFor(...body.framing);
      // A stream body is sent as it is read (`fetch` needs to be told).
      if (init.body instanceof ReadableStream) init.duplex = "half";
    } else if (body != null) init.body = body;
    const response = await httpClient.request(new Request(url, init));
    const pairs = [];
    for (const [name, value] of response.headers) pairs.push(name, value);
    return { status: response.status, headers: pairs, response };
  } catch (err) {
    // The upload's own source failing is not the connection's fault (a
    // Blob that cannot be read fails `fetch` with a NotReadableError cause).
    const source = body?.upload?.failure ?? (body?.framing !== undefined && err?.cause?.name === "NotReadableError" ? err.cause : undefined);
    return source !== undefined ? failed(source, call, signal, false, "unexpected") : failed(err, call, signal);
  }
}

/** The next piece of a response's body (for the call in slot `call`, if any). */
async function readBody(bodies, id, call) {
  const open = bodies.get(id);
  if (open === undefined) return {}; // given up already: nothing more
  try {
    if (open.response.body === null) {
      bodies.delete(id);
      return {};
    }
    open.reader ??= open.response.body.getReader();
    const { done, value } = await open.reader.read();
    if (done) {
      bodies.delete(id);
      return {};
    }
    if (!(value instanceof Uint8Array)) throw new TypeError("the response body gave a chunk that is not a Uint8Array");
    return { chunk: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
  } catch (err) {
    bodies.delete(id);
    // A stream's reads come after its call settled (no `call`): its slot
    // may be another call's by now, so nothing is kept for it.
    return failed(err, call ?? undefined, open.controller.signal, isBodyConnectionError(err));
  }
}

/** What fetch and undici throw when a connection fails while a body is read. */
function isBodyConnectionError(err) {
  if (isConnectionError(err)) return true;
  const codes = ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"];
  return (
    (err instanceof TypeError && err.message === "terminated") ||
    (typeof err?.code === "string" && codes.includes(err.code)) ||
    (typeof err?.cause?.code === "string" && codes.includes(err.cause.code))
  );
}

/** A failure as the binding takes it, classified as the original does
 * (`connection`: a lost connection, whatever the error looks like). */
function failed(err, call, signal, connection = false, knownKind = undefined) {
  let kind, cause, message;
  try {
    kind = knownKind ?? errorKind(err);
    if (connection && kind === "unexpected") kind = "connection";
    cause = err?.cause ?? err;
    message = String(cause?.message ?? cause);
  } catch {
    kind ??= "unexpected";
    message = "the HTTP client failed with an error that cannot be shown";
  }
  // An attempt the engine cancelled belongs to a call settled already:
  // what it throws now (its abort) must not wait for the slot's next call.
  if (call !== undefined && !signal.aborted) thrown.set(call, { err, kind: OUTCOME_KIND[kind] });
  return {
    errorKind: kind,
    errorMessage: message,
    errorCode: typeof cause?.code === "string" ? cause.code : undefined,
  };
}

module.exports = { attemptThrough, takeThrown, uploading, isAbortError, isTimeoutError, isConnectionError };
