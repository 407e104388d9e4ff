// Client construction (CONTRACT §3): how serverURL and serverIdx pick the
// base URL (checked both on `_baseURL` and on the request the server
// receives), userAgent, option type checks at construction, the lazily
// created `internal` namespace, and the default server http://localhost:8088.

import test from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { once } from "node:events";
import { Mix, SDK_METADATA, serverURLFromOptions } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";
import { NO_RETRY, OK_JSON, recordingServer } from "./helpers/foundation.mjs";

const PATH = "/internal/auth/refresh-tokens";
const OK = { type: "application/json", body: OK_JSON };

/** Runs the operation on `client` (a Mix or a MixCore) and returns its value. */
async function call(client, options) {
  if (client instanceof Mix) return client.internal.refreshOAuthTokens(options);
  const res = await authenticationRefreshOAuthTokens(client, options);
  if (!res.ok) throw res.error;
  return res.value;
}

for (const Client of [Mix, MixCore]) {
  const name = Client.name;

  test(`${name}: a path prefix on serverURL is kept and the operation path appended after it`, async (t) => {
    const server = await recordingServer(t, OK);
    const client = new Client({ serverURL: `${server.url}/api/v1` });
    await call(client);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].url, `/api/v1${PATH}`);
    assert.equal(client._baseURL.href, `${server.url}/api/v1/`);
  });

  test(`${name}: any number of trailing slashes on serverURL collapse into one`, async (t) => {
    const server = await recordingServer(t, OK);
    for (const suffix of ["/", "///", "/api/v1/", "/api/v1////"]) {
      const client = new Client({ serverURL: server.url + suffix });
      await call(client);
      const prefix = suffix.startsWith("/api") ? "/api/v1" : "";
      assert.equal(client._baseURL.href, `${server.url}${prefix}/`, suffix);
      assert.equal(server.requests.at(-1).url, `${prefix}${PATH}`, suffix);
    }
  });

  test(`${name}: a query string on serverURL is kept on the request`, async (t) => {
    const server = await recordingServer(t, OK);
    const client = new Client({ serverURL: `${server.url}/api?tenant=abc` });
    await call(client);
    assert.equal(server.requests[0].url, `/api${PATH}?tenant=abc`);
  });

  test(`${name}: an empty serverURL falls back to the server list`, () => {
    assert.equal(new Client({ serverURL: "" })._baseURL.href, "http://localhost:8088/");
    assert.equal(new Client({ serverURL: "", serverIdx: 0 })._baseURL.href, "http://localhost:8088/");
    assert.throws(() => new Client({ serverURL: "", serverIdx: 1 }), { message: "Invalid server index 1" });
  });

  test(`${name}: an unparsable serverURL makes the constructor throw a TypeError`, () => {
    for (const serverURL of ["not a url", "http://exa mple.com", "/relative/path", "http://[::1"]) {
      assert.throws(() => new Client({ serverURL }), TypeError, serverURL);
    }
  });

  test(`${name}: a serverIdx out of range makes the constructor throw Error("Invalid server index N")`, () => {
    for (const serverIdx of [1, 2, -1]) {
      assert.throws(
        () => new Client({ serverIdx }),
        (err) => {
          assert.equal(err.constructor, Error);
          assert.equal(err.message, `Invalid server index ${serverIdx}`);
          return true;
        },
      );
    }
    assert.equal(new Client({ serverIdx: 0 })._baseURL.href, "http://localhost:8088/");
  });

  test(`${name}: userAgent replaces the default user-agent header value`, async (t) => {
    const server = await recordingServer(t, OK);
    await call(new Client({ serverURL: server.url }));
    await call(new Client({ serverURL: server.url, userAgent: "my-app/2.0" }));
    assert.equal(server.requests[0].headers["user-agent"], SDK_METADATA.userAgent);
    assert.equal(server.requests[1].headers["user-agent"], "my-app/2.0");
    const userAgents = [];
    const raw = server.requests[1].rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === "user-agent") userAgents.push(raw[i + 1]);
    assert.deepEqual(userAgents, ["my-app/2.0"]);
  });

  const WRONG_TYPES = [
    ["timeoutMs", { timeoutMs: "5" }],
    ["retryConfig", { retryConfig: 3 }],
    ["retryConfig", { retryConfig: "none" }],
    ["serverIdx", { serverIdx: "0" }],
    ["serverURL", { serverURL: 8088 }],
    ["userAgent", { userAgent: 42 }],
    ["debugLogger", { debugLogger: "console" }],
  ];
  for (const [option, options] of WRONG_TYPES) {
    test(`${name}: ${option} of the wrong type (${JSON.stringify(options[option])}) is a TypeError naming the option, at construction`, () => {
      assert.throws(
        () => new Client(options),
        (err) => err instanceof TypeError && err.message.includes(option),
      );
    });
  }

  test(`${name}: options of the right type are accepted`, () => {
    const logger = { group() {}, groupEnd() {}, log() {} };
    const client = new Client({
      serverURL: "http://127.0.0.1:9/api",
      userAgent: "ua",
      timeoutMs: 5,
      retryConfig: {
        strategy: "backoff",
        backoff: { initialInterval: 1, maxInterval: 2, exponent: 1.5, maxElapsedTime: 3 },
        retryConnectionErrors: false,
      },
      debugLogger: logger,
    });
    assert.equal(client._baseURL.href, "http://127.0.0.1:9/api/");
    assert.doesNotThrow(() => new Client({ retryConfig: NO_RETRY }));
    assert.doesNotThrow(() => new Client(undefined));
  });

  test(`new ${name}() targets http://localhost:8088`, () => {
    assert.equal(new Client()._baseURL.href, "http://localhost:8088/");
    assert.equal(new Client({})._baseURL.href, "http://localhost:8088/");
  });
}

test("serverURLFromOptions returns the URL the options select and throws like the constructor", () => {
  assert.equal(serverURLFromOptions({}).href, "http://localhost:8088/");
  assert.equal(serverURLFromOptions({ serverURL: "" }).href, "http://localhost:8088/");
  assert.equal(serverURLFromOptions({ serverURL: "http://h:1/api?x=1" }).href, "http://h:1/api?x=1");
  assert.ok(serverURLFromOptions({ serverURL: "http://h:1" }) instanceof URL);
  assert.throws(() => serverURLFromOptions({ serverIdx: 5 }), { message: "Invalid server index 5" });
  assert.throws(() => serverURLFromOptions({ serverURL: "nope" }), TypeError);
});

test("mix.internal is created on first access and is the same object afterwards", () => {
  const mix = new Mix({ serverURL: "http://127.0.0.1:9" });
  // `_internal` is the original's backing field of the getter.
  assert.equal(mix._internal, undefined, "created before first access");
  const internal = mix.internal;
  assert.equal(typeof internal.refreshOAuthTokens, "function");
  assert.equal(mix.internal, internal);
  assert.equal(mix._internal, internal);
  assert.notEqual(new Mix({ serverURL: "http://127.0.0.1:9" }).internal, internal);
  assert.equal(typeof Object.getOwnPropertyDescriptor(Mix.prototype, "internal")?.get, "function");
});

test("new Mix() sends its request to http://localhost:8088 (skipped when 127.0.0.1:8088 is taken)", async (t) => {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url, host: req.headers.host });
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(OK_JSON);
  });
  server.listen(8088, "127.0.0.1");
  try {
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([err]) => Promise.reject(err)),
    ]);
  } catch (err) {
    t.skip(`port 8088 is not free (${err.code})`);
    return;
  }
  try {
    const value = await new Mix({ retryConfig: NO_RETRY }).internal.refreshOAuthTokens();
    assert.deepEqual(value, { message: "Token refresh triggered successfully", status: "success" });
    assert.deepEqual(requests, [{ url: PATH, host: "localhost:8088" }]);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
