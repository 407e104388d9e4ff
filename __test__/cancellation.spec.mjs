// Cancellation (CONTRACT §6, issue 3): the caller's AbortSignal before,
// during and after a call; the error and its cause; which signal counts; the
// caller's own listeners; signal and timeoutMs together; and 1,000 calls on
// one signal.

import test from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { performance } from "node:perf_hooks";
import { Mix } from "mix-typescript-sdk";
import { HTTPClientError, RequestAbortedError, RequestTimeoutError } from "mix-typescript-sdk/models/errors";
import { OK_BODY, closed, hang, reply, settle, sleep, startServer } from "./helpers/scripted-server.mjs";

// How soon after `abort()` a call must have rejected, measured in JS on a
// busy 2-core machine (the contract asks for promptly; the issue for 250 ms
// during a backoff wait).
const PROMPT = 50;

const RETRY_EVERYTHING = {
  strategy: "backoff",
  backoff: { initialInterval: 20, maxInterval: 20, exponent: 1, maxElapsedTime: 5000 },
  retryConnectionErrors: true,
};

async function client(t, script, options = {}) {
  const server = await startServer(script);
  t.after(() => server.close());
  return { server, mix: new Mix({ serverURL: server.url, ...options }) };
}

/** Asserts `error` is the abort error for `reason`. */
function assertAborted(error, reason) {
  assert.ok(error instanceof RequestAbortedError, `expected a RequestAbortedError, got ${error}`);
  assert.ok(error instanceof HTTPClientError);
  assert.equal(error.name, "RequestAbortedError");
  assert.equal(error.cause, reason);
  assert.equal(error.message, `Request aborted by client: ${reason}`);
}

/** Aborts `controller` and reports how long after that `call` settled. */
async function abortAndTime(controller, call, reason) {
  const start = performance.now();
  controller.abort(reason);
  const r = await call;
  return { ...r, sinceAbort: performance.now() - start };
}

test("an already-aborted signal rejects at once and sends nothing", async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 200, OK_BODY));
  const signal = AbortSignal.abort();
  for (const options of [{ signal }, { fetchOptions: { signal } }, { signal, retries: RETRY_EVERYTHING }]) {
    const r = await settle(() => mix.internal.refreshOAuthTokens(options));
    assertAborted(r.error, signal.reason);
    assert.equal(r.error.cause.name, "AbortError");
    assert.ok(r.elapsed < PROMPT, `took ${r.elapsed.toFixed(1)} ms`);
  }
  await sleep(50);
  assert.equal(server.count, 0);
});

test("aborting during the request drops the connection and is not retried", async (t) => {
  const { server, mix } = await client(t, hang);
  const controller = new AbortController();
  const call = settle(() => mix.internal.refreshOAuthTokens({ signal: controller.signal, retries: RETRY_EVERYTHING }));
  const hit = await server.waitForHits(1);
  const r = await abortAndTime(controller, call);
  assertAborted(r.error, controller.signal.reason);
  assert.ok(r.sinceAbort < PROMPT, `rejected ${r.sinceAbort.toFixed(1)} ms after the abort`);
  await closed(hit.socket);
  await sleep(100);
  assert.equal(server.count, 1);
});

test("aborting during a 1 s backoff wait rejects at once and sends no retry", async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 503, "busy"));
  const controller = new AbortController();
  const retries = { strategy: "backoff", backoff: { initialInterval: 1000, maxInterval: 1000, exponent: 1, maxElapsedTime: 60_000 } };
  const call = settle(() => mix.internal.refreshOAuthTokens({ signal: controller.signal, retries }));
  await server.waitForHits(1);
  await sleep(100);
  const r = await abortAndTime(controller, call);
  assertAborted(r.error, controller.signal.reason);
  assert.ok(r.sinceAbort < PROMPT, `rejected ${r.sinceAbort.toFixed(1)} ms after the abort`);
  await sleep(1000);
  assert.equal(server.count, 1);
});

test("the error's cause is the signal's reason, also for a custom Error or a string", async (t) => {
  class ShutdownError extends Error {
    name = "ShutdownError";
  }
  const { mix } = await client(t, hang);
  for (const reason of [new ShutdownError("shutting down"), "user navigated away", 42]) {
    const before = AbortSignal.abort(reason);
    assertAborted((await settle(() => mix.internal.refreshOAuthTokens({ signal: before }))).error, reason);

    const controller = new AbortController();
    const call = settle(() => mix.internal.refreshOAuthTokens({ signal: controller.signal }));
    await sleep(20);
    const r = await abortAndTime(controller, call, reason);
    assertAborted(r.error, reason);
  }
});

test("a top-level signal wins over fetchOptions.signal", async (t) => {
  const { server, mix } = await client(t, (req, res) => setTimeout(() => reply(res, 200, OK_BODY), 60));
  const live = new AbortController();
  const aborted = AbortSignal.abort("from fetchOptions");
  const value = await mix.internal.refreshOAuthTokens({ signal: live.signal, fetchOptions: { signal: aborted } });
  assert.deepEqual(value, OK_BODY);

  const top = AbortSignal.abort("from the top level");
  const r = await settle(() => mix.internal.refreshOAuthTokens({ signal: top, fetchOptions: { signal: live.signal } }));
  assertAborted(r.error, "from the top level");

  // Aborting the ignored fetchOptions signal mid-request changes nothing.
  const ignored = new AbortController();
  const call = mix.internal.refreshOAuthTokens({ signal: live.signal, fetchOptions: { signal: ignored.signal } });
  await server.waitForHits(2);
  ignored.abort();
  assert.deepEqual(await call, OK_BODY);
  assert.equal(server.count, 2);
});

test("the caller's own onabort and listeners keep working and are never removed", async (t) => {
  const { server, mix } = await client(t, (req, res) => (req.url.startsWith("/hang/") ? undefined : reply(res, 200, OK_BODY)));
  const controller = new AbortController();
  const { signal } = controller;
  const fired = [];
  const onabort = () => fired.push("onabort");
  const listener = () => fired.push("listener");
  signal.onabort = onabort;
  signal.addEventListener("abort", listener);
  const before = getEventListeners(signal, "abort");

  await mix.internal.refreshOAuthTokens({ signal });
  await mix.internal.refreshOAuthTokens({ fetchOptions: { signal } });
  assert.equal(signal.onabort, onabort);
  assert.deepEqual(getEventListeners(signal, "abort"), before);

  const hanging = new Mix({ serverURL: `${server.url}/hang/` });
  const call = settle(() => hanging.internal.refreshOAuthTokens({ signal }));
  await sleep(20);
  controller.abort();
  assertAborted((await call).error, signal.reason);
  assert.deepEqual(fired.sort(), ["listener", "onabort"]);
  assert.equal(signal.onabort, onabort);
});

test("an abort that comes first wins over timeoutMs", async (t) => {
  const { mix } = await client(t, hang);
  const controller = new AbortController();
  const call = settle(() => mix.internal.refreshOAuthTokens({ signal: controller.signal, timeoutMs: 300 }));
  await sleep(50);
  const r = await abortAndTime(controller, call);
  assertAborted(r.error, controller.signal.reason);
  assert.ok(r.elapsed < 300 && r.sinceAbort < PROMPT);
});

test("a timeoutMs that comes first wins over a signal, which no longer matters afterwards", async (t) => {
  const { mix } = await client(t, hang, { timeoutMs: 100 });
  const controller = new AbortController();
  const r = await settle(() => mix.internal.refreshOAuthTokens({ signal: controller.signal }));
  assert.ok(r.error instanceof RequestTimeoutError, String(r.error));
  assert.ok(r.elapsed >= 99 && r.elapsed < 100 + PROMPT, `timed out after ${r.elapsed.toFixed(1)} ms`);
  controller.abort();
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
});

test("a settled call leaves no listener on the caller's signal, whatever its outcome", async (t) => {
  const { mix } = await client(t, (req, res, n) => (n === 2 ? undefined : reply(res, n === 0 ? 200 : 404, OK_BODY)));
  const { signal } = new AbortController();
  await mix.internal.refreshOAuthTokens({ signal });
  await settle(() => mix.internal.refreshOAuthTokens({ signal }));
  await settle(() => mix.internal.refreshOAuthTokens({ signal, timeoutMs: 30 }));
  await settle(() => mix.internal.refreshOAuthTokens({ signal, headers: { "x-bad": "a\nb" } }));
  assert.equal(getEventListeners(signal, "abort").length, 0);
});

/** Collects process warnings while `fn` runs (and one turn after). */
async function warningsDuring(fn) {
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    await fn();
    await sleep(10);
  } finally {
    process.off("warning", onWarning);
  }
  return warnings;
}

test("1,000 calls sharing one AbortController all reject within 100 ms of its abort, without a listener warning or leak", async (t) => {
  const { server, mix } = await client(t, hang);
  const controller = new AbortController();
  const { signal } = controller;
  let results;
  let sinceAbort;
  const warnings = await warningsDuring(async () => {
    const calls = Array.from({ length: 1000 }, () => settle(() => mix.internal.refreshOAuthTokens({ signal })));
    assert.ok(getEventListeners(signal, "abort").length <= 1, "one listener per signal at most");
    await server.waitForHits(1000, 10_000);
    const start = performance.now();
    controller.abort();
    results = await Promise.all(calls);
    sinceAbort = performance.now() - start;
  });
  assert.ok(sinceAbort < 100, `the last call rejected ${sinceAbort.toFixed(1)} ms after the abort`);
  for (const r of results) assertAborted(r.error, signal.reason);
  assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
  assert.equal(getEventListeners(signal, "abort").length, 0);
  // Every request was dropped, not just forgotten.
  await Promise.all(server.hits.map((hit) => closed(hit.socket)));
});

test("1,000 calls waiting to retry on one signal all reject within 100 ms of its abort", async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 503, "busy"));
  const controller = new AbortController();
  const { signal } = controller;
  const retries = { strategy: "backoff", backoff: { initialInterval: 5000, maxInterval: 5000, exponent: 1, maxElapsedTime: 60_000 } };
  const warnings = await warningsDuring(async () => {
    const calls = Array.from({ length: 1000 }, () => settle(() => mix.internal.refreshOAuthTokens({ signal, retries })));
    await server.waitForHits(1000, 10_000);
    await sleep(50);
    const start = performance.now();
    controller.abort();
    const results = await Promise.all(calls);
    const sinceAbort = performance.now() - start;
    assert.ok(sinceAbort < 100, `the last call rejected ${sinceAbort.toFixed(1)} ms after the abort`);
    for (const r of results) assertAborted(r.error, signal.reason);
  });
  assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
  assert.equal(getEventListeners(signal, "abort").length, 0);
  assert.equal(server.count, 1000);
});

test("1,000 calls sharing one signal that all succeed leave no listener behind", async (t) => {
  const { mix } = await client(t, (req, res) => reply(res, 200, OK_BODY));
  const { signal } = new AbortController();
  const warnings = await warningsDuring(async () => {
    const values = await Promise.all(Array.from({ length: 1000 }, () => mix.internal.refreshOAuthTokens({ signal })));
    for (const value of values) assert.deepEqual(value, OK_BODY);
  });
  assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
  assert.equal(getEventListeners(signal, "abort").length, 0);
});
