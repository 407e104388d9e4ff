import type { RESTError } from "../index.js";

export type HTTPMeta = { response: Response; request?: Request | undefined; body: string };

/** Base of every error that carries an HTTP response. */
export declare class MixError extends Error {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Headers;
  readonly contentType: string;
  readonly rawResponse: Response;
  constructor(message: string, httpMeta: HTTPMeta);
}

/** Any other 4XX/5XX, or a response no rule matched. */
export declare class MixDefaultError extends MixError {
  constructor(message: string, httpMeta: HTTPMeta);
}

export type ErrorResponseData = { error: RESTError };

/** A 500 with a JSON body matching the error schema. */
export declare class ErrorResponse extends MixError {
  error: RESTError;
  data$: ErrorResponseData;
  constructor(err: ErrorResponseData, httpMeta: HTTPMeta);
}

/** The body does not fit the schema. */
export declare class ResponseValidationError extends MixError {
  readonly rawValue: unknown;
  readonly rawMessage: unknown;
  constructor(message: string, extra: HTTPMeta & { cause: unknown; rawValue: unknown; rawMessage: unknown });
  pretty(): string;
}

/** Bad input to a `…FromJSON` helper. */
export declare class SDKValidationError extends Error {
  readonly rawValue: unknown;
  readonly rawMessage: unknown;
  constructor(message: string, cause: unknown, rawValue: unknown);
  pretty(): string;
}

/** Base of the errors raised before or instead of an HTTP response. */
export declare class HTTPClientError extends Error {
  readonly cause: unknown;
  constructor(message: string, opts?: { cause?: unknown });
}
/** Anything else; never a crash of the process. */
export declare class UnexpectedClientError extends HTTPClientError {}
/** The request could not be built; nothing was sent. */
export declare class InvalidRequestError extends HTTPClientError {}
/** The caller's signal aborted; `cause` is `signal.reason`. */
export declare class RequestAbortedError extends HTTPClientError {}
/** The time limit ran out. */
export declare class RequestTimeoutError extends HTTPClientError {}
/** Refused, reset, DNS, TLS, or a malformed or cut-off response. */
export declare class ConnectionError extends HTTPClientError {}

/** The issues of a validation error's cause, laid out as `pretty()` shows them. */
export declare function formatZodError(err: { issues: ReadonlyArray<{ path: ReadonlyArray<string | number>; message: string; code: string }> }, level?: number): string;
