// Multipart uploads (`files.upload`, SURFACE.md §7 and D2, D4): the real
// package over loopback servers that parse what arrives. Every accepted
// kind of file with its exact framing (file name, escapes, part content
// type, Content-Length or chunked), the 201 value, documented errors (413
// too), kinds refused before anything is sent, retries (a Blob or bytes
// again, a stream not), sources that fail, streaming with the connection
// holding the source back, a 1 GiB `fs.openAsBlob` with memory flat,
// aborts and time limits mid-body, the caller's own HTTPClient, the
// standalone function and the model helpers.

import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { createRequire } from "node:module";

import { closed, freePort, sleep, startServer } from "./helpers/scripted-server.mjs";

const require = createRequire(import.meta.url);
const { Mix, HTTPClient } = require("../index.js");
const { MixCore } = require("../core.js");
const { filesUpload } = require("../funcs/filesUpload.js");
const errors = require("../models/errors/index.js");
const operations = require("../models/operations/index.js");

const NO_RETRY = Object.freeze({ strategy: "none" });
const FAST_RETRY = Object.freeze({
  strategy: "backoff",
  backoff: { initialInterval: 1, maxInterval: 5, exponent: 1, maxElapsedTime: 5000 },
  retryConnectionErrors: true,
});
const MiB = 1024 * 1024;
const FILE_INFO = { isDir: false, modified: 1700000000, name: "a.png", size: 2, url: "/files/a.png" };

/** Reads a request's body whole. */
async function bodyOf(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * The one part of a multipart body, checked strictly against the framing
 * `FormData` uses: `--b CRLF headers CRLF CRLF content CRLF --b-- CRLF`.
 */
function onePart(req, body) {
  const type = req.headers["content-type"];
  const m = /^multipart\/form-data; boundary=(.+)$/.exec(type);
  assert.ok(m, `content-type ${type}`);
  const boundary = m[1];
  const open = Buffer.from(`--${boundary}\r\n`);
  const close = Buffer.from(`\r\n--${boundary}--\r\n`);
  assert.ok(body.subarray(0, open.length).equals(open), "the body opens with the boundary");
  assert.ok(body.subarray(body.length - close.length).equals(close), "the body closes with the boundary");
  const inner = body.subarray(open.length, body.length - close.length);
  const blank = inner.indexOf("\r\n\r\n");
  assert.ok(blank > 0, "the part has headers");
  const content = inner.subarray(blank + 4);
  assert.equal(content.indexOf(`--${boundary}`), -1, "one part only");
  return { headers: inner.subarray(0, blank).toString("utf8"), content };
}

/** A server answering 201 with a FileInfo after reading each body; the
 * requests with their bodies in `received`. */
async function uploadServer(t, answer = (req, res, n) => created(res)) {
  const received = [];
  const server = await startServer(async (req, res, n) => {
    let body;
    try {
      body = await bodyOf(req);
    } catch {
      return; // the client gave the request up
    }
    received.push({ req, body });
    answer(req, res, n);
  });
  t.after(() => server.close());
  return { server, received };
}

function created(res) {
  res.writeHead(201, { "content-type": "application/json" });
  res.end(JSON.stringify(FILE_INFO));
}

const disposition = (filename) =>
  `Content-Disposition: form-data; name="file"${filename === undefined ? "" : `; filename="${filename}"`}`;

test("every accepted kind of file is framed as the original frames it", async (t) => {
  const { server, received } = await uploadServer(t);
  const mix = new Mix({ serverURL: server.url });
  const hi = new Uint8Array([104, 105]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mix-upload-"));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  fs.writeFileSync(path.join(tmp, "disk.bin"), "from disk");
  const cases = [
    ["a Blob", new Blob(["hi"]), "blob", "application/octet-stream", "hi"],
    ["a typed Blob", new Blob(["hi"], { type: "Text/X-A" }), "blob", "text/x-a", "hi"],
    ["a File", new File(["hi"], "photo.PNG", { type: "image/png" }), "photo.PNG", "image/png", "hi"],
    ["a File without type", new File(["hi"], "notes.txt"), "notes.txt", "application/octet-stream", "hi"],
    ["a File whose name needs escapes", new File(["hi"], 'a"b\r\nc\u00e9\u{1F600}.x'), "a%22b%0D%0Ac\u00e9\u{1F600}.x", "application/octet-stream", "hi"],
    ["a File named ''", new File(["hi"], ""), undefined, "application/octet-stream", "hi"],
    ["fs.openAsBlob", await fs.openAsBlob(path.join(tmp, "disk.bin")), "blob", "application/octet-stream", "from disk"],
    ["{ fileName, Uint8Array }", { fileName: "x.json", content: hi }, "x.json", "application/json", "hi"],
    ["{ fileName, Buffer }", { fileName: "page.HTML", content: Buffer.from("hi") }, "page.HTML", "text/html", "hi"],
    ["{ fileName, ArrayBuffer }", { fileName: "v.xyz", content: hi.buffer }, "v.xyz", "application/octet-stream", "hi"],
    ["{ fileName, a view into a larger buffer }", { fileName: "a.csv", content: new Uint8Array(new Uint8Array([120, 120, 104, 105, 121, 121]).buffer, 2, 2) }, "a.csv", "text/csv", "hi"],
    ["{ fileName, Blob } (its own type ignored)", { fileName: "LICENSE", content: new Blob(["hi"], { type: "text/plain" }) }, "LICENSE", "application/octet-stream", "hi"],
    ["{ fileName, ReadableStream }", { fileName: "clip.mp4", content: new Blob(["h", "i"]).stream() }, "clip.mp4", "video/mp4", "hi"],
    ["{ fileName: '' }", { fileName: "", content: hi }, "blob", "application/octet-stream", "hi"],
    ["{ fileName: 'x.' }", { fileName: "x.", content: hi }, "x.", "application/octet-stream", "hi"],
  ];
  for (const [i, [label, file, filename, type, content]] of cases.entries()) {
    const value = await mix.files.upload({ id: "ses 1", requestBody: { file } });
    assert.deepEqual(value, FILE_INFO, label);
    const { req, body } = received[i];
    assert.equal(req.method, "POST", label);
    assert.equal(req.url, "/api/sessions/ses%201/files/upload", label);
    assert.equal(req.headers.accept, "application/json", label);
    const part = onePart(req, body);
    assert.equal(part.headers, `${disposition(filename)}\r\nContent-Type: ${type}`, label);
    assert.equal(part.content.toString(), content, label);
    if (file instanceof Blob || !(file.content instanceof ReadableStream)) {
      assert.equal(req.headers["content-length"], String(body.length), `${label}: Content-Length`);
      assert.equal(req.headers["transfer-encoding"], undefined, label);
    } else {
      // A stream's size is not known before it is read (SURFACE D4).
      assert.equal(req.headers["transfer-encoding"], "chunked", label);
    }
  }
  // Each call its own boundary.
  const boundaries = new Set(received.map(({ req }) => req.headers["content-type"]));
  assert.equal(boundaries.size, received.length);
});

test("binary content arrives byte for byte, and the caller's bytes are copied at the call", async (t) => {
  const { server, received } = await uploadServer(t);
  const mix = new Mix({ serverURL: server.url });
  const bytes = crypto.randomBytes(3 * MiB + 7);
  const expected = Buffer.from(bytes);
  const call = mix.files.upload({ id: "s", requestBody: { file: { fileName: "r.bin", content: bytes } } });
  bytes.fill(0); // changed after the call: the upload has its own copy
  await call;
  assert.ok(onePart(received[0].req, received[0].body).content.equals(expected));
  const big = crypto.randomBytes(5 * MiB + 3);
  await mix.files.upload({ id: "s", requestBody: { file: new Blob([big]) } });
  assert.ok(onePart(received[1].req, received[1].body).content.equals(big));
  const chunks = [big.subarray(0, 1), big.subarray(1, 70_000), big.subarray(70_000)];
  const stream = new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(new Uint8Array(next));
    },
  });
  await mix.files.upload({ id: "s", requestBody: { file: { fileName: "s.bin", content: stream } } });
  assert.ok(onePart(received[2].req, received[2].body).content.equals(big));
});

test("400, 404 and 413 are ErrorResponse; 500 MixDefaultError; a misfit 201 ResponseValidationError", async (t) => {
  const { server } = await uploadServer(t, (req, res) => {
    const status = Number(req.url.split("/")[3]);
    if (status === 201) {
      res.writeHead(201, { "content-type": "application/json" });
      return res.end(JSON.stringify({ name: 1 }));
    }
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: status, message: "File too large (max 32MB)", type: "bad_request" } }));
  });
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const file = new Blob(["hi"]);
  for (const status of [400, 404, 413]) {
    const err = await mix.files.upload({ id: String(status), requestBody: { file } }).catch((e) => e);
    assert.ok(err instanceof errors.ErrorResponse, `${status}: ${err}`);
    assert.equal(err.statusCode, status);
    assert.equal(err.error.message, "File too large (max 32MB)");
  }
  const err = await mix.files.upload({ id: "500", requestBody: { file } }).catch((e) => e);
  assert.ok(err instanceof errors.MixDefaultError, String(err));
  assert.match(err.message, /^API error occurred/);
  const misfit = await mix.files.upload({ id: "201", requestBody: { file } }).catch((e) => e);
  assert.ok(misfit instanceof errors.ResponseValidationError, String(misfit));
});

test("a server refusing a large upload early is heard: 413 while the body is still going", async (t) => {
  const server = await startServer((req, res) => {
    req.once("data", () => {
      res.writeHead(413, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: { code: 413, message: "File too large (max 32MB)", type: "bad_request" } }));
      req.resume();
    });
  });
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const err = await mix.files
    .upload({ id: "s", requestBody: { file: new Blob([Buffer.alloc(64 * MiB)]) } })
    .catch((e) => e);
  // Either the 413 (read before the body finished) or the connection the
  // server closed on a body it would not take: never a hang or a crash.
  assert.ok(err instanceof errors.ErrorResponse || err instanceof errors.ConnectionError, String(err));
  if (err instanceof errors.ErrorResponse) assert.equal(err.statusCode, 413);
});

test("a file of a kind not accepted is SDKValidationError with the original's issues, and nothing is sent", async (t) => {
  const { server, received } = await uploadServer(t);
  const mix = new Mix({ serverURL: server.url });
  const lookalike = { [Symbol.toStringTag]: "Blob", stream() {}, size: 2, type: "" };
  const bad = {
    "a string": "abc",
    null: null,
    "a name alone": { fileName: "x" },
    "content alone": { content: new Uint8Array(1) },
    "string content": { fileName: "x", content: "abc" },
    "a Node stream as content": { fileName: "x", content: Readable.from(["a"]) },
    "a Blob look-alike (SURFACE D4)": lookalike,
  };
  for (const [label, file] of Object.entries(bad)) {
    const err = await mix.files.upload({ id: "s", requestBody: { file } }).catch((e) => e);
    assert.ok(err instanceof errors.SDKValidationError, `${label}: ${err}`);
    assert.equal(err.rawMessage, "Input validation failed");
    const [issue, ...rest] = err.cause.issues;
    assert.equal(rest.length, 0, label);
    assert.equal(issue.code, "invalid_union", label);
    assert.deepEqual(issue.path, ["requestBody", "file"], label);
    assert.equal(issue.unionErrors.length, 2, label);
    assert.equal(issue.unionErrors[1].issues[0].code, "custom", label);
  }
  // The original's exact issues for one case.
  const err = await mix.files.upload({ id: "s", requestBody: { file: { fileName: "x", content: "abc" } } }).catch((e) => e);
  const instance = (c) => ({
    issues: [{ code: "custom", message: `Input not instance of ${c}`, fatal: true, path: ["requestBody", "file", "content"] }],
    name: "ZodError",
  });
  assert.deepEqual(JSON.parse(JSON.stringify(err.cause.issues)), [
    {
      code: "invalid_union",
      unionErrors: [
        {
          issues: [
            {
              code: "invalid_union",
              unionErrors: ["ReadableStream", "Blob", "ArrayBuffer", "Uint8Array"].map(instance),
              path: ["requestBody", "file", "content"],
              message: "Invalid input",
            },
          ],
          name: "ZodError",
        },
        {
          issues: [{ code: "custom", message: "expected a Blob, File or Blob-like object", fatal: true, path: ["requestBody", "file"] }],
          name: "ZodError",
        },
      ],
      path: ["requestBody", "file"],
      message: "Invalid input",
    },
  ]);
  const missing = await mix.files.upload({ id: "s", requestBody: {} }).catch((e) => e);
  assert.ok(missing instanceof errors.SDKValidationError, String(missing));
  assert.equal(received.length, 0, "nothing was sent");
});

test("a Blob or bytes are sent again on retry; a stream is not, once read", async (t) => {
  const { server, received } = await uploadServer(t, (req, res, n) => {
    if (n % 2 === 0) {
      res.writeHead(503, { "content-type": "text/plain" });
      return res.end("busy");
    }
    created(res);
  });
  const mix = new Mix({ serverURL: server.url, retryConfig: FAST_RETRY });
  const content = crypto.randomBytes(200_000);
  await mix.files.upload({ id: "s", requestBody: { file: new Blob([content]) } });
  await mix.files.upload({ id: "s", requestBody: { file: { fileName: "b.bin", content } } });
  assert.equal(received.length, 4);
  for (const { req, body } of received) assert.ok(onePart(req, body).content.equals(content));
  const stream = new Blob([content]).stream();
  const err = await mix.files
    .upload({ id: "s", requestBody: { file: { fileName: "s.bin", content: stream } } })
    .catch((e) => e);
  assert.ok(err instanceof errors.MixDefaultError, String(err));
  assert.equal(err.statusCode, 503);
  assert.equal(received.length, 5, "the stream was sent once");
});

test("a retry while the first attempt is still writing sends the whole Blob again, intact", { timeout: 60_000 }, async (t) => {
  // The first answer comes at the first bytes, and the server drains the
  // rest: the connection goes on writing the first body while the retry
  // starts sending the second.
  const content = crypto.randomBytes(48 * MiB);
  const received = [];
  const server = await startServer(async (req, res, n) => {
    if (n === 0) {
      req.once("data", () => {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("busy");
      });
      req.resume();
      return;
    }
    received.push({ req, body: await bodyOf(req) });
    created(res);
  });
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url, retryConfig: FAST_RETRY });
  assert.deepEqual(await mix.files.upload({ id: "s", requestBody: { file: new Blob([content]) } }), FILE_INFO);
  assert.equal(received.length, 1);
  assert.ok(onePart(received[0].req, received[0].body).content.equals(content), "the retried body is the Blob");
});

test("a file changed on disk after fs.openAsBlob is UnexpectedClientError with the read error as cause", async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mix-upload-"));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const { server } = await uploadServer(t);
  for (const custom of [false, true]) {
    const file = path.join(tmp, `f${custom}.bin`);
    fs.writeFileSync(file, Buffer.alloc(3 * MiB, 1));
    const blob = await fs.openAsBlob(file);
    await sleep(20);
    fs.writeFileSync(file, Buffer.alloc(1 * MiB, 2)); // changed: the Blob no longer reads
    const mix = new Mix({ serverURL: server.url, retryConfig: FAST_RETRY, ...(custom ? { httpClient: new HTTPClient() } : {}) });
    const err = await mix.files.upload({ id: "s", requestBody: { file: blob } }).catch((e) => e);
    assert.ok(err instanceof errors.UnexpectedClientError, `${custom ? "custom" : "default"} client: ${err}`);
    assert.equal(err.cause?.name, "NotReadableError", String(err.cause));
  }
});

test("a stream is retried when the connection failed before it was read", async (t) => {
  // Nothing listens at first: the connection is refused, the stream unread.
  const port = await freePort();
  const mix = new Mix({
    serverURL: `http://127.0.0.1:${port}`,
    retryConfig: { ...FAST_RETRY, backoff: { ...FAST_RETRY.backoff, initialInterval: 300, maxInterval: 300 } },
  });
  const stream = new Blob(["streamed"]).stream();
  const call = mix.files.upload({ id: "s", requestBody: { file: { fileName: "s.txt", content: stream } } });
  await sleep(100);
  const received = [];
  const server = await startServer(async (req, res) => {
    received.push({ req, body: await bodyOf(req) });
    created(res);
  }, port);
  t.after(() => server.close());
  assert.deepEqual(await call, FILE_INFO);
  assert.equal(received.length, 1);
  assert.equal(onePart(received[0].req, received[0].body).content.toString(), "streamed");
});

test("a source that fails while read ends the call in UnexpectedClientError with its error as cause", async (t) => {
  const { server, received } = await uploadServer(t);
  const mix = new Mix({ serverURL: server.url, retryConfig: FAST_RETRY });
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  const boom = new Error("disk on fire");
  let sent = 0;
  const failing = new ReadableStream({
    pull(controller) {
      if (sent++ < 3) controller.enqueue(new Uint8Array(100_000));
      else controller.error(boom);
    },
  });
  const err = await mix.files
    .upload({ id: "s", requestBody: { file: { fileName: "f", content: failing } } })
    .catch((e) => e);
  assert.ok(err instanceof errors.UnexpectedClientError, String(err));
  assert.equal(err.cause, boom);
  const locked = new Blob(["x"]).stream();
  locked.getReader();
  const lockedErr = await mix.files
    .upload({ id: "s", requestBody: { file: { fileName: "f", content: locked } } })
    .catch((e) => e);
  assert.ok(lockedErr instanceof errors.UnexpectedClientError, String(lockedErr));
  assert.ok(lockedErr.cause instanceof TypeError, String(lockedErr.cause));
  const strings = new ReadableStream({
    start(controller) {
      controller.enqueue("not bytes");
      controller.close();
    },
  });
  const result = await filesUpload(new MixCore({ serverURL: server.url }), {
    id: "s",
    requestBody: { file: { fileName: "f", content: strings } },
  });
  assert.equal(result.ok, false);
  assert.ok(result.error instanceof errors.UnexpectedClientError, String(result.error));
  assert.ok(result.error.cause instanceof TypeError);
  await sleep(50);
  assert.deepEqual(unhandled, []);
  assert.ok(received.length <= 1, "a failed source is not retried");
});

test("a stream is sent as it is read, and the connection holds the source back", { timeout: 60_000 }, async (t) => {
  let pulled = 0;
  let receivedBytes = 0;
  let firstArrived;
  const arrived = new Promise((resolve) => (firstArrived = resolve));
  let resume;
  const resumed = new Promise((resolve) => (resume = resolve));
  const total = 64 * MiB;
  const server = await startServer(async (req, res) => {
    let paused = false;
    for await (const chunk of req) {
      receivedBytes += chunk.length;
      firstArrived();
      if (!paused && receivedBytes > MiB) {
        paused = true;
        await resumed; // the server stops reading for a while
      }
    }
    created(res);
  });
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url });
  let finish;
  const source = new ReadableStream(
    {
      pull(controller) {
        if (pulled === 64 * 1024) {
          // Hold the rest back until the first bytes have been received.
          return arrived.then(() => {
            controller.enqueue(new Uint8Array(64 * 1024));
            pulled += 64 * 1024;
          });
        }
        if (pulled >= total) {
          controller.close();
          finish?.();
          return undefined;
        }
        controller.enqueue(new Uint8Array(64 * 1024));
        pulled += 64 * 1024;
        return undefined;
      },
    },
    { highWaterMark: 0 },
  );
  const call = mix.files.upload({ id: "s", requestBody: { file: { fileName: "big.bin", content: source } } });
  await sleep(1500);
  // The server paused after 1 MiB: the source is read only as far as the
  // socket buffers and the read-ahead queue take.
  assert.ok(receivedBytes > 0, "bytes arrived while the stream was still open");
  assert.ok(pulled - receivedBytes < 32 * MiB, `read ${pulled / MiB} MiB ahead of ${receivedBytes / MiB} MiB received`);
  assert.ok(pulled < total);
  resume();
  await call;
  assert.equal(pulled, total);
});

test("a 1 GiB fs.openAsBlob uploads whole with memory flat", { timeout: 180_000 }, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mix-upload-"));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const file = path.join(tmp, "big.bin");
  const size = 1024 * MiB;
  const expected = crypto.createHash("sha256");
  const fd = fs.openSync(file, "w");
  const block = crypto.randomBytes(MiB);
  for (let i = 0; i < size / MiB; i++) {
    block.writeUInt32LE(i, 0);
    expected.update(block);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  let head;
  let length = 0;
  const hash = crypto.createHash("sha256");
  let tail = Buffer.alloc(0);
  const server = await startServer(async (req, res) => {
    // The content's hash as it streams in: the head is cut off, and the
    // last bytes are held back until they are known not to be the tail.
    const closing = Buffer.from(`\r\n--${/boundary=(.+)$/.exec(req.headers["content-type"])[1]}--\r\n`);
    for await (const chunk of req) {
      let data = chunk;
      if (head === undefined) {
        const blank = data.indexOf("\r\n\r\n");
        head = data.subarray(0, blank).toString();
        data = data.subarray(blank + 4);
      }
      const joined = Buffer.concat([tail, data]);
      const keep = Math.min(closing.length, joined.length);
      hash.update(joined.subarray(0, joined.length - keep));
      length += joined.length - keep;
      tail = Buffer.from(joined.subarray(joined.length - keep));
    }
    assert.ok(tail.equals(closing));
    created(res);
  });
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url });
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await mix.files.upload({ id: "s", requestBody: { file: await fs.openAsBlob(file) } });
  } finally {
    clearInterval(sampler);
  }
  assert.match(head, /filename="blob"\r\nContent-Type: application\/octet-stream$/);
  assert.equal(length, size);
  assert.equal(hash.digest("hex"), expected.digest("hex"));
  const grew = (peak - before) / MiB;
  assert.ok(grew < 64, `RSS grew ${grew.toFixed(1)} MB during a 1 GiB upload`);
});

test("an abort mid-upload ends the call, closes the connection and cancels the source", async (t) => {
  const server = await startServer((req) => req.resume()); // reads on, answers nothing
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url });
  let cancelled;
  const source = new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(64 * 1024));
    },
    cancel(reason) {
      cancelled = reason ?? "cancelled";
    },
  });
  const controller = new AbortController();
  const call = mix.files.upload(
    { id: "s", requestBody: { file: { fileName: "f", content: source } } },
    { signal: controller.signal },
  );
  await server.waitForHits(1);
  await sleep(100);
  controller.abort("stop");
  const err = await call.catch((e) => e);
  assert.ok(err instanceof errors.RequestAbortedError, String(err));
  assert.equal(err.cause, "stop");
  await closed(server.hits[0].socket, 2000);
  for (let i = 0; i < 20 && cancelled === undefined; i++) await sleep(10);
  assert.notEqual(cancelled, undefined, "the source was cancelled");
});

/** A stream that never ends. */
const endless = () =>
  new ReadableStream({
    pull(controller) {
      controller.enqueue(new Uint8Array(64 * 1024));
    },
  });

test("timeoutMs bounds the whole upload", async (t) => {
  const server = await startServer((req) => req.resume());
  t.after(() => server.close());
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const started = performance.now();
  const err = await mix.files
    .upload({ id: "s", requestBody: { file: { fileName: "f", content: endless() } } }, { timeoutMs: 300 })
    .catch((e) => e);
  assert.ok(err instanceof errors.RequestTimeoutError, String(err));
  assert.ok(performance.now() - started < 3000);
  await closed(server.hits[0].socket, 2000);
});

test("a caller's HTTPClient sends the same framing: a Blob with its length, a stream as it is read", async (t) => {
  const { server, received } = await uploadServer(t);
  const seen = [];
  const httpClient = new HTTPClient();
  httpClient.addHook("beforeRequest", (request) => {
    seen.push(request.headers.get("content-type"));
    return request;
  });
  const mix = new Mix({ serverURL: server.url, httpClient });
  await mix.files.upload({ id: "s", requestBody: { file: new File(["hi"], "a.png", { type: "image/png" }) } });
  await mix.files.upload({ id: "s", requestBody: { file: { fileName: "b.txt", content: new Blob(["yo"]).stream() } } });
  await mix.files.upload({ id: "s", requestBody: { file: { fileName: "c.json", content: new Uint8Array([123, 125]) } } });
  const parts = received.map(({ req, body }) => onePart(req, body));
  assert.equal(parts[0].headers, `${disposition("a.png")}\r\nContent-Type: image/png`);
  assert.equal(parts[0].content.toString(), "hi");
  assert.equal(received[0].req.headers["content-length"], String(received[0].body.length));
  assert.equal(parts[1].headers, `${disposition("b.txt")}\r\nContent-Type: text/plain`);
  assert.equal(parts[1].content.toString(), "yo");
  assert.equal(parts[2].content.toString(), "{}");
  assert.ok(seen.every((type) => type.startsWith("multipart/form-data; boundary=")));
  const boom = new Error("source broke");
  const failing = new ReadableStream({
    pull(controller) {
      controller.error(boom);
    },
  });
  const err = await mix.files
    .upload({ id: "s", requestBody: { file: { fileName: "f", content: failing } } })
    .catch((e) => e);
  assert.ok(err instanceof errors.UnexpectedClientError, String(err));
  assert.equal(err.cause, boom);
});

test("filesUpload: { ok: true, value: FileInfo } and the request in $inspect", async (t) => {
  const { server } = await uploadServer(t);
  const core = new MixCore({ serverURL: server.url });
  const [result, call] = await filesUpload(core, { id: "s", requestBody: { file: new Blob(["hi"]) } }).$inspect();
  assert.deepEqual(result, { ok: true, value: FILE_INFO });
  assert.equal(call.status, "complete");
  assert.equal(call.request.method, "POST");
  assert.match(call.request.headers.get("content-type"), /^multipart\/form-data; boundary=/);
});

test("the debug log shows an upload's framing and its content's size, not the content", async (t) => {
  const { server } = await uploadServer(t);
  const lines = [];
  const logger = { log: (...a) => lines.push(a.join(" ")), group: (...a) => lines.push(a.join(" ")), groupEnd() {} };
  const mix = new Mix({ serverURL: server.url, debugLogger: logger });
  await mix.files.upload({ id: "s", requestBody: { file: { fileName: "secret.txt", content: Buffer.from("TOP SECRET") } } });
  const text = lines.join("\n");
  assert.match(text, /filename="secret.txt"/);
  assert.match(text, /<file content: 10 bytes>/);
  assert.doesNotMatch(text, /TOP SECRET/);
});

test("the model helpers behave as the original's", () => {
  assert.equal(operations.fileToJSON({ fileName: "a", content: new Uint8Array([1, 2]) }), '{"fileName":"a","content":{"0":1,"1":2}}');
  assert.equal(operations.fileToJSON({ fileName: "a", content: new Blob(["x"]) }), '{"fileName":"a","content":{}}');
  assert.equal(operations.uploadSessionFileRequestBodyToJSON({ file: new Blob(["x"]) }), '{"file":{}}');
  assert.equal(
    operations.uploadSessionFileRequestToJSON({ id: "x", requestBody: { file: new Blob(["x"]) } }),
    '{"id":"x","RequestBody":{"file":{}}}',
  );
  assert.throws(() => operations.fileToJSON({ fileName: 1, content: 2 }));
  // No JSON value is a file's content.
  const parsed = operations.fileFromJSON('{"fileName":"a","content":{}}');
  assert.equal(parsed.ok, false);
  assert.ok(parsed.error instanceof errors.SDKValidationError);
  assert.equal(parsed.error.cause.issues[0].code, "invalid_union");
  assert.deepEqual(
    parsed.error.cause.issues[0].unionErrors.map((e) => e.issues[0].message),
    ["ReadableStream", "Blob", "ArrayBuffer", "Uint8Array"].map((c) => `Input not instance of ${c}`),
  );
  assert.equal(operations.uploadSessionFileRequestFromJSON('{"id":"x","RequestBody":{"file":{}}}').ok, false);
});
