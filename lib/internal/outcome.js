"use strict";
// Turns the outcome object a native call resolves with into the value or
// the documented error instance, and into the standalone function's
// `[Result, APICall]` pair.

const errors = require("../../models/errors/index.js");
const { SchemaValidationError } = require("./schema.js");
const { revive } = require("./validate.js");
const { makeHeaders, makeResponse } = require("./response.js");

const VALIDATION_MESSAGE = "Response validation failed";

function httpMeta(o) {
  return { response: makeResponse(o.status, o.headers, o.body, o.url), request: undefined, body: o.body };
}

/** An Error shaped like Node's system errors, e.g. `connect ECONNREFUSED …`. */
function causeError(o) {
  const cause = new Error(o.detail);
  if (o.code) cause.code = o.code;
  return cause;
}

/**
 * A `ResponseValidationError`; its `rawValue` is what was validated, as in
 * the original: the parsed body, `{ HttpMeta, Headers, Result }` for a
 * value that carries headers, or `{ HttpMeta, …body, request$, response$,
 * body$ }` for an error body. A body that is not JSON is its text, with the
 * `SyntaxError` as the cause.
 */
function validationError(op, o) {
  const meta = httpMeta(o);
  let parsed = o.body;
  let cause;
  try {
    parsed = JSON.parse(o.body);
  } catch (err) {
    cause = err; // not JSON at all: the SyntaxError is the cause
  }
  const issues = JSON.parse(o.issues);
  let rawValue = parsed;
  if (issues.length > 0) {
    cause = new SchemaValidationError(issues);
    const request = requestOf(op, o);
    const HttpMeta = { Response: meta.response, Request: request };
    if (o.errorBody) {
      const fields = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
      rawValue = { HttpMeta, ...fields, request$: request, response$: meta.response, body$: o.body };
    } else if (o.headerMap !== undefined && o.headerMap !== null) {
      rawValue = { HttpMeta, Headers: JSON.parse(o.headerMap), Result: parsed };
    }
  }
  return new errors.ResponseValidationError(VALIDATION_MESSAGE, {
    ...meta,
    cause,
    rawValue,
    rawMessage: VALIDATION_MESSAGE,
  });
}

/** The request of a call as a `Request` (its URL and method; no body). */
function requestOf(op, o) {
  if (!o.url) return undefined;
  try {
    return new Request(o.url, { method: o.requestMethod ?? op.method, headers: makeHeaders(o.requestHeaders ?? []) });
  } catch {
    return undefined;
  }
}

/** The error for a non-value outcome. */
function toError(op, o) {
  switch (o.kind) {
    case "invalidInput":
      return o.error;
    case "errorResponse": {
      // As the original's: the error body with the request, response and
      // body text beside it (`JSON.stringify` shows them in the message of
      // an error whose own message is empty, the Request and Response as {}).
      const meta = httpMeta(o);
      const request = requestOf(op, o);
      const data = { ...JSON.parse(o.error), request$: request, response$: meta.response, body$: o.body };
      return new errors.ErrorResponse(data, { ...meta, request });
    }
    case "apiError":
      return new errors.MixDefaultError("API error occurred", httpMeta(o));
    case "unexpectedResponse":
      return new errors.MixDefaultError("Unexpected Status or Content-Type", httpMeta(o));
    case "invalidResponse":
      return validationError(op, o);
    // `thrown` is what a caller's HTTPClient threw (see sdk.js): the cause,
    // as in the original.
    case "connection":
      return new errors.ConnectionError("Unable to make request", { cause: o.thrown ?? causeError(o) });
    case "timeout":
      // `reason` is set when the caller's signal timed out (see sdk.js).
      return new errors.RequestTimeoutError("Request timed out", {
        cause: o.reason ?? o.thrown ?? new DOMException(o.detail, "TimeoutError"),
      });
    case "aborted":
      // `reason` is set by the caller's side from signal.reason; without it
      // the caller's HTTP client aborted the attempt itself.
      return new errors.RequestAbortedError("Request aborted by client", {
        cause: "reason" in o ? o.reason : (o.thrown ?? new DOMException(o.detail, "AbortError")),
      });
    case "invalidRequest":
      // Messages meant for the caller as they are: no base URL, and a path
      // parameter that would change the route (named in the message).
      if (o.detail === "No base URL provided for operation" || o.code === "ERR_INVALID_PATH_PARAMETER") {
        return new errors.InvalidRequestError(o.detail);
      }
      return new errors.InvalidRequestError("Invalid request", { cause: o.cause ?? new TypeError(o.detail) });
    default:
      return new errors.UnexpectedClientError("Unexpected HTTP client error", {
        cause: o.cause ?? o.thrown ?? causeError(o),
      });
  }
}

/**
 * The value of operation `op` from a call's outcome: the JSON text the
 * Rust decoder wrote (a string outcome, or an outcome object's `value`),
 * parsed, with its date-times made `Date`s; `""` is no value.
 */
function valueOf(op, o) {
  // A download's value is its stream (see sdk.js).
  if (op.bytes) return o.stream;
  const text = typeof o === "string" ? o : o.value;
  if (text === "") return undefined;
  const value = revive(op.value, JSON.parse(text));
  // An event stream's events (see sdk.js): `{ headers, result }`.
  if (typeof o === "object" && o.stream !== undefined) value.result = o.stream;
  return value;
}

/** A namespace method's result: the value, or the error thrown. */
function valueOrThrow(op, o) {
  if (typeof o === "string" || o.kind === "value") return valueOf(op, o);
  throw toError(op, o);
}

/** `[Result, APICall]` for the standalone function's APIPromise. */
function toResultPair(op, o) {
  const result =
    typeof o === "string" || o.kind === "value" ? { ok: true, value: valueOf(op, o) } : { ok: false, error: toError(op, o) };
  return [result, apiCall(op, o, result)];
}

function apiCall(op, o, result) {
  if (typeof o === "string") return { status: "complete", request: undefined, response: undefined };
  if (o.kind === "invalidRequest" || o.kind === "invalidInput") {
    return { status: "invalid", request: undefined, response: undefined };
  }
  const request = requestOf(op, o);
  if (o.status === undefined) return { status: "request-error", request, response: undefined };
  const response = result.ok ? makeResponse(o.status, o.headers, o.body, o.url) : result.error.rawResponse;
  return { status: "complete", request, response };
}

module.exports = { toError, toResultPair, valueOrThrow };
