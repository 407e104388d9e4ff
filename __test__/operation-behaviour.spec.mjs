// CONTRACT behaviour that must hold for every operation, not only the first:
// retries for every HTTP method, Retry-After, time limits, debug logs with
// bodies masked, the rawValue of validation errors, and no raw exception.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import { recordingServer, rejection } from "./helpers/foundation.mjs";
import { SESSION } from "./helpers/samples.mjs";

const require = createRequire(import.meta.url);
const { Mix } = require("../index.js");
const errors = require("../models/errors/index.js");

const FAST = { strategy: "backoff", backoff: { initialInterval: 1, maxInterval: 5, exponent: 1, maxElapsedTime: 5000 } };

/** Answers 503 then 429 (with Retry-After: 0), then `final`. */
function flaky(final) {
  return (req, res, n) => {
    if (n === 0) {
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("busy");
    } else if (n === 1) {
      res.writeHead(429, { "retry-after": "0" });
      res.end();
    } else {
      res.writeHead(final.status, final.type ? { "content-type": final.type } : {});
      res.end(final.body ?? "");
    }
  };
}

test("every HTTP method is retried on 5XX and 429, and resends the same body", async (t) => {
  const cases = [
    ["POST", (mix) => mix.sessions.create({ title: "t" }, { retries: FAST }), { status: 201, type: "application/json", body: JSON.stringify(SESSION) }],
    ["PATCH", (mix) => mix.sessions.updateSessionCallbacks({ id: "s", requestBody: { callbacks: [] } }, { retries: FAST }), { status: 200, type: "application/json", body: JSON.stringify(SESSION) }],
    ["DELETE", (mix) => mix.sessions.delete({ id: "s" }, { retries: FAST }), { status: 204 }],
    ["GET", (mix) => mix.sessions.list(undefined, { retries: FAST }), { status: 200, type: "application/json", body: "[]" }],
  ];
  for (const [method, run, final] of cases) {
    const server = await recordingServer(t, flaky(final));
    const mix = new Mix({ serverURL: server.url });
    await run(mix);
    assert.equal(server.requests.length, 3, method);
    assert.ok(server.requests.every((r) => r.method === method));
    assert.ok(server.requests.every((r) => r.body === server.requests[0].body), method);
  }
});

test("a time limit holds for any operation", async (t) => {
  const server = await recordingServer(t, () => {});
  const mix = new Mix({ serverURL: server.url, timeoutMs: 50 });
  const started = performance.now();
  const err = await rejection(mix.messages.send({ id: "s", requestBody: { text: "x" } }));
  assert.ok(err instanceof errors.RequestTimeoutError, String(err));
  assert.ok(performance.now() - started < 2000);
});

test("debug logs show the JSON request body with secret fields masked", async (t) => {
  const server = await recordingServer(t, { status: 200, type: "application/json", body: '{"status":"ok"}' });
  const lines = [];
  const logger = { group: (l) => lines.push(String(l)), groupEnd: () => {}, log: (...a) => lines.push(a.join(" ")) };
  const mix = new Mix({ serverURL: server.url, debugLogger: logger });
  await mix.authentication.storeApiKey({ apiKey: "sk-very-secret", provider: "openai" });
  const text = lines.join("\n");
  assert.match(text, /> Request: POST http:\/\/127\.0\.0\.1:\d+\/api\/auth\/api-key/);
  assert.match(text, /"provider":"openai"/);
  assert.doesNotMatch(text, /sk-very-secret/);
  assert.equal(JSON.parse(server.requests[0].body).api_key, "sk-very-secret");
});

test("validation errors show what was validated: error bodies and header-carrying values", async (t) => {
  const server = await recordingServer(t, (req, res) => {
    if (req.url.endsWith("/export")) {
      res.writeHead(200, { "content-type": "application/json", "x-a": "1, 2" });
      res.end('{"id":"s"}');
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":{"code":404,"message":"gone","type":"lost"},"extra":1}');
    }
  });
  const mix = new Mix({ serverURL: server.url });
  const fromError = await rejection(mix.sessions.get({ id: "s" }));
  assert.ok(fromError instanceof errors.ResponseValidationError, String(fromError));
  assert.equal(fromError.statusCode, 404);
  assert.deepStrictEqual(fromError.rawValue.error, { code: 404, message: "gone", type: "lost" });
  assert.equal(fromError.rawValue.extra, 1);
  assert.equal(fromError.rawValue.body$, fromError.body);
  assert.ok(fromError.rawValue.HttpMeta.Response instanceof Response);
  assert.deepStrictEqual(fromError.cause.issues[0].path, ["error", "type"]);

  const fromExport = await rejection(mix.sessions.exportSession({ id: "s" }));
  assert.ok(fromExport instanceof errors.ResponseValidationError, String(fromExport));
  assert.deepStrictEqual(fromExport.rawValue.Result, { id: "s" });
  assert.deepStrictEqual(fromExport.rawValue.Headers["x-a"], ["1", "2"]);
  assert.ok(fromExport.cause.issues.every((i) => i.path[0] === "Result"));
});

test("no call rejects with anything but the documented errors, whatever it is given", async (t) => {
  const server = await recordingServer(t, { status: 200, type: "application/json", body: "{}" });
  const mix = new Mix({ serverURL: server.url });
  const weird = [
    undefined,
    null,
    42,
    "s",
    [],
    { id: Symbol("x") },
    { id: { toString: () => { throw new Error("boom"); } } },
    new Proxy({}, { get: () => { throw new Error("trap"); } }),
  ];
  const documented = [errors.SDKValidationError, errors.HTTPClientError, errors.MixError];
  const namespaces = ["authentication", "system", "messages", "permissions", "preferences", "sessions", "files", "tools", "health", "internal"];
  for (const ns of namespaces) {
    const object = mix[ns];
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(object))) {
      if (name === "constructor") continue;
      for (const arg of weird) {
        try {
          await object[name](arg, { headers: { "x-a": "1" } });
        } catch (err) {
          assert.ok(documented.some((C) => err instanceof C), `${ns}.${name}(${String(typeof arg)}): ${err?.name}: ${err?.message}`);
        }
      }
    }
  }
});

test("a custom HTTPClient sees every operation's request, JSON body included", async (t) => {
  const { HTTPClient } = require("../lib/http.js");
  const server = await recordingServer(t, { status: 201, type: "application/json", body: JSON.stringify(SESSION) });
  const seen = [];
  const httpClient = new HTTPClient();
  httpClient.addHook("beforeRequest", async (req) => {
    seen.push([req.method, new URL(req.url).pathname, await req.clone().text()]);
    return req;
  });
  const mix = new Mix({ serverURL: server.url, httpClient });
  const session = await mix.sessions.create({ title: "t" });
  assert.equal(session.id, "s1");
  assert.deepStrictEqual(seen, [["POST", "/api/sessions", '{"promptMode":"default","sessionType":"main","title":"t"}']]);
  assert.equal(server.requests[0].body, seen[0][2]);
  assert.equal(server.requests[0].headers["content-type"], "application/json");
});

test("a body with millions of schema problems is one ResponseValidationError listing the first 1,000", async (t) => {
  const body = `[${"{},".repeat(500_000)}{}]`; // 1.5 MB: 5 million missing fields
  const server = await recordingServer(t, { status: 200, type: "application/json", body });
  const mix = new Mix({ serverURL: server.url });
  const err = await rejection(mix.sessions.list());
  assert.ok(err instanceof errors.ResponseValidationError, String(err));
  assert.equal(err.cause.issues.length, 1000);
  assert.deepStrictEqual(err.cause.issues[0].path, [0, "assistantMessageCount"]);
});

test("a parameter with a lone surrogate is an InvalidRequestError naming it, and nothing is sent", async (t) => {
  const server = await recordingServer(t, { status: 200, type: "application/json", body: "{}" });
  const mix = new Mix({ serverURL: server.url });
  const err = await rejection(mix.system.getCommand({ name: "a\ud800b" }));
  assert.ok(err instanceof errors.InvalidRequestError, String(err));
  assert.match(err.message, /"name"/);
  assert.equal(server.requests.length, 0);
});

test("an OAuth callback's code and state are masked in debug logs", async (t) => {
  const server = await recordingServer(t, { status: 200, type: "application/json", body: '{"status":"ok"}' });
  const lines = [];
  const logger = { group: (l) => lines.push(String(l)), groupEnd: () => {}, log: (...a) => lines.push(a.join(" ")) };
  const mix = new Mix({ serverURL: server.url, debugLogger: logger });
  await mix.authentication.handleOAuthCallback({ code: "AUTH-CODE-123", provider: "anthropic", state: "STATE-456" });
  const text = lines.join("\n");
  assert.doesNotMatch(text, /AUTH-CODE-123|STATE-456/);
  assert.match(text, /"provider":"anthropic"/);
});

test("holes in a request array are undefined, as zod sees them", async (t) => {
  const server = await recordingServer(t, { status: 201, type: "application/json", body: JSON.stringify(SESSION) });
  const mix = new Mix({ serverURL: server.url });
  // eslint-disable-next-line no-sparse-arrays
  const err = await rejection(mix.sessions.create({ title: "x", callbacks: [, { toolName: "t", type: "sub_agent" }] }));
  assert.ok(err instanceof errors.SDKValidationError, String(err));
  assert.deepStrictEqual(err.cause.issues[0].path, ["callbacks", 0]);
  assert.equal(err.cause.issues[0].message, "Required");
  assert.equal(server.requests.length, 0);
});

test("a compressed response is decoded and its headers stay as fetch shows them", async (t) => {
  const { gzipSync, deflateSync } = await import("node:zlib");
  const exported = { id: "s", title: "t", messages: [] };
  for (const [encoding, compress] of [["gzip", gzipSync], ["deflate", deflateSync]]) {
    const body = compress(Buffer.from(JSON.stringify(exported)));
    const server = await recordingServer(t, (req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding, "content-length": body.length });
      res.end(body);
    });
    const mix = new Mix({ serverURL: server.url });
    const value = await mix.sessions.exportSession({ id: "s" });
    assert.deepStrictEqual(value.result, exported);
    assert.deepStrictEqual(value.headers["content-encoding"], [encoding]);
    assert.deepStrictEqual(value.headers["content-length"], [String(body.length)]);
    assert.equal(server.requests[0].headers["accept-encoding"], "gzip, deflate");
  }
});

test("a custom HTTPClient's response headers keep their bytes, and a call's accept-encoding replaces the default", async (t) => {
  const { HTTPClient } = require("../lib/http.js");
  const httpClient = new HTTPClient({
    fetcher: async () =>
      new Response('{"id":"s","title":"t","messages":[]}', {
        headers: { "content-type": "application/json", "x-a": "café, b" },
      }),
  });
  const mix = new Mix({ serverURL: "http://127.0.0.1:9", httpClient });
  const value = await mix.sessions.exportSession({ id: "s" });
  assert.deepStrictEqual(value.headers["x-a"], ["café", "b"]);

  const server = await recordingServer(t, { status: 200, type: "application/json", body: "[]" });
  const direct = new Mix({ serverURL: server.url });
  await direct.sessions.list(undefined, { headers: { "accept-encoding": "identity" } });
  await direct.sessions.list();
  assert.equal(server.requests[0].headers["accept-encoding"], "identity");
  assert.equal(server.requests[1].headers["accept-encoding"], "gzip, deflate");
});
