// Errors (CONTRACT §7): the exact messages users match on, the fields every
// response error carries (a real Headers and Response among them), ErrorResponse,
// `name` and the `instanceof` chains, and connection failures (refused,
// reset, cut off mid-body, not HTTP at all) as ConnectionError.

import test from "node:test";
import assert from "node:assert/strict";
import { Mix } from "mix-typescript-sdk";
import * as errors from "mix-typescript-sdk/models/errors";
import {
  ConnectionError,
  ErrorResponse,
  HTTPClientError,
  InvalidRequestError,
  MixDefaultError,
  MixError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseValidationError,
  SDKValidationError,
  UnexpectedClientError,
} from "mix-typescript-sdk/models/errors";
import {
  ERROR_JSON,
  NO_RETRY,
  cutOffBody,
  rawServer,
  recordingServer,
  refusedURL,
  rejection,
} from "./helpers/foundation.mjs";

async function errorFor(t, response) {
  const server = await recordingServer(t, response);
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  return rejection(mix.internal.refreshOAuthTokens());
}

async function errorFrom(url) {
  const mix = new Mix({ serverURL: url, retryConfig: NO_RETRY });
  return rejection(mix.internal.refreshOAuthTokens());
}

// --- MixDefaultError messages (§7 table) ---------------------------------------

test("404 text/plain 'not found' reads: API error occurred: Status 404 Content-Type text/plain. Body: not found", async (t) => {
  const err = await errorFor(t, { status: 404, type: "text/plain", body: "not found" });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, "API error occurred: Status 404 Content-Type text/plain. Body: not found");
});

test("a 401 with content type exactly application/json has no content-type segment", async (t) => {
  const body = '{"error":{"code":401,"message":"no","type":"unauthorized"}}';
  const err = await errorFor(t, { status: 401, type: "application/json", body });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, `API error occurred: Status 401. Body: ${body}`);
});

test("a content type with a space is quoted in the message", async (t) => {
  const body = '{"error":"nope"}';
  const err = await errorFor(t, { status: 401, type: "application/json; charset=utf-8", body });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, `API error occurred: Status 401 Content-Type "application/json; charset=utf-8". Body: ${body}`);
});

test('no content type and an empty body read: Content-Type "". Body: ""', async (t) => {
  const err = await errorFor(t, { status: 404 });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, 'API error occurred: Status 404 Content-Type "". Body: ""');
  assert.equal(err.contentType, "");
  assert.equal(err.body, "");
});

test("a body longer than 100 characters goes on its own line after the content type", async (t) => {
  const body = "x".repeat(101);
  const err = await errorFor(t, { status: 404, type: "text/plain", body });
  assert.equal(err.message, `API error occurred: Status 404 Content-Type text/plain\nBody: ${body}`);
});

test("a body of exactly 100 characters stays on the same line", async (t) => {
  const body = "y".repeat(100);
  const err = await errorFor(t, { status: 404, type: "text/plain", body });
  assert.equal(err.message, `API error occurred: Status 404 Content-Type text/plain. Body: ${body}`);
});

test("a body longer than 10,000 characters is cut in the message with '...and N more chars'; error.body keeps it whole", async (t) => {
  const body = "a".repeat(9_990) + "b".repeat(20) + "c".repeat(2_345);
  const err = await errorFor(t, { status: 503, type: "text/plain", body });
  assert.equal(
    err.message,
    `API error occurred: Status 503 Content-Type text/plain\nBody: ${body.slice(0, 10_000)}...and ${body.length - 10_000} more chars`,
  );
  assert.equal(err.body, body);
  assert.equal(err.body.length, 12_355);
});

test("a 5XX other than 500 with the error JSON is a MixDefaultError, not an ErrorResponse", async (t) => {
  const body = '{"error":{"code":503,"message":"busy","type":"internal_error"}}';
  const err = await errorFor(t, { status: 503, type: "application/json", body });
  assert.ok(err instanceof MixDefaultError);
  assert.ok(!(err instanceof ErrorResponse));
  assert.equal(err.message, `API error occurred: Status 503. Body: ${body}`);
});

test("a 500 that is not JSON is a MixDefaultError", async (t) => {
  const err = await errorFor(t, { status: 500, type: "text/plain", body: "boom" });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, "API error occurred: Status 500 Content-Type text/plain. Body: boom");
});

// --- ErrorResponse -----------------------------------------------------------------

test("a 500 error JSON is an ErrorResponse with error, data$ and the message from error.message", async (t) => {
  const err = await errorFor(t, { status: 500, type: "application/json", body: ERROR_JSON });
  assert.ok(err instanceof ErrorResponse);
  assert.equal(err.name, "ErrorResponse");
  assert.equal(err.message, "token service down");
  const expected = { code: 500, message: "token service down", type: "internal_error" };
  assert.deepStrictEqual(err.error, expected);
  const { request$, response$, ...data } = err.data$;
  assert.deepStrictEqual(data, { error: expected, body$: ERROR_JSON });
  assert.ok(request$ instanceof Request && response$ === err.rawResponse);
  assert.equal(err.statusCode, 500);
  assert.equal(err.body, ERROR_JSON);
  assert.equal(err.contentType, "application/json");
});

test("an ErrorResponse keeps only the documented fields of the error", async (t) => {
  const body = '{"error":{"type":"validation_error","extra":true,"message":"bad input","code":422},"trace":"t"}';
  const err = await errorFor(t, { status: 500, type: "application/json", body });
  assert.ok(err instanceof ErrorResponse);
  assert.deepStrictEqual(err.error, { code: 422, message: "bad input", type: "validation_error" });
  // At run time data$ also holds the request, response and body (SURFACE §5.6).
  assert.deepStrictEqual(Object.keys(err.data$), ["error", "request$", "response$", "body$"]);
  assert.equal(err.data$.error, err.error);
  assert.ok(err.data$.response$ instanceof Response && err.data$.request$ instanceof Request);
  assert.equal(err.body, body);
});

test("an ErrorResponse with an empty error.message falls back to 'API error occurred: ' and the JSON of its data", async (t) => {
  const body = '{"error":{"type":"internal_error","message":"","code":500}}';
  const err = await errorFor(t, { status: 500, type: "application/json", body });
  assert.ok(err instanceof ErrorResponse);
  // As the original: JSON of data$, whose Request and Response show as {}.
  assert.equal(
    err.message,
    `API error occurred: {"error":{"code":500,"message":"","type":"internal_error"},"request$":{},"response$":{},"body$":${JSON.stringify(body)}}`,
  );
});

// --- fields every response error carries --------------------------------------------

test("a response error carries statusCode, body, contentType, a real Headers and a real Response", async (t) => {
  const err = await errorFor(t, {
    status: 418,
    type: "text/plain; charset=utf-8",
    body: "short and stout",
    headers: { "x-request-id": "req-7", "set-cookie": "a=1" },
  });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.statusCode, 418);
  assert.equal(err.body, "short and stout");
  assert.equal(err.contentType, "text/plain; charset=utf-8");
  assert.ok(err.headers instanceof Headers);
  assert.equal(err.headers.get("x-request-id"), "req-7");
  assert.equal(err.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.ok(err.rawResponse instanceof Response);
  assert.equal(err.rawResponse.status, 418);
  assert.equal(err.rawResponse.headers.get("x-request-id"), "req-7");
  assert.equal(await err.rawResponse.text(), "short and stout");
});

test("an ErrorResponse and a ResponseValidationError carry the same response fields", async (t) => {
  const forResponse = await errorFor(t, { status: 500, type: "application/json", body: ERROR_JSON, headers: { "x-id": "1" } });
  const forValidation = await errorFor(t, { type: "application/json", body: '{"status":1}', headers: { "x-id": "2" } });
  for (const [err, status, id] of [[forResponse, 500, "1"], [forValidation, 200, "2"]]) {
    assert.ok(err.headers instanceof Headers, err.name);
    assert.equal(err.headers.get("x-id"), id);
    assert.ok(err.rawResponse instanceof Response, err.name);
    assert.equal(err.rawResponse.status, status);
    assert.equal(err.statusCode, status);
    assert.equal(err.contentType, "application/json");
  }
});

test("a response error's rawResponse.url is the URL the request went to, as a fetched Response's is", async (t) => {
  const server = await recordingServer(t, { status: 404, type: "text/plain", body: "not found" });
  const mix = new Mix({ serverURL: `${server.url}/api?tenant=a`, retryConfig: NO_RETRY });
  const err = await rejection(mix.internal.refreshOAuthTokens());
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.rawResponse.url, `${server.url}/api/internal/auth/refresh-tokens?tenant=a`);
});

// --- names and instanceof --------------------------------------------------------

test("every error class sets name to its class name", () => {
  const response = new Response("body", { status: 400, headers: { "content-type": "text/plain" } });
  const meta = { response, request: undefined, body: "body" };
  const made = [
    new MixError("m", meta),
    new MixDefaultError("API error occurred", meta),
    new ErrorResponse({ error: { code: 500, message: "m", type: "internal_error" } }, meta),
    new ResponseValidationError("Response validation failed", { ...meta, cause: undefined, rawValue: "x", rawMessage: "r" }),
    new SDKValidationError("bad", new Error("cause"), "raw"),
    new HTTPClientError("h"),
    new ConnectionError("c"),
    new RequestTimeoutError("t"),
    new RequestAbortedError("a"),
    new InvalidRequestError("i"),
    new UnexpectedClientError("u"),
  ];
  // Every class export (formatZodError is the one function beside them).
  assert.equal(made.length, Object.keys(errors).filter((k) => k !== "formatZodError").length);
  for (const err of made) {
    assert.equal(err.name, err.constructor.name);
    assert.equal(errors[err.name], err.constructor);
    assert.ok(err instanceof Error);
  }
});

test("the error classes keep the original's instanceof chains", () => {
  const response = new Response("", { status: 500 });
  const meta = { response, body: "" };
  const er = new ErrorResponse({ error: { code: 500, message: "m", type: "internal_error" } }, meta);
  assert.ok(er instanceof ErrorResponse && er instanceof MixError && er instanceof Error);
  assert.ok(!(er instanceof HTTPClientError));
  const md = new MixDefaultError("x", meta);
  assert.ok(md instanceof MixError && !(md instanceof ErrorResponse));
  const rv = new ResponseValidationError("Response validation failed", { ...meta, cause: undefined, rawValue: 1, rawMessage: "r" });
  assert.ok(rv instanceof MixError);
  assert.ok(rv instanceof SDKValidationError, "ResponseValidationError is an SDKValidationError, as in the original");
  assert.ok(!(new SDKValidationError("m", undefined, 1) instanceof MixError));
  assert.ok(!(md instanceof SDKValidationError));
  for (const C of [ConnectionError, RequestTimeoutError, RequestAbortedError, InvalidRequestError, UnexpectedClientError]) {
    const e = new C("m");
    assert.ok(e instanceof HTTPClientError, C.name);
    assert.ok(e instanceof Error, C.name);
    assert.ok(!(e instanceof MixError), C.name);
  }
  assert.ok(!(new ConnectionError("m") instanceof RequestTimeoutError));
});

test("an HTTPClientError's message is '<text>: <cause>' when there is a cause", () => {
  const cause = new Error("connect ECONNREFUSED 127.0.0.1:1");
  const err = new ConnectionError("Unable to make request", { cause });
  assert.equal(err.message, "Unable to make request: Error: connect ECONNREFUSED 127.0.0.1:1");
  assert.equal(err.cause, cause);
  assert.equal(new InvalidRequestError("No base URL provided for operation").message, "No base URL provided for operation");
});

// --- connection failures ----------------------------------------------------------

test("a refused connection is a ConnectionError 'Unable to make request: …' whose cause names ECONNREFUSED", async () => {
  const url = await refusedURL();
  const err = await errorFrom(url);
  assert.ok(err instanceof ConnectionError, `${err.name}: ${err.message}`);
  assert.ok(err instanceof HTTPClientError);
  assert.equal(err.name, "ConnectionError");
  assert.ok(err.message.startsWith("Unable to make request: "), err.message);
  assert.equal(err.message, `Unable to make request: ${err.cause}`);
  assert.ok(err.cause instanceof Error);
  assert.match(err.cause.message, /ECONNREFUSED/);
  assert.ok(err.cause.message.includes(new URL(url).host), err.cause.message);
});

test("a refused connection is a ConnectionError with per-call retries off too", async () => {
  const mix = new Mix({ serverURL: await refusedURL() });
  const err = await rejection(mix.internal.refreshOAuthTokens({ retries: NO_RETRY }));
  assert.ok(err instanceof ConnectionError, `${err.name}: ${err.message}`);
  assert.match(err.cause.message, /ECONNREFUSED/);
});

test("a body cut off mid-response (Content-Length larger than what was sent) is a ConnectionError", async (t) => {
  const server = await rawServer(t, cutOffBody);
  const err = await errorFrom(server.url);
  assert.ok(err instanceof ConnectionError, `${err.name}: ${err.message}`);
  assert.ok(err.message.startsWith("Unable to make request: "), err.message);
});

test("a connection closed before any response is a ConnectionError", async (t) => {
  const server = await rawServer(t, (socket) => socket.destroy());
  const err = await errorFrom(server.url);
  assert.ok(err instanceof ConnectionError, `${err.name}: ${err.message}`);
});

test("bytes that are not an HTTP response end in an HTTPClientError, not a crash", async (t) => {
  const server = await rawServer(t, (socket) => socket.end("garbage, not HTTP at all\r\n\r\n"));
  const err = await errorFrom(server.url);
  assert.ok(err instanceof HTTPClientError, `${err.name}: ${err.message}`);
  assert.ok(err instanceof ConnectionError || err instanceof UnexpectedClientError, err.name);
});
