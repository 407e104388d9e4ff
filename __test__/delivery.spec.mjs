// How finished calls get back to JavaScript (src/binding/completions.rs):
// outcomes arrive in batches through one libuv handle per client, so these
// specs check that every call gets its own outcome exactly once, that a
// collected client still settles what it started, and that clients in
// worker threads start, finish and tear down cleanly.

import test from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Mix } from "mix-typescript-sdk";
import { OK_BODY, reply, startServer } from "./helpers/scripted-server.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);

/** Answers with the request's `x-n` header as the message (or "plain"). */
function echo(delayMs = 0) {
  return (req, res) => {
    const body = { message: req.headers["x-n"] ?? "plain", status: "success" };
    setTimeout(() => reply(res, 200, body), delayMs);
  };
}

test("a thousand concurrent calls each settle once, with their own response", { timeout: 30_000 }, async (t) => {
  const server = await startServer(echo());
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url });
  const calls = [];
  for (let i = 0; i < 1000; i++) {
    // Every other call takes the path without options.
    calls.push(i % 2 ? mix.internal.refreshOAuthTokens({ headers: { "x-n": String(i) } }) : mix.internal.refreshOAuthTokens());
  }
  const values = await Promise.all(calls);
  values.forEach((value, i) => {
    assert.deepEqual(value, { message: i % 2 ? String(i) : "plain", status: "success" });
  });
  assert.equal(server.count, 1000);
});

test("values keep absent fields absent", { timeout: 30_000 }, async (t) => {
  const bodies = [{ status: "success" }, { message: "m" }, {}];
  const server = await startServer((req, res, n) => reply(res, 200, bodies[n]));
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url });
  assert.deepEqual(Object.keys(await mix.internal.refreshOAuthTokens()), ["status"]);
  assert.deepEqual(Object.keys(await mix.internal.refreshOAuthTokens()), ["message"]);
  assert.deepEqual(Object.keys(await mix.internal.refreshOAuthTokens()), []);
});

test("calls still settle after their client is garbage collected", { skip: !global.gc && "needs --expose-gc", timeout: 30_000 }, async (t) => {
  const server = await startServer(echo(150));
  t.after(() => server.close());
  const { liveNativeClients } = require("../lib/internal/native.js");
  const before = liveNativeClients();
  // The client is reachable only from this block; the promises outlive it.
  const pending = (() => {
    const mix = new Mix({ serverURL: server.url });
    return Array.from({ length: 50 }, () => mix.internal.refreshOAuthTokens());
  })();
  for (let i = 0; i < 5; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const values = await Promise.all(pending);
  for (const value of values) assert.deepEqual(value, { message: "plain", status: "success" });
  // The client itself is freed once collected.
  for (let i = 0; i < 10 && liveNativeClients() > before; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // (Clients of earlier specs may have been collected meanwhile too.)
  assert.ok(liveNativeClients() <= before, `${liveNativeClients() - before} clients left alive`);
  // Later clients work as before.
  assert.deepEqual(await new Mix({ serverURL: server.url }).internal.refreshOAuthTokens(), {
    message: "plain",
    status: "success",
  });
});

// Runs in a child process, so a crash at worker teardown fails this spec
// rather than killing the test runner.
const WORKERS = `
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { Mix } from "mix-typescript-sdk";

const base = process.env.MIX_TEST_BASE;
const inWorker = (path, after) => {
  const code = \`
    import { parentPort } from "node:worker_threads";
    import { Mix } from "mix-typescript-sdk";
    const mix = new Mix({ serverURL: \${JSON.stringify(base + path)} });
    parentPort.postMessage("started");
    mix.internal.refreshOAuthTokens().then(
      (v) => parentPort.postMessage(JSON.stringify(v)),
      (e) => parentPort.postMessage(e.name),
    );
  \`;
  return new Worker(code, { eval: true, type: "module" });
};

// A worker's call completes and the worker exits by itself.
const ok = new Worker(
  \`import { parentPort } from "node:worker_threads";
   import { Mix } from "mix-typescript-sdk";
   const mix = new Mix({ serverURL: \${JSON.stringify(base + "/ok/")} });
   parentPort.postMessage(JSON.stringify(await mix.internal.refreshOAuthTokens()));\`,
  { eval: true },
);
// Listened for first: a worker that ends at once may post its message and
// exit in one turn of this thread's loop, and Node then emits both together.
const exited = once(ok, "exit");
const [value] = await once(ok, "message");
console.log("worker value " + value);
const [code] = await exited;
console.log("worker exit " + code);

// Workers torn down while their calls are in flight.
for (let i = 0; i < 5; i++) {
  const w = inWorker("/hang/");
  await once(w, "message");
  await new Promise((r) => setTimeout(r, 20));
  await w.terminate();
}
console.log("terminated");

// This thread's clients are unaffected.
const mix = new Mix({ serverURL: base + "/ok/" });
console.log("main value " + JSON.stringify(await mix.internal.refreshOAuthTokens()));
`;

test("clients in worker threads work, and terminating a worker mid-call harms nothing", { timeout: 30_000 }, async (t) => {
  const server = await startServer((req, res) => {
    if (req.url.startsWith("/ok/")) reply(res, 200, OK_BODY);
    // /hang/: never answers
  });
  t.after(() => server.close());
  const child = spawn(process.execPath, ["--input-type=module", "-e", WORKERS], {
    cwd: ROOT,
    env: { ...process.env, MIX_TEST_BASE: server.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [exitCode, signal] = await once(child, "exit");
  clearTimeout(timer);
  const value = JSON.stringify(OK_BODY);
  assert.equal(signal, null, `child killed by ${signal}; stderr: ${stderr}`);
  assert.equal(exitCode, 0, `stderr: ${stderr}`);
  assert.deepEqual(stdout.trim().split("\n"), [
    `worker value ${value}`,
    "worker exit 0",
    "terminated",
    `main value ${value}`,
  ]);
});

test("clients that are no longer used are garbage collected, with their native side", { skip: !global.gc && "needs --expose-gc", timeout: 30_000 }, async (t) => {
  const server = await startServer(echo());
  t.after(() => server.close());
  const { liveNativeClients, openCompletionHandles } = require("../lib/internal/native.js");
  const settleGC = async () => {
    for (let i = 0; i < 10; i++) {
      global.gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await settleGC();
  const before = liveNativeClients();
  const handles = openCompletionHandles();
  for (let i = 0; i < 20; i++) {
    const mix = new Mix({ serverURL: server.url });
    await mix.internal.refreshOAuthTokens();
  }
  assert.ok(liveNativeClients() >= before + 20);
  // All clients of a thread share one completion handle.
  assert.equal(openCompletionHandles(), handles);
  await settleGC();
  // The last client may still be referenced from this frame.
  assert.ok(liveNativeClients() <= before + 1, `${liveNativeClients() - before} clients left alive`);
});
