// The I/O threads calls run on (src/binding/runtime.rs): one per core, at
// most two, each client keeping one connection pool per thread. A new call
// goes to the thread with the fewest calls in flight, the first on a tie, so
// calls made one at a time stay on one thread and one connection.

import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Mix } from "mix-typescript-sdk";
import { OK_BODY, reply, startServer } from "./helpers/scripted-server.mjs";

/** Names of this process's threads (Linux). */
function threadNames() {
  return readdirSync("/proc/self/task").map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim());
}

test("the I/O threads are mix-io-0 and, with two cores or more, mix-io-1", { skip: process.platform !== "linux" && "reads /proc" }, async (t) => {
  const server = await startServer((req, res) => reply(res, 200, OK_BODY));
  t.after(() => server.close());
  await new Mix({ serverURL: server.url }).internal.refreshOAuthTokens();
  const io = threadNames()
    .filter((name) => name.startsWith("mix-io"))
    .sort();
  assert.deepEqual(io, availableParallelism() >= 2 ? ["mix-io-0", "mix-io-1"] : ["mix-io-0"]);
});

test("calls made one at a time share one connection", async (t) => {
  const server = await startServer((req, res) => reply(res, 200, OK_BODY));
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url });
  for (let i = 0; i < 20; i++) assert.deepEqual(await mix.internal.refreshOAuthTokens(), OK_BODY);
  assert.equal(new Set(server.hits.map((hit) => hit.socket)).size, 1);
});

test("concurrent calls use both threads' pools and each gets its own response", { timeout: 30_000 }, async (t) => {
  const server = await startServer((req, res, n) => {
    // The first 64 are held until all have arrived, so the client must have
    // 64 connections open at once; later requests are answered at once.
    if (n > 63) reply(res, 200, OK_BODY);
    else if (n === 63) for (const hit of server.hits) reply(hit.res, 200, { message: hit.req.headers["x-n"], status: "success" });
  });
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url });
  const calls = Array.from({ length: 64 }, (_, i) => mix.internal.refreshOAuthTokens({ headers: { "x-n": String(i) } }));
  const values = await Promise.all(calls);
  values.forEach((value, i) => assert.deepEqual(value, { message: String(i), status: "success" }));
  // Then 64 at a time again: the connections of both pools are reused. (A
  // call whose end its thread has not counted yet can tip the split between
  // the threads by one, and that pool opens one more connection.)
  const again = await Promise.all(Array.from({ length: 64 }, () => mix.internal.refreshOAuthTokens()));
  again.forEach((value) => assert.deepEqual(value, OK_BODY));
  const sockets = new Set(server.hits.map((hit) => hit.socket)).size;
  assert.ok(sockets >= 64 && sockets <= 66, `${sockets} connections for two rounds of 64 calls`);
});
