// Churn (issue 4, point 5): many concurrent calls against a server that
// answers at random — 200, 500 error JSON, 503 text, a reset, or nothing —
// all settle, exactly once and on time, and the standalone function never
// rejects; then 10,000 calls that are aborted or time out leave nothing
// behind: no growth in memory and no pending handles.
//
// The server (helpers/hostile-server.mjs, `random` and `hang` modes) runs in
// a child process, so this process's memory and handles are the client's.

import test from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { Mix } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";
import {
  ConnectionError,
  ErrorResponse,
  MixDefaultError,
  RequestAbortedError,
  RequestTimeoutError,
} from "mix-typescript-sdk/models/errors";
import { MiB, startHostileServerProcess } from "./helpers/hostile-server.mjs";

const OK_VALUE = { message: "Token refresh triggered successfully", status: "success" };
// Small waits, so a call retries a few times within its 300 ms.
const RETRIES = {
  strategy: "backoff",
  backoff: { initialInterval: 10, maxInterval: 40, exponent: 2, maxElapsedTime: 250 },
  retryConnectionErrors: true,
};
// What each random answer can end in: the value (200, possibly after
// retries), ErrorResponse (500), MixDefaultError (503), ConnectionError
// (reset) and RequestTimeoutError (no answer within 300 ms).
const EXPECTED = [ErrorResponse, MixDefaultError, ConnectionError, RequestTimeoutError];

let server;
test.before(async () => {
  server = await startHostileServerProcess();
});
test.after(async () => {
  await server.close();
});

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

test("500 concurrent calls against a random server each settle exactly once within 2 s", async () => {
  const N = 500;
  const mix = new Mix({ serverURL: server.url("random") });
  const core = new MixCore({ serverURL: server.url("random") });
  const options = { timeoutMs: 300, retries: RETRIES };
  const settlements = new Array(N).fill(0);
  const outcomes = new Array(N);
  let standaloneRejections = 0;
  const start = performance.now();
  const calls = Array.from({ length: N }, (_, i) => {
    const record = (outcome) => {
      settlements[i] += 1;
      outcomes[i] = { ...outcome, at: performance.now() - start };
    };
    if (i % 2 === 0) {
      return mix.internal.refreshOAuthTokens(options).then(
        (value) => record({ value }),
        (error) => record({ error }),
      );
    }
    // The standalone function resolves a Result; a rejection is a bug.
    return new Promise((resolve) => {
      authenticationRefreshOAuthTokens(core, options).then(
        (result) => {
          record(result.ok ? { value: result.value } : { error: result.error });
          resolve();
        },
        (error) => {
          standaloneRejections += 1;
          record({ error });
          resolve();
        },
      );
    });
  });
  const all = Promise.all(calls);
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, 2000, "late");
  });
  const first = await Promise.race([all, late]);
  clearTimeout(timer);
  assert.notEqual(first, "late", `${settlements.filter((n) => n === 0).length} calls still pending after 2 s`);
  // A late second settlement would show up here.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(settlements.filter((n) => n !== 1), [], "a call settled more than once");
  assert.equal(standaloneRejections, 0, "the standalone function rejected");
  const seen = new Set();
  for (const o of outcomes) {
    if ("value" in o) {
      assert.deepEqual(o.value, OK_VALUE);
      seen.add("value");
    } else {
      assert.ok(EXPECTED.includes(o.error?.constructor), `unexpected ${o.error?.constructor?.name}: ${o.error?.message}`);
      seen.add(o.error.constructor.name);
    }
    assert.ok(o.at < 2000, `settled after ${o.at.toFixed(0)} ms`);
  }
  // With equal odds every kind of outcome turns up among 500 calls.
  assert.deepEqual([...seen].sort(), ["ConnectionError", "ErrorResponse", "MixDefaultError", "RequestTimeoutError", "value"]);
});

/** Resource counts by type, e.g. { TCPSocketWrap: 2, Timeout: 1 }. */
function resources() {
  const counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/**
 * Memory after forced collections: `outside` is RSS minus V8's committed
 * heap (the addon, the allocator, buffers), `heapUsed` the live JS objects.
 * V8's committed heap itself is left out: with a thousand calls pending at
 * once, V8 grows its young generation to full size (32 MB) and keeps it —
 * a one-off sizing decision, not memory held by anything.
 */
async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  const { rss, heapTotal, heapUsed } = process.memoryUsage();
  return { outside: rss - heapTotal, heapUsed };
}

/**
 * `n` calls to a server that never answers: 1/8 aborted before they start,
 * 1/2 aborted in flight (after 0–40 ms) and 3/8 timed out (after 20–60 ms).
 * Half go through the method, half through the standalone function.
 */
async function abortedOrTimedOut(mix, core, n) {
  const calls = [];
  for (let i = 0; i < n; i++) {
    const kind = [0, 1, 1, 1, 1, 2, 2, 2][i % 8];
    let options;
    if (kind === 0) {
      options = { signal: AbortSignal.abort(), retries: RETRIES };
    } else if (kind === 1) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), Math.random() * 40);
      options = { signal: controller.signal, retries: RETRIES };
    } else {
      options = { timeoutMs: 20 + Math.random() * 40, retries: RETRIES };
    }
    const expected = kind === 2 ? RequestTimeoutError : RequestAbortedError;
    const call =
      i % 2 === 0
        ? mix.internal.refreshOAuthTokens(options).then(
            () => assert.fail("a call to a silent server gave a value"),
            (error) => assert.equal(error.constructor, expected, error.message),
          )
        : authenticationRefreshOAuthTokens(core, options).then((result) => {
            assert.equal(result.ok, false);
            assert.equal(result.error.constructor, expected, result.error.message);
          });
    calls.push(call);
  }
  await Promise.all(calls);
}

test("10,000 aborted or timed-out calls leave no growth in memory or pending handles", async (t) => {
  assert.equal(typeof global.gc, "function", "run with node --expose-gc");
  const mix = new Mix({ serverURL: server.url("hang") });
  const core = new MixCore({ serverURL: server.url("hang") });
  // Warm-up: the runtime's thread pool, connection pool and V8's heap size
  // themselves on first use.
  await abortedOrTimedOut(mix, core, 300);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const baseResources = resources();
  const base = await settledMemory();

  const BATCH = 1000;
  for (let done = 0; done < 10_000; done += BATCH) await abortedOrTimedOut(mix, core, BATCH);

  // Nothing pending: every timer, socket and request handle is gone again.
  const deadline = performance.now() + 3000;
  while (JSON.stringify(resources()) !== JSON.stringify(baseResources) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual(resources(), baseResources);
  const end = await settledMemory();
  const outside = (end.outside - base.outside) / MiB;
  const heap = (end.heapUsed - base.heapUsed) / MiB;
  t.diagnostic(`outside the JS heap: ${outside.toFixed(1)} MB, live JS objects: ${heap.toFixed(1)} MB`);
  assert.ok(outside < 20, `RSS outside the JS heap grew by ${outside.toFixed(1)} MB over 10,000 calls`);
  assert.ok(heap < 5, `live JS objects grew by ${heap.toFixed(1)} MB over 10,000 calls`);
});

test("no unhandled rejection happened during the churn", async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(unhandled, []);
});
