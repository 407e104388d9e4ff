// The standalone function (CONTRACT §4): authenticationRefreshOAuthTokens
// resolves { ok: true, value } or { ok: false, error } for every outcome and
// never rejects; its APIPromise's $inspect() adds the APICall, whose status
// is "complete", "request-error" or "invalid".

import test from "node:test";
import assert from "node:assert/strict";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";
import {
  ConnectionError,
  ErrorResponse,
  InvalidRequestError,
  MixDefaultError,
  ResponseValidationError,
} from "mix-typescript-sdk/models/errors";
import { APIPromise } from "mix-typescript-sdk/types";
import {
  ERROR_JSON,
  NO_RETRY,
  OK_JSON,
  cutOffBody,
  rawServer,
  recordingServer,
  refusedURL,
} from "./helpers/foundation.mjs";

const PATH = "/internal/auth/refresh-tokens";

/** A MixCore without retries whose server answers every request with `response`. */
async function coreAnswering(t, response) {
  const server = await recordingServer(t, response);
  return { server, core: new MixCore({ serverURL: server.url, retryConfig: NO_RETRY }) };
}

/** Awaits the standalone call, failing the test if it rejects. */
async function result(promise) {
  try {
    return await promise;
  } catch (err) {
    assert.fail(`the standalone function rejected with ${err?.name}: ${err?.message}`);
  }
}

test("a 200 resolves { ok: true, value } holding only the keys sent", async (t) => {
  const { core } = await coreAnswering(t, { type: "application/json", body: '{"status":"success","other":1}' });
  const res = await result(authenticationRefreshOAuthTokens(core));
  assert.deepStrictEqual(res, { ok: true, value: { status: "success" } });
});

const FAILURES = [
  ["a 500 error JSON", ErrorResponse, { status: 500, type: "application/json", body: ERROR_JSON }],
  ["a 404 text/plain", MixDefaultError, { status: 404, type: "text/plain", body: "not found" }],
  ["a 200 text/html", MixDefaultError, { type: "text/html", body: "<html></html>" }],
  ["a 204", MixDefaultError, { status: 204 }],
  ["a 200 with message: 42", ResponseValidationError, { type: "application/json", body: '{"message":42}' }],
  ["a 200 whose body is not JSON", ResponseValidationError, { type: "application/json", body: "{nope" }],
  ["an empty 200 JSON body", ResponseValidationError, { type: "application/json", body: "" }],
  ["an unknown error type", ResponseValidationError, { status: 500, type: "application/json", body: '{"error":{"code":1,"message":"m","type":"?"}}' }],
];

for (const [what, ErrorClass, response] of FAILURES) {
  test(`${what} resolves { ok: false, error } with a ${ErrorClass.name}`, async (t) => {
    const { core } = await coreAnswering(t, response);
    const res = await result(authenticationRefreshOAuthTokens(core));
    assert.equal(res.ok, false);
    assert.deepEqual(Object.keys(res), ["ok", "error"]);
    assert.ok(res.error instanceof ErrorClass, `${res.error?.name}: ${res.error?.message}`);
    assert.equal(res.error.name, ErrorClass.name);
  });
}

test("a refused connection resolves { ok: false, error } with a ConnectionError", async () => {
  const core = new MixCore({ serverURL: await refusedURL(), retryConfig: NO_RETRY });
  const res = await result(authenticationRefreshOAuthTokens(core));
  assert.equal(res.ok, false);
  assert.ok(res.error instanceof ConnectionError, `${res.error?.name}: ${res.error?.message}`);
  assert.match(res.error.cause.message, /ECONNREFUSED/);
});

test("a body cut off mid-response resolves { ok: false, error } with a ConnectionError", async (t) => {
  const server = await rawServer(t, cutOffBody);
  const core = new MixCore({ serverURL: server.url, retryConfig: NO_RETRY });
  const res = await result(authenticationRefreshOAuthTokens(core));
  assert.equal(res.ok, false);
  assert.ok(res.error instanceof ConnectionError, `${res.error?.name}: ${res.error?.message}`);
});

const INVALID = {
  'an empty per-call serverURL': { serverURL: "" },
  "a relative per-call serverURL": { serverURL: "/api" },
  "an unparsable per-call serverURL": { serverURL: "http://exa mple.com" },
  "a header value with CR/LF": { headers: { "x-bad": "a\r\nb" } },
};

for (const [what, options] of Object.entries(INVALID)) {
  test(`${what} resolves { ok: false, error } with an InvalidRequestError and sends nothing`, async (t) => {
    const { server, core } = await coreAnswering(t, { type: "application/json", body: OK_JSON });
    const res = await result(authenticationRefreshOAuthTokens(core, options));
    assert.equal(res.ok, false);
    assert.ok(res.error instanceof InvalidRequestError, `${res.error?.name}: ${res.error?.message}`);
    assert.equal(server.requests.length, 0);
  });
}

test("the empty per-call serverURL error reads 'No base URL provided for operation'", async () => {
  const core = new MixCore({ serverURL: "http://127.0.0.1:9" });
  const res = await result(authenticationRefreshOAuthTokens(core, { serverURL: "" }));
  assert.equal(res.error.message, "No base URL provided for operation");
});

test("the standalone function returns an APIPromise that is awaitable and thenable", async (t) => {
  const { server, core } = await coreAnswering(t, { type: "application/json", body: OK_JSON });
  const p = authenticationRefreshOAuthTokens(core);
  assert.ok(p instanceof APIPromise);
  assert.equal(Object.prototype.toString.call(p), "[object APIPromise]");
  const viaThen = await p.then((r) => r.ok);
  assert.equal(viaThen, true);
  let finallyRan = false;
  await p.finally(() => {
    finallyRan = true;
  });
  assert.ok(finallyRan);
  assert.equal(server.requests.length, 1, "awaiting the APIPromise several times sends one request");
});

test("$inspect() of a 200 resolves [result, apiCall] with status 'complete' and the Response", async (t) => {
  const { server, core } = await coreAnswering(t, { type: "application/json", body: OK_JSON, headers: { "x-id": "9" } });
  const p = authenticationRefreshOAuthTokens(core);
  const [res, apiCall] = await p.$inspect();
  assert.deepStrictEqual(res, { ok: true, value: { message: "Token refresh triggered successfully", status: "success" } });
  assert.equal(await p, res, "awaiting and $inspect() share one result");
  assert.equal(apiCall.status, "complete");
  assert.ok(apiCall.response instanceof Response);
  assert.equal(apiCall.response.status, 200);
  assert.equal(apiCall.response.headers.get("x-id"), "9");
  assert.equal(await apiCall.response.text(), OK_JSON);
  assert.ok(apiCall.request instanceof Request);
  assert.equal(apiCall.request.method, "POST");
  assert.equal(apiCall.request.url, `${server.url}${PATH}`);
});

test("$inspect() of an error response resolves status 'complete' with that response", async (t) => {
  const { core } = await coreAnswering(t, { status: 404, type: "text/plain", body: "not found" });
  const [res, apiCall] = await authenticationRefreshOAuthTokens(core).$inspect();
  assert.equal(res.ok, false);
  assert.ok(res.error instanceof MixDefaultError);
  assert.equal(apiCall.status, "complete");
  assert.ok(apiCall.response instanceof Response);
  assert.equal(apiCall.response.status, 404);
});

test("$inspect() of a refused connection resolves status 'request-error' without a response", async () => {
  const url = await refusedURL();
  const core = new MixCore({ serverURL: url, retryConfig: NO_RETRY });
  const [res, apiCall] = await authenticationRefreshOAuthTokens(core).$inspect();
  assert.ok(res.error instanceof ConnectionError);
  assert.equal(apiCall.status, "request-error");
  assert.equal(apiCall.response, undefined);
  assert.ok(apiCall.request instanceof Request);
  assert.equal(apiCall.request.url, `${url}${PATH}`);
});

test("$inspect() of an empty per-call serverURL resolves status 'invalid' with neither request nor response", async () => {
  const core = new MixCore({ serverURL: "http://127.0.0.1:9" });
  const [res, apiCall] = await authenticationRefreshOAuthTokens(core, { serverURL: "" }).$inspect();
  assert.ok(res.error instanceof InvalidRequestError);
  assert.equal(apiCall.status, "invalid");
  assert.equal(apiCall.request, undefined);
  assert.equal(apiCall.response, undefined);
});
