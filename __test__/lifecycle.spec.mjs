// Nothing left behind (CONTRACT §6, issue 3): a settled call leaves no timer,
// task, listener or socket that keeps the process alive. The main check runs
// a real child process that makes calls of every kind and then does nothing:
// it must exit by itself, promptly, with code 0.

import test from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Mix } from "mix-typescript-sdk";
import { OK_BODY, freePort, reply, settle, sleep, startServer } from "./helpers/scripted-server.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

// How long a child may take to exit once its last call has settled; a live
// timer, socket or handle would hold it for seconds (the server's keep-alive
// alone lasts 5 s) or forever.
const EXIT_WITHIN = 1500;

/** Routes by path prefix: /ok, /hang, /busy (503) and /flaky (two 503s, then 200). */
function routes() {
  let flaky = 0;
  return (req, res) => {
    if (req.url.startsWith("/ok/")) reply(res, 200, OK_BODY);
    else if (req.url.startsWith("/busy/")) reply(res, 503, "busy");
    else if (req.url.startsWith("/flaky/")) reply(res, flaky++ < 2 ? 503 : 200, OK_BODY);
    // /hang/: never answers
  };
}

// The child: one call of each kind, concurrently; prints how each ended,
// then "settled", then does nothing at all.
const CHILD = `
import { Mix } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";

const base = process.env.MIX_TEST_BASE;
const refused = process.env.MIX_TEST_REFUSED;
const at = (path, options) => new Mix({ serverURL: base + path, ...options }).internal;
const fast = (extra) => ({ strategy: "backoff", backoff: { initialInterval: 20, maxInterval: 20, exponent: 1, maxElapsedTime: 200 }, ...extra });
const abortAfter = (ms) => { const c = new AbortController(); setTimeout(() => c.abort(), ms); return c.signal; };

const calls = {
  success: at("/ok/").refreshOAuthTokens(),
  successWithLongLimit: at("/ok/").refreshOAuthTokens({ timeoutMs: 60000 }),
  successWithSignal: at("/ok/").refreshOAuthTokens({ signal: new AbortController().signal, timeoutMs: 60000 }),
  standalone: authenticationRefreshOAuthTokens(new MixCore({ serverURL: base + "/ok/" })).then((r) => r.value),
  timeout: at("/hang/").refreshOAuthTokens({ timeoutMs: 100 }),
  clientTimeoutWithDefaultRetries: at("/hang/", { timeoutMs: 120 }).refreshOAuthTokens(),
  abortDuringRequest: at("/hang/").refreshOAuthTokens({ signal: abortAfter(60) }),
  abortDuringLongWait: at("/busy/").refreshOAuthTokens({
    signal: abortAfter(100),
    retries: { strategy: "backoff", backoff: { initialInterval: 60000, maxInterval: 60000, exponent: 1, maxElapsedTime: 600000 } },
  }),
  alreadyAborted: at("/ok/").refreshOAuthTokens({ signal: AbortSignal.abort() }),
  retriedToSuccess: at("/flaky/").refreshOAuthTokens({ retries: fast() }),
  retriesExhausted: at("/busy/").refreshOAuthTokens({ retries: fast() }),
  refusedWithRetries: new Mix({ serverURL: refused }).internal.refreshOAuthTokens({ retries: fast({ retryConnectionErrors: true }) }),
};
const names = Object.keys(calls);
const settled = await Promise.allSettled(Object.values(calls));
const outcome = Object.fromEntries(
  settled.map((r, i) => [names[i], r.status === "fulfilled" ? r.value.status : r.reason.name]),
);
process.stdout.write(JSON.stringify(outcome) + "\\nsettled\\n");
`;

const EXPECTED = {
  success: "success",
  successWithLongLimit: "success",
  successWithSignal: "success",
  standalone: "success",
  timeout: "RequestTimeoutError",
  clientTimeoutWithDefaultRetries: "RequestTimeoutError",
  abortDuringRequest: "RequestAbortedError",
  abortDuringLongWait: "RequestAbortedError",
  alreadyAborted: "RequestAbortedError",
  retriedToSuccess: "success",
  retriesExhausted: "MixDefaultError",
  refusedWithRetries: "ConnectionError",
};

/** Runs `source` as an ES module in a child Node; resolves when it exits. */
async function runChild(source, env) {
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let settledAt;
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    stdout += chunk;
    if (settledAt === undefined && stdout.includes("settled\n")) settledAt = performance.now();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const [code, signal] = await once(child, "exit");
  clearTimeout(killer);
  return { code, signal, stdout, stderr, exitedAfter: performance.now() - settledAt };
}

test("a process that made calls of every kind exits by itself right after the last one settles", async (t) => {
  const server = await startServer(routes());
  t.after(() => server.close());
  const run = await runChild(CHILD, { MIX_TEST_BASE: server.url, MIX_TEST_REFUSED: `http://127.0.0.1:${await freePort()}` });
  assert.equal(run.stderr, "");
  assert.equal(run.signal, null, "the child hung and was killed");
  assert.equal(run.code, 0);
  assert.deepEqual(JSON.parse(run.stdout.split("\n")[0]), EXPECTED);
  assert.ok(run.exitedAfter < EXIT_WITHIN, `exited ${run.exitedAfter.toFixed(0)} ms after its last call settled`);
});

test("a process whose client never made a call exits at once", async () => {
  const source = `import { Mix } from "mix-typescript-sdk"; new Mix({ timeoutMs: 1000 }); process.stdout.write("settled\\n");`;
  const run = await runChild(source, {});
  assert.equal(run.code, 0);
  assert.ok(run.exitedAfter < EXIT_WITHIN, `exited ${run.exitedAfter.toFixed(0)} ms after starting`);
});

test("settled calls leave no handle or timer in this process", async (t) => {
  const server = await startServer(routes());
  t.after(() => server.close());
  const baseline = process.getActiveResourcesInfo();
  const at = (path) => new Mix({ serverURL: server.url + path }).internal;
  const controller = new AbortController();
  const { signal } = controller;
  const value = await at("/ok/").refreshOAuthTokens({ timeoutMs: 60_000, signal });
  assert.deepEqual(value, OK_BODY);
  const calls = [
    at("/hang/").refreshOAuthTokens({ timeoutMs: 50 }),
    at("/hang/").refreshOAuthTokens({ signal, timeoutMs: 60_000 }),
    at("/busy/").refreshOAuthTokens({
      retries: { strategy: "backoff", backoff: { initialInterval: 20, maxInterval: 20, exponent: 1, maxElapsedTime: 100 } },
    }),
  ];
  await server.waitForHits(4);
  controller.abort();
  const names = (await Promise.all(calls.map((c) => settle(c)))).map((r) => r.error?.name);
  assert.deepEqual(names, ["RequestTimeoutError", "RequestAbortedError", "MixDefaultError"]);
  await server.close();
  await sleep(20);
  // Nothing new (a 60 s timer of the first call, a socket) may remain.
  const count = (list) => list.reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map());
  const before = count(baseline);
  for (const [resource, n] of count(process.getActiveResourcesInfo())) {
    assert.ok(n <= (before.get(resource) ?? 0), `${n} × ${resource} left, ${before.get(resource) ?? 0} before the calls`);
  }
});
