"use strict";
// The error classes of the original SDK, with the same names, fields,
// messages and `instanceof` relations. Response errors take the message
// format from the Rust core (formatDefaultErrorMessage) so it lives in one
// place.

const { formatDefaultErrorMessage } = require("../../lib/internal/native.js");
const { isSchemaError, formatIssues } = require("../../lib/internal/schema.js");

/** Base of every error that carries an HTTP response. */
class MixError extends Error {
  constructor(message, httpMeta) {
    super(message);
    const response = httpMeta.response;
    this.statusCode = response.status;
    this.body = httpMeta.body;
    this.headers = response.headers;
    this.contentType = response.headers.get("content-type") || "";
    this.rawResponse = response;
    this.name = "MixError";
  }
}

/** Any 4XX/5XX the operation does not describe, or a response no rule matched. */
class MixDefaultError extends MixError {
  constructor(message, httpMeta) {
    const response = httpMeta.response;
    super(
      formatDefaultErrorMessage(
        String(message ?? ""),
        Number(response.status),
        response.headers.get("content-type"),
        String(httpMeta.body ?? ""),
      ),
      httpMeta,
    );
    this.name = "MixDefaultError";
  }
}

/** A 500 whose JSON body matches the error schema. */
class ErrorResponse extends MixError {
  constructor(err, httpMeta) {
    const message =
      err.error?.message || `API error occurred: ${JSON.stringify(err)}`;
    super(message, httpMeta);
    this.data$ = err;
    this.error = err.error;
    this.name = "ErrorResponse";
  }
}

/** A response body that does not fit the schema (or is not JSON). */
class ResponseValidationError extends MixError {
  constructor(message, extra) {
    super(message, extra);
    this.name = "ResponseValidationError";
    this.cause = extra.cause;
    this.rawValue = extra.rawValue;
    this.rawMessage = extra.rawMessage;
  }

  /** The message, then one line per schema problem. */
  pretty() {
    if (isSchemaError(this.cause)) {
      return `${this.rawMessage}\n${formatIssues(this.cause.issues)}`;
    }
    return this.toString();
  }
}

/** Thrown (as a Result error) by the `…FromJSON` helpers for bad input. */
class SDKValidationError extends Error {
  // Lets `instanceof SDKValidationError` also hold for ResponseValidationError,
  // as it does in the original.
  static [Symbol.hasInstance](instance) {
    if (!(instance instanceof Error)) return false;
    if (!("rawValue" in instance)) return false;
    if (!("rawMessage" in instance)) return false;
    if (!("pretty" in instance)) return false;
    return typeof instance.pretty === "function";
  }

  constructor(message, cause, rawValue) {
    super(`${message}: ${cause}`);
    this.name = "SDKValidationError";
    this.cause = cause;
    this.rawValue = rawValue;
    this.rawMessage = message;
  }

  pretty() {
    if (isSchemaError(this.cause)) {
      return `${this.rawMessage}\n${formatIssues(this.cause.issues)}`;
    }
    return this.toString();
  }
}

/** Base of the errors raised before or instead of an HTTP response. */
/** `String(value)`, or a tag when the value cannot be made a string. */
function describe(value) {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

class HTTPClientError extends Error {
  constructor(message, opts) {
    let msg = message;
    if (opts?.cause) msg += `: ${describe(opts.cause)}`;
    super(msg, opts);
    this.name = "HTTPClientError";
    if (typeof this.cause === "undefined") this.cause = opts?.cause;
  }
}

class UnexpectedClientError extends HTTPClientError {
  constructor(message, opts) {
    super(message, opts);
    this.name = "UnexpectedClientError";
  }
}

class InvalidRequestError extends HTTPClientError {
  constructor(message, opts) {
    super(message, opts);
    this.name = "InvalidRequestError";
  }
}

class RequestAbortedError extends HTTPClientError {
  constructor(message, opts) {
    super(message, opts);
    this.name = "RequestAbortedError";
  }
}

class RequestTimeoutError extends HTTPClientError {
  constructor(message, opts) {
    super(message, opts);
    this.name = "RequestTimeoutError";
  }
}

class ConnectionError extends HTTPClientError {
  constructor(message, opts) {
    super(message, opts);
    this.name = "ConnectionError";
  }
}

/** The original's pretty layout of a validation error's issues. */
function formatZodError(err) {
  return formatIssues(Array.isArray(err?.issues) ? err.issues : []);
}

module.exports = {
  formatZodError,
  MixError,
  MixDefaultError,
  ErrorResponse,
  ResponseValidationError,
  SDKValidationError,
  HTTPClientError,
  UnexpectedClientError,
  InvalidRequestError,
  RequestAbortedError,
  RequestTimeoutError,
  ConnectionError,
};

