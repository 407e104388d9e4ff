// Binary downloads (`files.get`, SURFACE.md §8 and D5): the real package over
// loopback servers. Bodies of 0 B, 1 KB and 100 MB verified by hash, the
// wire request, content types, documented and undocumented errors, gzip,
// a slow consumer holding a fast server back, cancel and abort mid-download
// (the server sees the socket close), time limits bounding only the head,
// a connection cut mid-body, the standalone function, and an unread stream.

import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import zlib from "node:zlib";
import { createRequire } from "node:module";

import { closed, sleep, startServer } from "./helpers/scripted-server.mjs";

const require = createRequire(import.meta.url);
const { Mix } = require("../index.js");
const { MixCore } = require("../core.js");
const { filesGet } = require("../funcs/filesGet.js");
const errors = require("../models/errors/index.js");

const NO_RETRY = Object.freeze({ strategy: "none" });
const MiB = 1024 * 1024;

async function serve(t, script, options = {}) {
  const server = await startServer(script);
  t.after(() => server.close());
  return { server, mix: new Mix({ serverURL: server.url, ...options }) };
}

/** Deterministic bytes: block `i` of a body, `size` bytes. */
const block = (i, size) => Buffer.alloc(size, i % 251);

/** Writes `total` bytes in blocks of `size`, respecting backpressure; returns the body's sha256. */
function writeBody(res, total, size = 256 * 1024, onWrite = () => {}) {
  const hash = crypto.createHash("sha256");
  let sent = 0;
  let i = 0;
  const more = () => {
    while (sent < total) {
      const chunk = block(i++, Math.min(size, total - sent));
      hash.update(chunk);
      sent += chunk.length;
      onWrite(sent);
      if (!res.write(chunk)) return res.once("drain", more);
    }
    res.end();
  };
  more();
  return () => hash.copy().digest("hex");
}

async function hashOf(stream) {
  const hash = crypto.createHash("sha256");
  let length = 0;
  for await (const chunk of stream) {
    assert.ok(chunk instanceof Uint8Array, "chunks are Uint8Arrays");
    hash.update(chunk);
    length += chunk.length;
  }
  return { hash: hash.digest("hex"), length };
}

const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");

test("bodies of 0 B, 1 KB and 100 MB arrive whole and unchanged", { timeout: 60_000 }, async (t) => {
  const kb = crypto.randomBytes(1024);
  let expected100;
  const { mix } = await serve(t, (req, res) => {
    const name = req.url.split("/").pop().split("?")[0];
    res.writeHead(200, { "content-type": "application/octet-stream" });
    if (name === "empty") res.end();
    else if (name === "kb") res.end(kb);
    else expected100 = writeBody(res, 100 * MiB);
  });
  const empty = await hashOf(await mix.files.get({ id: "s", filename: "empty" }));
  assert.deepEqual(empty, { hash: sha256(Buffer.alloc(0)), length: 0 });
  const small = await hashOf(await mix.files.get({ id: "s", filename: "kb" }));
  assert.deepEqual(small, { hash: sha256(kb), length: 1024 });
  const large = await hashOf(await mix.files.get({ id: "s", filename: "large" }));
  assert.equal(large.length, 100 * MiB);
  assert.equal(large.hash, expected100());
});

test("the request: path parameters encoded, thumb and time in the query, Accept */*", async (t) => {
  const { server, mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.end("png");
  });
  const stream = await mix.files.get({ id: "ses 1", filename: "a/b.png", thumb: "w100", time: 1.5 });
  await hashOf(stream);
  const { req } = server.hits[0];
  assert.equal(req.method, "GET");
  assert.equal(req.url, "/api/sessions/ses%201/files/a%2Fb.png?thumb=w100&time=1.5");
  assert.equal(req.headers.accept, "*/*");
});

test("any well-formed content type, or none, is the file; a malformed one is MixDefaultError", async (t) => {
  const types = { html: "text/html", json: "application/json", none: undefined, bad: "nonsense" };
  const { mix } = await serve(t, (req, res) => {
    const kind = req.url.split("/").pop();
    const type = types[kind];
    res.writeHead(200, type ? { "content-type": type } : {});
    res.end(`body of ${kind}`);
  });
  for (const kind of ["html", "json", "none"]) {
    const stream = await mix.files.get({ id: "s", filename: kind });
    assert.ok(stream instanceof ReadableStream);
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(Buffer.concat(chunks).toString(), `body of ${kind}`);
  }
  const err = await mix.files.get({ id: "s", filename: "bad" }).catch((e) => e);
  assert.ok(err instanceof errors.MixDefaultError, String(err));
  assert.match(err.message, /^Unexpected Status or Content-Type/);
});

test("400 and 404 are ErrorResponse; 500 and other statuses MixDefaultError", async (t) => {
  const { mix } = await serve(
    t,
    (req, res) => {
      const status = Number(req.url.split("/").pop());
      const json = status === 400 || status === 404 || status === 500;
      res.writeHead(status, { "content-type": json ? "application/json" : "text/plain" });
      res.end(json ? JSON.stringify({ error: { code: status, message: "no", type: "bad_request" } }) : "teapot");
    },
    { retryConfig: NO_RETRY },
  );
  for (const status of [400, 404]) {
    const err = await mix.files.get({ id: "s", filename: String(status) }).catch((e) => e);
    assert.ok(err instanceof errors.ErrorResponse, `${status}: ${err}`);
    assert.equal(err.statusCode, status);
  }
  for (const status of [500, 418]) {
    const err = await mix.files.get({ id: "s", filename: String(status) }).catch((e) => e);
    assert.ok(err instanceof errors.MixDefaultError, `${status}: ${err}`);
    assert.match(err.message, /^API error occurred/);
  }
  const created = await mix.files.get({ id: "s", filename: "201" }).catch((e) => e);
  assert.ok(created instanceof errors.MixDefaultError, String(created));
});

test("a gzip-encoded file arrives decoded", async (t) => {
  const original = crypto.randomBytes(256 * 1024);
  const { mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-encoding": "gzip" });
    res.end(zlib.gzipSync(original));
  });
  assert.deepEqual(await hashOf(await mix.files.get({ id: "s", filename: "f" })), {
    hash: sha256(original),
    length: original.length,
  });
});

test("a slow consumer holds a fast server back: memory stays flat, and every byte arrives", { timeout: 120_000 }, async (t) => {
  const total = 256 * MiB;
  let written = 0;
  let expected;
  const { mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    expected = writeBody(res, total, 256 * 1024, (n) => (written = n));
  });
  const stream = await mix.files.get({ id: "s", filename: "f" });
  const reader = stream.getReader();
  const hash = crypto.createHash("sha256");
  let length = 0;
  const first = await reader.read();
  hash.update(first.value);
  length += first.value.length;
  global.gc?.();
  const before = process.memoryUsage().rss;
  await sleep(1500);
  const stalledAt = written;
  assert.ok(stalledAt < 64 * MiB, `the server wrote ${stalledAt / MiB} MiB while the consumer paused`);
  const grew = (process.memoryUsage().rss - before) / MiB;
  assert.ok(grew < 64, `RSS grew ${grew.toFixed(1)} MB while the consumer paused`);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    length += value.length;
  }
  assert.equal(length, total);
  assert.equal(hash.digest("hex"), expected());
});

test("cancel() mid-download closes the connection", async (t) => {
  const { server, mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    writeBody(res, 512 * MiB);
  });
  const stream = await mix.files.get({ id: "s", filename: "f" });
  const reader = stream.getReader();
  await reader.read();
  await reader.cancel();
  await closed(server.hits[0].socket, 2000);
});

test("aborting mid-download ends the stream with RequestAbortedError and closes the connection", async (t) => {
  const { server, mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    writeBody(res, 512 * MiB);
  });
  const controller = new AbortController();
  const stream = await mix.files.get({ id: "s", filename: "f" }, { signal: controller.signal });
  const reader = stream.getReader();
  await reader.read();
  controller.abort("enough");
  const err = await (async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) return undefined;
    }
  })().catch((e) => e);
  assert.ok(err instanceof errors.RequestAbortedError, String(err));
  assert.equal(err.cause, "enough");
  await closed(server.hits[0].socket, 2000);
});

test("timeoutMs bounds the time to the response head, not the download", async (t) => {
  const { mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.flushHeaders();
    let i = 0;
    const timer = setInterval(() => {
      res.write(Buffer.alloc(1024, i));
      if (++i === 9) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
  });
  const stream = await mix.files.get({ id: "s", filename: "f" }, { timeoutMs: 300 });
  assert.equal((await hashOf(stream)).length, 9 * 1024);
  const { mix: slow } = await serve(t, (req, res) => {
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end("late");
    }, 1000);
  });
  const err = await slow.files.get({ id: "s", filename: "f" }, { timeoutMs: 300, retries: NO_RETRY }).catch((e) => e);
  assert.ok(err instanceof errors.RequestTimeoutError, String(err));
});

test("a connection cut mid-body ends the stream with ConnectionError", async (t) => {
  const { mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.write(Buffer.alloc(64 * 1024, 1));
    setTimeout(() => req.socket.destroy(), 50);
  });
  const stream = await mix.files.get({ id: "s", filename: "f" });
  const err = await hashOf(stream).catch((e) => e);
  assert.ok(err instanceof errors.ConnectionError, String(err));
});

test("filesGet: { ok: true, value: ReadableStream }; a 404 is { ok: false, ErrorResponse }", async (t) => {
  const { server } = await serve(t, (req, res) => {
    if (req.url.endsWith("/missing")) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { code: 404, message: "no", type: "bad_request" } }));
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("hello");
  });
  const core = new MixCore({ serverURL: server.url });
  const found = await filesGet(core, { id: "s", filename: "f" });
  assert.equal(found.ok, true);
  assert.ok(found.value instanceof ReadableStream);
  const chunks = [];
  for await (const chunk of found.value) chunks.push(chunk);
  assert.equal(Buffer.concat(chunks).toString(), "hello");
  const missing = await filesGet(core, { id: "s", filename: "missing" });
  assert.equal(missing.ok, false);
  assert.ok(missing.error instanceof errors.ErrorResponse, String(missing.error));
});

test("a download never read, once garbage, closes its connection", { timeout: 30_000 }, async (t) => {
  const { server, mix } = await serve(t, (req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    writeBody(res, 512 * MiB);
  });
  await (async () => {
    await mix.files.get({ id: "s", filename: "f" }); // dropped unread
  })();
  const socket = server.hits[0].socket;
  for (let i = 0; i < 50 && !socket.destroyed; i++) {
    global.gc?.();
    await sleep(50);
  }
  await closed(socket, 2000);
});
