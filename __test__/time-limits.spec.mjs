// Time limits (CONTRACT §6, issue 3): which timeoutMs applies, that it
// bounds the whole call (attempts, body reads, waits) and that it fires on
// time, every time, also while the garbage collector runs. Run with
// `node --expose-gc` for the GC test.

import test from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { Mix } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";
import { HTTPClientError, MixDefaultError, RequestTimeoutError } from "mix-typescript-sdk/models/errors";
import { OK_BODY, hang, reply, settle, startServer } from "./helpers/scripted-server.mjs";

// The limit fires within 20 ms in Rust; the bound adds room for a busy
// 2-core machine to run the JS callbacks that observe it.
const LATE = 40;

const NO_RETRIES = { strategy: "none" };

async function serve(t, script) {
  const server = await startServer(script);
  t.after(() => server.close());
  return server;
}

/** Asserts `r` rejected with the time-limit error on time for `limit` ms. */
function assertTimedOut(r, limit) {
  assert.ok(r.error instanceof RequestTimeoutError, `expected a RequestTimeoutError, got ${r.error ?? "a value"}`);
  assert.ok(r.error instanceof HTTPClientError);
  assert.equal(r.error.name, "RequestTimeoutError");
  assert.match(r.error.message, /^Request timed out: /);
  assert.equal(r.error.cause?.name, "TimeoutError");
  assert.ok(r.elapsed >= limit - 1, `timed out after ${r.elapsed.toFixed(1)} ms, before the ${limit} ms limit`);
  assert.ok(r.elapsed <= limit + LATE, `timed out after ${r.elapsed.toFixed(1)} ms for a ${limit} ms limit`);
}

test("a per-call timeoutMs rejects with RequestTimeoutError on time when the server never answers", async (t) => {
  const server = await serve(t, hang);
  const mix = new Mix({ serverURL: server.url });
  for (const limit of [50, 150]) {
    assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: limit, retries: NO_RETRIES })), limit);
  }
});

test("the client's timeoutMs applies to calls that set none", async (t) => {
  const server = await serve(t, hang);
  const mix = new Mix({ serverURL: server.url, timeoutMs: 120 });
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens()), 120);
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ retries: NO_RETRIES })), 120);
});

test("a per-call timeoutMs wins over the client's, shorter or longer", async (t) => {
  const server = await serve(t, hang);
  const mix = new Mix({ serverURL: server.url, timeoutMs: 150 });
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 60 })), 60);
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 300 })), 300);
});

test("a per-call timeoutMs of 0 falls back to the client's", async (t) => {
  const server = await serve(t, hang);
  const mix = new Mix({ serverURL: server.url, timeoutMs: 100 });
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 0 })), 100);
});

test("a negative or absent timeoutMs means no limit", async (t) => {
  const server = await serve(t, (req, res) => setTimeout(() => reply(res, 200, OK_BODY), 250));
  const limited = new Mix({ serverURL: server.url, timeoutMs: 100 });
  const unlimited = new Mix({ serverURL: server.url });
  const negative = new Mix({ serverURL: server.url, timeoutMs: -1 });
  const calls = [
    limited.internal.refreshOAuthTokens({ timeoutMs: -1 }),
    unlimited.internal.refreshOAuthTokens(),
    unlimited.internal.refreshOAuthTokens({ timeoutMs: 0 }),
    negative.internal.refreshOAuthTokens(),
  ];
  for (const value of await Promise.all(calls)) assert.deepEqual(value, OK_BODY);
});

test("the limit bounds the whole call: attempts and waits together", async (t) => {
  // Two quick 503s, then an attempt that hangs: only the call's limit ends it.
  const server = await serve(t, (req, res, n) => (n < 2 ? reply(res, 503, "busy") : undefined));
  const mix = new Mix({ serverURL: server.url });
  const retries = { strategy: "backoff", backoff: { initialInterval: 60, maxInterval: 60, exponent: 1, maxElapsedTime: 10_000 } };
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 400, retries })), 400);
  assert.equal(server.count, 3);
});

test("the limit applies with the default retry policy too", async (t) => {
  const server = await serve(t, hang);
  const mix = new Mix({ serverURL: server.url });
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 100 })), 100);
  assert.equal(server.count, 1);
});

test("the limit covers reading a body that never ends", async (t) => {
  const server = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
    res.write('{"message":"');
  });
  const mix = new Mix({ serverURL: server.url });
  assertTimedOut(await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 150, retries: NO_RETRIES })), 150);
});

test("a limit reached while a retryable status is being retried still returns that status, not a timeout", async (t) => {
  // The counterpart of the test above: a wait that would cross the limit is
  // never started, so the caller sees the real 503.
  const server = await serve(t, (req, res) => reply(res, 503, "busy"));
  const mix = new Mix({ serverURL: server.url });
  // Attempts at 0 and ~100 ms; the next wait (300 ms) would end past 300 ms.
  const retries = { strategy: "backoff", backoff: { initialInterval: 100, maxInterval: 1000, exponent: 3, maxElapsedTime: 10_000 } };
  const r = await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 300, retries }));
  assert.ok(r.error instanceof MixDefaultError, String(r.error));
  assert.equal(r.error.statusCode, 503);
  assert.equal(server.count, 2);
  assert.ok(r.elapsed < 300, `took ${r.elapsed.toFixed(1)} ms`);
});

test("the standalone function resolves a time-limit error as a request error", async (t) => {
  const server = await serve(t, hang);
  const core = new MixCore({ serverURL: server.url, timeoutMs: 80 });
  const start = performance.now();
  const [result, call] = await authenticationRefreshOAuthTokens(core, { retries: NO_RETRIES }).$inspect();
  assert.equal(result.ok, false);
  assertTimedOut({ error: result.error, elapsed: performance.now() - start }, 80);
  assert.equal(call.status, "request-error");
});

test("every limit fires on time while the garbage collector runs between send and deadline", async (t) => {
  assert.equal(typeof global.gc, "function", "run this file with node --expose-gc");
  const server = await serve(t, hang);
  const mix = new Mix({ serverURL: server.url });
  const limit = 80;
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    const call = settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: limit, retries: NO_RETRIES }), start);
    await server.waitForHits(i + 1);
    global.gc();
    global.gc();
    assertTimedOut(await call, limit);
  }
});

test("concurrent limits all fire on time under repeated forced garbage collection", async (t) => {
  const server = await serve(t, hang);
  const mix = new Mix({ serverURL: server.url });
  const limit = 150;
  const start = performance.now();
  const calls = Array.from({ length: 20 }, () =>
    settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: limit, retries: NO_RETRIES }), start),
  );
  const collector = setInterval(() => global.gc(), 10);
  try {
    for (const r of await Promise.all(calls)) assertTimedOut(r, limit);
  } finally {
    clearInterval(collector);
  }
});
