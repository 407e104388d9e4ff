// The request the operation sends (CONTRACT §4): method, path, no body,
// default headers; custom headers from `headers` / `fetchOptions.headers` in
// every accepted form and which one wins; the per-call serverURL; and the
// requests that cannot be built, which become InvalidRequestError with
// nothing sent.

import test from "node:test";
import assert from "node:assert/strict";
import { Mix, SDK_METADATA } from "mix-typescript-sdk";
import { HTTPClientError, InvalidRequestError } from "mix-typescript-sdk/models/errors";
import { NO_RETRY, OK_JSON, recordingServer, rejection, sleep } from "./helpers/foundation.mjs";

const PATH = "/internal/auth/refresh-tokens";
const OK = { type: "application/json", body: OK_JSON };

async function setup(t, clientOptions = {}) {
  const server = await recordingServer(t, OK);
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY, ...clientOptions });
  return { server, mix };
}

/** Every value the server received for header `name` (lower case), in order. */
function headerValues(request, name) {
  const values = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i].toLowerCase() === name) values.push(request.rawHeaders[i + 1]);
  }
  return values;
}

test("the request is a POST to <base>/internal/auth/refresh-tokens with no body", async (t) => {
  const { server, mix } = await setup(t);
  await mix.internal.refreshOAuthTokens();
  assert.equal(server.requests.length, 1);
  const [req] = server.requests;
  assert.equal(req.method, "POST");
  assert.equal(req.url, PATH);
  assert.equal(req.body, "");
  assert.equal(req.headers["transfer-encoding"], undefined);
  assert.ok(
    req.headers["content-length"] === undefined || req.headers["content-length"] === "0",
    `content-length ${req.headers["content-length"]}`,
  );
  assert.equal(req.headers["content-type"], undefined);
});

test("the request carries Accept: application/json and the SDK's user-agent", async (t) => {
  const { server, mix } = await setup(t);
  await mix.internal.refreshOAuthTokens();
  const [req] = server.requests;
  assert.deepEqual(headerValues(req, "accept"), ["application/json"]);
  assert.deepEqual(headerValues(req, "user-agent"), [SDK_METADATA.userAgent]);
});

const FORMS = {
  "a plain object": () => ({ "X-Trace-Id": "abc-123" }),
  "an array of pairs": () => [["X-Trace-Id", "abc-123"]],
  "a Headers object": () => new Headers({ "X-Trace-Id": "abc-123" }),
};

for (const [form, make] of Object.entries(FORMS)) {
  test(`a custom header given as ${form} in headers reaches the server`, async (t) => {
    const { server, mix } = await setup(t);
    await mix.internal.refreshOAuthTokens({ headers: make() });
    assert.deepEqual(headerValues(server.requests[0], "x-trace-id"), ["abc-123"]);
    assert.deepEqual(headerValues(server.requests[0], "accept"), ["application/json"]);
  });

  test(`a custom header given as ${form} in fetchOptions.headers reaches the server`, async (t) => {
    const { server, mix } = await setup(t);
    await mix.internal.refreshOAuthTokens({ fetchOptions: { headers: make() } });
    assert.deepEqual(headerValues(server.requests[0], "x-trace-id"), ["abc-123"]);
  });
}

test("repeated names in an array of pairs are combined into one comma-separated value", async (t) => {
  const { server, mix } = await setup(t);
  await mix.internal.refreshOAuthTokens({ headers: [["x-multi", "a"], ["X-Multi", "b"]] });
  assert.equal(server.requests[0].headers["x-multi"], "a, b");
});

test("a top-level headers replaces fetchOptions.headers instead of merging with it", async (t) => {
  const { server, mix } = await setup(t);
  await mix.internal.refreshOAuthTokens({
    headers: { "x-top": "1" },
    fetchOptions: { headers: { "x-nested": "2", "x-top": "nested" } },
  });
  const [req] = server.requests;
  assert.deepEqual(headerValues(req, "x-top"), ["1"]);
  assert.deepEqual(headerValues(req, "x-nested"), []);
});

test("an empty top-level headers still replaces fetchOptions.headers; an undefined one does not", async (t) => {
  const { server, mix } = await setup(t);
  await mix.internal.refreshOAuthTokens({ headers: {}, fetchOptions: { headers: { "x-nested": "1" } } });
  await mix.internal.refreshOAuthTokens({ headers: undefined, fetchOptions: { headers: { "x-nested": "2" } } });
  assert.deepEqual(headerValues(server.requests[0], "x-nested"), []);
  assert.deepEqual(headerValues(server.requests[1], "x-nested"), ["2"]);
});

test("a custom Accept header replaces the default one", async (t) => {
  const { server, mix } = await setup(t);
  await mix.internal.refreshOAuthTokens({ headers: { ACCEPT: "application/vnd.mix+json" } });
  await mix.internal.refreshOAuthTokens({ fetchOptions: { headers: [["accept", "*/*"]] } });
  assert.deepEqual(headerValues(server.requests[0], "accept"), ["application/vnd.mix+json"]);
  assert.deepEqual(headerValues(server.requests[1], "accept"), ["*/*"]);
});

test("a custom user-agent header does not replace the client's user-agent", async (t) => {
  const { server, mix } = await setup(t);
  await mix.internal.refreshOAuthTokens({ headers: { "User-Agent": "mine/1.0" } });
  assert.deepEqual(headerValues(server.requests[0], "user-agent"), [SDK_METADATA.userAgent]);

  const custom = new Mix({ serverURL: server.url, userAgent: "client/3", retryConfig: NO_RETRY });
  await custom.internal.refreshOAuthTokens({ fetchOptions: { headers: new Headers({ "user-agent": "mine/1.0" }) } });
  assert.deepEqual(headerValues(server.requests[1], "user-agent"), ["client/3"]);
});

test("a per-call serverURL string overrides the client's base URL, path prefix and query kept", async (t) => {
  const { server: clientServer, mix } = await setup(t);
  const other = await recordingServer(t, OK);
  await mix.internal.refreshOAuthTokens({ serverURL: `${other.url}/v2?tenant=t1` });
  assert.equal(clientServer.requests.length, 0);
  assert.equal(other.requests.length, 1);
  assert.equal(other.requests[0].url, `/v2${PATH}?tenant=t1`);
});

test("a per-call serverURL may be a URL object", async (t) => {
  const { server: clientServer, mix } = await setup(t);
  const other = await recordingServer(t, OK);
  await mix.internal.refreshOAuthTokens({ serverURL: new URL(other.url) });
  await mix.internal.refreshOAuthTokens({ serverURL: new URL("/prefix", other.url) });
  assert.equal(clientServer.requests.length, 0);
  assert.deepEqual(
    other.requests.map((r) => r.url),
    [PATH, `/prefix${PATH}`],
  );
});

test('a per-call serverURL of "" rejects with InvalidRequestError "No base URL provided for operation" and sends nothing', async (t) => {
  const { server, mix } = await setup(t);
  const err = await rejection(mix.internal.refreshOAuthTokens({ serverURL: "" }));
  assert.ok(err instanceof InvalidRequestError);
  assert.ok(err instanceof HTTPClientError);
  assert.equal(err.name, "InvalidRequestError");
  assert.equal(err.message, "No base URL provided for operation");
  await sleep(30);
  assert.equal(server.requests.length, 0);
});

for (const serverURL of ["not a url", "/api/v1", "api.example.com", "http://exa mple.com", "http://[::1"]) {
  test(`a per-call serverURL ${JSON.stringify(serverURL)} rejects with InvalidRequestError and sends nothing`, async (t) => {
    const { server, mix } = await setup(t);
    const err = await rejection(mix.internal.refreshOAuthTokens({ serverURL }));
    assert.ok(err instanceof InvalidRequestError, `${err?.name}: ${err?.message}`);
    assert.equal(err.name, "InvalidRequestError");
    assert.ok(err.message.length > 0);
    await sleep(30);
    assert.equal(server.requests.length, 0);
  });
}

const BAD_HEADERS = {
  "a value with CR/LF in headers": { headers: { "x-bad": "a\r\nInjected: yes" } },
  "a value with a bare LF in fetchOptions.headers": { fetchOptions: { headers: { "x-bad": "a\nb" } } },
  "a value with CR/LF in an array of pairs": { headers: [["x-bad", "a\r\nb"]] },
  "a name with a space": { headers: { "bad name": "x" } },
};

for (const [what, options] of Object.entries(BAD_HEADERS)) {
  test(`a header with ${what} rejects with InvalidRequestError and sends nothing`, async (t) => {
    const { server, mix } = await setup(t);
    const err = await rejection(mix.internal.refreshOAuthTokens(options));
    assert.ok(err instanceof InvalidRequestError, `${err?.name}: ${err?.message}`);
    assert.equal(err.name, "InvalidRequestError");
    await sleep(30);
    assert.equal(server.requests.length, 0);
  });
}
