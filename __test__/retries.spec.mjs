// Retries (CONTRACT §5, issue 3): how many attempts a policy makes, the
// gaps between them as the server sees them, which policy applies, which
// statuses and failures are retried, Retry-After, and the maxElapsedTime and
// timeoutMs budgets. Every call sets a small policy or a short budget: the
// operation default retries a 503 for up to 10 minutes.

import test from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { Mix } from "mix-typescript-sdk";
import {
  ConnectionError,
  ErrorResponse,
  InvalidRequestError,
  MixDefaultError,
  ResponseValidationError,
} from "mix-typescript-sdk/models/errors";
import {
  ERROR_BODY,
  OK_BODY,
  failThenSucceed,
  freePort,
  reply,
  settle,
  sleep,
  startServer,
} from "./helpers/scripted-server.mjs";

// A gap between two attempts, measured at the server, includes the response
// travelling back, the timer's millisecond rounding and the next request
// travelling out; on a busy 2-core machine that overhead stays well below this.
const SLACK = 45;

/** A backoff policy; `initialInterval` with the given overrides. */
function backoff(initialInterval, { exponent = 1, maxInterval = 60_000, maxElapsedTime = 10_000, ...rest } = {}) {
  return { strategy: "backoff", backoff: { initialInterval, maxInterval, exponent, maxElapsedTime }, ...rest };
}

/** Asserts `gap` is a wait of `base` ms with the documented jitter (up to +10 %). */
function assertWait(gap, base, what = "gap") {
  assert.ok(gap >= base, `${what} ${gap.toFixed(1)} ms is shorter than ${base} ms`);
  assert.ok(gap < base * 1.1 + SLACK, `${what} ${gap.toFixed(1)} ms is longer than ${base} ms + 10 % + ${SLACK} ms`);
}

async function serve(t, script) {
  const server = await startServer(script);
  t.after(() => server.close());
  return server;
}

async function client(t, script, options = {}) {
  const server = await serve(t, script);
  return { server, mix: new Mix({ serverURL: server.url, ...options }) };
}

test("the first retry waits initialInterval, never less and at most 10 % more", async (t) => {
  const { server, mix } = await client(t, failThenSucceed(1));
  const value = await mix.internal.refreshOAuthTokens({ retries: backoff(200, { exponent: 2 }) });
  assert.deepEqual(value, OK_BODY);
  assert.equal(server.count, 2);
  assertWait(server.gaps()[0], 200, "first wait");
});

test("each further wait grows by the exponent", async (t) => {
  const { server, mix } = await client(t, failThenSucceed(3));
  await mix.internal.refreshOAuthTokens({ retries: backoff(60, { exponent: 2 }) });
  assert.equal(server.count, 4);
  const gaps = server.gaps();
  [60, 120, 240].forEach((base, i) => assertWait(gaps[i], base, `wait ${i}`));
});

test("waits stop growing at maxInterval, jitter included", async (t) => {
  const { server, mix } = await client(t, failThenSucceed(3));
  await mix.internal.refreshOAuthTokens({ retries: backoff(50, { exponent: 4, maxInterval: 120 }) });
  const gaps = server.gaps();
  assertWait(gaps[0], 50, "wait 0");
  for (const gap of gaps.slice(1)) {
    assert.ok(gap >= 120 && gap < 120 + SLACK, `capped wait ${gap.toFixed(1)} ms`);
  }
});

test("a status that keeps failing is retried until maxElapsedTime and the last response is decoded normally", async (t) => {
  const { server, mix } = await client(t, (req, res, n) => reply(res, 503, `busy ${n}`));
  // Attempts at about 0, 105 and 215 ms; a third wait would end past 270 ms.
  const r = await settle(() => mix.internal.refreshOAuthTokens({ retries: backoff(100, { maxElapsedTime: 270 }) }));
  assert.equal(server.count, 3);
  assert.ok(r.error instanceof MixDefaultError, String(r.error));
  assert.equal(r.error.statusCode, 503);
  assert.equal(r.error.body, "busy 2");
  assert.equal(r.error.message, "API error occurred: Status 503 Content-Type text/plain. Body: busy 2");
});

test("a 500 error JSON that keeps coming ends in ErrorResponse once retries are exhausted", async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 500, ERROR_BODY));
  const r = await settle(() => mix.internal.refreshOAuthTokens({ retries: backoff(30, { maxElapsedTime: 100 }) }));
  assert.ok(server.count >= 2, `only ${server.count} attempt(s)`);
  assert.ok(r.error instanceof ErrorResponse, String(r.error));
  assert.equal(r.error.statusCode, 500);
  assert.equal(r.error.message, "token service down");
  assert.deepEqual(r.error.error, ERROR_BODY.error);
});

test("per-call retries win over the client's retryConfig", async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 503, "busy"), {
    retryConfig: { strategy: "none" },
  });
  const r = await settle(() => mix.internal.refreshOAuthTokens({ retries: backoff(20, { maxElapsedTime: 50 }) }));
  assert.equal(r.error?.statusCode, 503);
  assert.ok(server.count >= 2, `per-call backoff made ${server.count} attempt(s)`);

  const { server: other, mix: backingOff } = await client(t, (req, res) => reply(res, 503, "busy"), {
    retryConfig: backoff(20, { maxElapsedTime: 5000 }),
  });
  const none = await settle(() => backingOff.internal.refreshOAuthTokens({ retries: { strategy: "none" } }));
  assert.equal(none.error?.statusCode, 503);
  assert.equal(other.count, 1);
});

test("the client's retryConfig applies to calls that set no retries", async (t) => {
  const { server, mix } = await client(t, failThenSucceed(2), { retryConfig: backoff(20) });
  assert.deepEqual(await mix.internal.refreshOAuthTokens(), OK_BODY);
  assert.equal(server.count, 3);
});

test("without any policy the operation default retries a 503 after 500 ms", async (t) => {
  // The default's next wait (750 ms) would cross the 1 s limit, so the call
  // ends with the second 503 instead of timing out.
  const { server, mix } = await client(t, (req, res) => reply(res, 503, "busy"));
  const r = await settle(() => mix.internal.refreshOAuthTokens({ timeoutMs: 1000 }));
  assert.ok(r.error instanceof MixDefaultError, String(r.error));
  assert.equal(r.error.statusCode, 503);
  assert.equal(server.count, 2);
  assertWait(server.gaps()[0], 500, "default first wait");
  assert.ok(r.elapsed < 1000, `ended after ${r.elapsed.toFixed(1)} ms`);
});

test('{strategy: "backoff"} without backoff takes the default intervals', async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 503, "busy"));
  const r = await settle(() => mix.internal.refreshOAuthTokens({ retries: { strategy: "backoff" }, timeoutMs: 1000 }));
  assert.equal(r.error?.statusCode, 503);
  assert.equal(server.count, 2);
  assertWait(server.gaps()[0], 500, "library default first wait");
});

test('strategy "none" sends exactly one request', async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 503, "busy"), { retryConfig: backoff(10) });
  const r = await settle(() => mix.internal.refreshOAuthTokens({ retries: { strategy: "none" } }));
  assert.ok(r.error instanceof MixDefaultError);
  await sleep(60);
  assert.equal(server.count, 1);
});

/** Attempts a call makes against `failures` answers of `status` then 200. */
async function attemptsFor(t, status, retryCodes) {
  const { server, mix } = await client(t, failThenSucceed(1, status));
  const r = await settle(
    () => mix.internal.refreshOAuthTokens({ retries: backoff(10, { maxElapsedTime: 2000 }), retryCodes }),
  );
  if (server.count === 1) assert.equal(r.error?.statusCode, status);
  else assert.deepEqual(r.value, OK_BODY);
  return server.count;
}

test("per-call retryCodes retry exactly the listed statuses", async (t) => {
  assert.equal(await attemptsFor(t, 503, ["503"]), 2);
  assert.equal(await attemptsFor(t, 502, ["503"]), 1);
  assert.equal(await attemptsFor(t, 418, ["418"]), 2);
});

test("NXX retry codes match the whole hundred in either case", async (t) => {
  assert.equal(await attemptsFor(t, 502, ["5xx"]), 2);
  assert.equal(await attemptsFor(t, 599, ["5XX"]), 2);
  assert.equal(await attemptsFor(t, 404, ["4Xx"]), 2);
  assert.equal(await attemptsFor(t, 500, ["4XX"]), 1);
});

test("an empty retryCodes list retries no status", async (t) => {
  assert.equal(await attemptsFor(t, 503, []), 1);
  assert.equal(await attemptsFor(t, 429, []), 1);
});

test("the default retry codes are 5XX, 408 and 429", async (t) => {
  assert.equal(await attemptsFor(t, 500, undefined), 2);
  assert.equal(await attemptsFor(t, 504, undefined), 2);
  assert.equal(await attemptsFor(t, 408, undefined), 2);
  assert.equal(await attemptsFor(t, 429, undefined), 2);
  assert.equal(await attemptsFor(t, 404, undefined), 1);
  assert.equal(await attemptsFor(t, 400, undefined), 1);
});

/** The gap before the retry of a 503 carrying `headers`. */
async function gapAfter(t, headers, policy) {
  const { server, mix } = await client(t, failThenSucceed(1, 503, headers));
  assert.deepEqual(await mix.internal.refreshOAuthTokens({ retries: policy }), OK_BODY);
  return server.gaps()[0];
}

test("Retry-After in seconds replaces the computed wait", async (t) => {
  const gap = await gapAfter(t, { "retry-after": "1" }, backoff(10, { maxInterval: 5000 }));
  assert.ok(gap >= 1000 && gap < 1000 + SLACK, `waited ${gap.toFixed(1)} ms`);
});

test("Retry-After in seconds is capped at maxInterval", async (t) => {
  const gap = await gapAfter(t, { "retry-after": "3600" }, backoff(10, { maxInterval: 150 }));
  assert.ok(gap >= 150 && gap < 150 + SLACK, `waited ${gap.toFixed(1)} ms`);
});

test("a Retry-After date is measured against the response's Date header", async (t) => {
  // Both dates lie in the past: only their difference (1 s) can be the wait.
  const headers = { date: "Sat, 01 Jan 2000 00:00:00 GMT", "retry-after": "Sat, 01 Jan 2000 00:00:01 GMT" };
  const gap = await gapAfter(t, headers, backoff(10, { maxInterval: 5000 }));
  assert.ok(gap >= 1000 && gap < 1000 + SLACK, `waited ${gap.toFixed(1)} ms`);
});

test("a Retry-After date is capped at maxInterval", async (t) => {
  const headers = { date: "Sat, 01 Jan 2000 00:00:00 GMT", "retry-after": "Sat, 01 Jan 2000 01:00:00 GMT" };
  const gap = await gapAfter(t, headers, backoff(10, { maxInterval: 150 }));
  assert.ok(gap >= 150 && gap < 150 + SLACK, `waited ${gap.toFixed(1)} ms`);
});

test("a Retry-After of zero or a date already past falls back to the computed wait, never a tight loop", async (t) => {
  const past = { date: "Sat, 01 Jan 2000 00:00:10 GMT", "retry-after": "Sat, 01 Jan 2000 00:00:00 GMT" };
  for (const headers of [past, { "retry-after": "0" }]) {
    const gap = await gapAfter(t, headers, backoff(80));
    assertWait(gap, 80, `wait after Retry-After ${JSON.stringify(headers["retry-after"])}`);
  }
});

test("a Retry-After that does not parse is ignored in favour of the computed wait", async (t) => {
  for (const value of ["soon", "-5", "1.5", "0x10", "", "Sat, 01 Jan 2000 99:00:00 GMT"]) {
    const gap = await gapAfter(t, { "retry-after": value }, backoff(80));
    assertWait(gap, 80, `wait after Retry-After ${JSON.stringify(value)}`);
  }
});

test("maxElapsedTime is never overshot by more than 150 ms", async (t) => {
  const cases = [
    { delay: 0, budget: 300, policy: { initialInterval: 100, exponent: 1.5 } },
    { delay: 0, budget: 500, policy: { initialInterval: 70, exponent: 2 } },
    { delay: 40, budget: 400, policy: { initialInterval: 50, exponent: 1.5 } },
  ];
  for (const { delay, budget, policy } of cases) {
    const { server, mix } = await client(t, (req, res) => setTimeout(() => reply(res, 503, "busy"), delay));
    const retries = backoff(policy.initialInterval, { exponent: policy.exponent, maxElapsedTime: budget });
    const r = await settle(() => mix.internal.refreshOAuthTokens({ retries }));
    assert.equal(r.error?.statusCode, 503);
    assert.ok(server.count >= 2, `only ${server.count} attempt(s) within ${budget} ms`);
    assert.ok(r.elapsed <= budget + 150, `budget ${budget} ms, call took ${r.elapsed.toFixed(1)} ms`);
  }
});

test("a Retry-After longer than what is left of maxElapsedTime ends the call at once", async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 503, "busy", { "retry-after": "5" }));
  const r = await settle(
    () => mix.internal.refreshOAuthTokens({ retries: backoff(10, { maxInterval: 10_000, maxElapsedTime: 1000 }) }),
  );
  assert.equal(r.error?.statusCode, 503);
  assert.equal(server.count, 1);
  assert.ok(r.elapsed < 150, `took ${r.elapsed.toFixed(1)} ms`);
});

test("a wait that would cross the call's timeoutMs is not started and the last response is returned", async (t) => {
  const { server, mix } = await client(t, (req, res, n) => reply(res, 503, `busy ${n}`));
  // Attempts at 0 and ~200 ms; the next 200 ms wait would end past 300 ms.
  const r = await settle(() => mix.internal.refreshOAuthTokens({ retries: backoff(200), timeoutMs: 300 }));
  assert.ok(r.error instanceof MixDefaultError, String(r.error));
  assert.equal(r.error.body, "busy 1");
  assert.equal(server.count, 2);
  assert.ok(r.elapsed < 290, `took ${r.elapsed.toFixed(1)} ms`);
});

test("a refused connection is not retried unless retryConnectionErrors is true", async () => {
  const mix = new Mix({ serverURL: `http://127.0.0.1:${await freePort()}` });
  const start = performance.now();
  for (const retries of [backoff(300), backoff(300, { retryConnectionErrors: false }), { strategy: "backoff" }]) {
    const r = await settle(() => mix.internal.refreshOAuthTokens({ retries }));
    assert.ok(r.error instanceof ConnectionError, String(r.error));
    assert.match(r.error.cause.message, /^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  }
  // Three refusals without a single 300 ms wait.
  assert.ok(performance.now() - start < 300, "a refused connection was retried");
});

test("a refused connection is retried with retryConnectionErrors: true until the budget runs out", async () => {
  const mix = new Mix({ serverURL: `http://127.0.0.1:${await freePort()}` });
  const retries = backoff(100, { maxElapsedTime: 450, retryConnectionErrors: true });
  const r = await settle(() => mix.internal.refreshOAuthTokens({ retries }));
  assert.ok(r.error instanceof ConnectionError, String(r.error));
  assert.ok(r.elapsed >= 300 && r.elapsed <= 450 + 150, `gave up after ${r.elapsed.toFixed(1)} ms`);
});

test("a server that starts listening later is reached when connection errors are retried", async (t) => {
  const port = await freePort();
  const mix = new Mix({ serverURL: `http://127.0.0.1:${port}` });
  const call = settle(
    () => mix.internal.refreshOAuthTokens({ retries: backoff(50, { maxElapsedTime: 5000, retryConnectionErrors: true }) }),
  );
  await sleep(200);
  const server = await startServer((req, res) => reply(res, 200, OK_BODY), port);
  t.after(() => server.close());
  const r = await call;
  assert.deepEqual(r.value, OK_BODY);
  assert.equal(server.count, 1);
  assert.ok(r.elapsed >= 200);
});

test("a connection reset by the server is retried only with retryConnectionErrors: true", async (t) => {
  const resetFirst = (req, res, n) => (n === 0 ? req.socket.destroy() : reply(res, 200, OK_BODY));
  const { server, mix } = await client(t, resetFirst);
  assert.deepEqual(
    await mix.internal.refreshOAuthTokens({ retries: backoff(20, { retryConnectionErrors: true }) }),
    OK_BODY,
  );
  assert.equal(server.count, 2);

  const { server: other, mix: strict } = await client(t, resetFirst);
  const r = await settle(() => strict.internal.refreshOAuthTokens({ retries: backoff(20) }));
  assert.ok(r.error instanceof ConnectionError, String(r.error));
  assert.equal(other.count, 1);
});

test("a response that fails to decode is never retried", async (t) => {
  const { server, mix } = await client(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{not json");
  });
  const r = await settle(
    () => mix.internal.refreshOAuthTokens({ retries: backoff(10, { retryConnectionErrors: true }) }),
  );
  assert.ok(r.error instanceof ResponseValidationError, String(r.error));
  await sleep(60);
  assert.equal(server.count, 1);
});

test("an invalid request is neither sent nor retried", async (t) => {
  const { server, mix } = await client(t, (req, res) => reply(res, 200, OK_BODY));
  const r = await settle(
    () => mix.internal.refreshOAuthTokens({
      headers: { "x-trace": "a\r\nb" },
      retries: backoff(10, { retryConnectionErrors: true }),
    }),
  );
  assert.ok(r.error instanceof InvalidRequestError, String(r.error));
  await sleep(60);
  assert.equal(server.count, 0);
});
