// Server-sent events (`streaming.streamEvents`, SURFACE.md §6 and D3): the
// real package over real loopback servers. Decoding of every event type,
// WHATWG framing (line ends, comments, multi-line data, a BOM, one byte per
// write), `Last-Event-ID`, unknown and misfit events, errors before the
// stream opens, a connection lost mid-stream, `timeoutMs` bounding only the
// time to the response head, abort, stopping (break, cancel, reader.cancel,
// tee), the standalone function, no unhandled rejection, flow control and
// memory over a million events, a worker thread torn down mid-stream, the
// public `EventStream` constructor and a gzip-encoded stream.

import test from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import zlib from "node:zlib";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

import { closed, settle, sleep, startServer } from "./helpers/scripted-server.mjs";
import { eventLoopTurns } from "./helpers/foundation.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const { Mix } = require("../index.js");
const { MixCore } = require("../core.js");
const { streamingStreamEvents } = require("../funcs/streamingStreamEvents.js");
const { EventStream } = require("../lib/event-streams.js");
const errors = require("../models/errors/index.js");

const NO_RETRY = Object.freeze({ strategy: "none" });
const SSE_HEAD = { "content-type": "text/event-stream", "cache-control": "no-cache" };

// ---------------------------------------------------------------------------
// Helpers

/** A scripted server (helpers/scripted-server.mjs) closed when the test ends, and a client on it. */
async function sse(t, script, options = {}) {
  const server = await startServer(script);
  t.after(() => server.close());
  return { server, mix: new Mix({ serverURL: server.url, ...options }) };
}

/** Sends the head of an event stream at once. */
function open(res, headers = {}) {
  res.writeHead(200, { ...SSE_HEAD, ...headers });
  res.flushHeaders();
}

/** One SSE event as text (LF line ends); `data` an object is sent as JSON. */
function frame({ id, event, retry, data }) {
  let text = "";
  if (id !== undefined) text += `id: ${id}\n`;
  if (event !== undefined) text += `event: ${event}\n`;
  if (retry !== undefined) text += `retry: ${retry}\n`;
  if (data !== undefined) text += `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n`;
  return `${text}\n`;
}

const heartbeat = (id) => frame({ id, event: "heartbeat", data: { type: "ping" } });
const HEARTBEAT = (id) => ({ event: "heartbeat", id: String(id), data: { type: "ping" } });

/** Every event of `stream`, by for-await. */
async function collect(stream) {
  const events = [];
  for await (const ev of stream) events.push(ev);
  return events;
}

/** The events `stream` yields before it throws, and what it threw (undefined when it ended normally). */
async function collectUntilError(stream) {
  const events = [];
  try {
    for await (const ev of stream) events.push(ev);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

/** Deep equality including key order (at every level). */
function assertExactly(actual, expected, message) {
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), message);
  assert.deepStrictEqual(actual, expected, message);
}

/** A read (or iterator) result holding exactly `value`. */
function assertRead(result, value) {
  assert.equal(result.done, false);
  assertExactly(result.value, value);
}

/** Resolves with the value of `promise`, or rejects after `ms`. */
function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * A raw `node:net` HTTP server: reads the request head, then hands the
 * request line's target and the socket to `respond(target, socket)`.
 * Sockets are destroyed when the test ends.
 */
async function rawHttpServer(t, respond) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let head = "";
    const onData = (chunk) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const target = head.slice(0, head.indexOf("\r\n")).split(" ")[1];
      respond(target, socket);
    };
    socket.on("data", onData);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}` };
}

/** Writes `bytes` to `socket` one byte per write, 1 ms apart, then ends it. */
async function writeBytewise(socket, bytes) {
  for (const byte of bytes) {
    if (socket.destroyed) return;
    socket.write(Buffer.of(byte));
    await sleep(1);
  }
  socket.end();
}

// ---------------------------------------------------------------------------
// 1. Decoding every documented event type

/** [event, data as the server sends it (key order shuffled, an unknown key added), the decoded data]. */
const EVENT_CASES = [
  ["connected", { extra: 1, sessionId: "sess-1" }, { sessionId: "sess-1" }],
  ["heartbeat", { type: "ping", unknown: [1, 2] }, { type: "ping" }],
  [
    "error",
    { type: "error", retryAfter: 5, parentToolCallId: "p1", maxAttempts: 3, error: "boom", attempt: 1, zzz: null },
    { attempt: 1, error: "boom", maxAttempts: 3, parentToolCallId: "p1", retryAfter: 5, type: "error" },
  ],
  ["error", { error: "only the message", bogus: {} }, { error: "only the message" }],
  [
    "complete",
    {
      type: "complete",
      reasoningDuration: 1200,
      reasoning: "because",
      parentToolCallId: "p2",
      messageId: "m1",
      done: true,
      content: "final answer",
      more: [1],
    },
    {
      content: "final answer",
      done: true,
      messageId: "m1",
      parentToolCallId: "p2",
      reasoning: "because",
      reasoningDuration: 1200,
      type: "complete",
    },
  ],
  ["complete", { type: "complete", done: false, x: "y" }, { done: false, type: "complete" }],
  ["thinking", { type: "thinking", parentToolCallId: "p3", content: "hmm", n: 1 }, { content: "hmm", parentToolCallId: "p3", type: "thinking" }],
  ["thinking", { type: "thinking", content: "" }, { content: "", type: "thinking" }],
  ["content", { type: "content", content: "Hello", junk: true }, { content: "Hello", type: "content" }],
  ["content", { parentToolCallId: "p4", type: "content", content: "nested" }, { content: "nested", parentToolCallId: "p4", type: "content" }],
  [
    "tool",
    { type: "tool", status: "running", parentToolCallId: "p5", name: "bash", input: '{"cmd":"ls"}', id: "t1", other: 0 },
    { id: "t1", input: '{"cmd":"ls"}', name: "bash", parentToolCallId: "p5", status: "running", type: "tool" },
  ],
  ["tool", { type: "tool", status: "done", name: "brave_search", input: "", id: "t2" }, { id: "t2", input: "", name: "brave_search", status: "done", type: "tool" }],
  [
    "tool_parameter_delta",
    { type: "tool_parameter_delta", toolCallId: "t1", parentToolCallId: "p6", input: '{"cm', q: 1 },
    { input: '{"cm', parentToolCallId: "p6", toolCallId: "t1", type: "tool_parameter_delta" },
  ],
  [
    "tool_execution_start",
    { type: "tool_execution_start", toolName: "grep", toolCallId: "t3", progress: "starting", parentToolCallId: "p7", x: 1 },
    { parentToolCallId: "p7", progress: "starting", toolCallId: "t3", toolName: "grep", type: "tool_execution_start" },
  ],
  [
    "tool_execution_complete",
    { type: "tool_execution_complete", toolName: "grep", toolCallId: "t3", success: false, progress: "done", y: 2 },
    { progress: "done", success: false, toolCallId: "t3", toolName: "grep", type: "tool_execution_complete" },
  ],
  [
    "permission",
    {
      type: "permission",
      toolName: "write",
      sessionId: "sess-1",
      path: "/tmp/x",
      parentToolCallId: "p8",
      params: { zeta: 1, alpha: { nested: { deep: [1, { k: null, a: "b" }] }, flag: true }, list: ["x"] },
      id: "perm-1",
      description: "write a file",
      action: "write",
      unknownTop: "dropped",
    },
    {
      action: "write",
      description: "write a file",
      id: "perm-1",
      params: { zeta: 1, alpha: { nested: { deep: [1, { k: null, a: "b" }] }, flag: true }, list: ["x"] },
      parentToolCallId: "p8",
      path: "/tmp/x",
      sessionId: "sess-1",
      toolName: "write",
      type: "permission",
    },
  ],
  [
    "permission",
    { type: "permission", toolName: "bash", sessionId: "s", id: "perm-2", description: "d", action: "a" },
    { action: "a", description: "d", id: "perm-2", sessionId: "s", toolName: "bash", type: "permission" },
  ],
  [
    "summarize",
    { type: "summarize", progress: "50%", parentToolCallId: "p9", done: false, w: 3 },
    { done: false, parentToolCallId: "p9", progress: "50%", type: "summarize" },
  ],
  [
    "session_created",
    { type: "session_created", title: "New", sessionId: "sess-2", createdAt: 1735689600, extra: "x" },
    { createdAt: 1735689600, sessionId: "sess-2", title: "New", type: "session_created" },
  ],
  ["session_deleted", { type: "session_deleted", sessionId: "sess-2", gone: true }, { sessionId: "sess-2", type: "session_deleted" }],
];

test("every documented event type decodes to exactly the expected object, unknown data keys dropped", async (t) => {
  // Every other event carries a `retry:` line; some of those are not digits only (then no `retry`).
  const retryLines = ["3000", undefined, "0", undefined, "12x", undefined, "250", undefined, "-5", undefined, " 7"];
  const sent = [];
  const expected = [];
  EVENT_CASES.forEach(([event, data, decoded], i) => {
    const id = `evt-${i + 1}`;
    const retry = retryLines[i % retryLines.length];
    sent.push(frame({ id, event, retry, data }));
    const value = { event, id };
    // (`retry:  7` has the value " 7" once the one leading space is removed: not digits only.)
    if (retry !== undefined && /^\d+$/.test(retry)) value.retry = Number(retry);
    value.data = decoded;
    expected.push(value);
  });
  // Sanity: the cases cover all 14 types, and both with and without retry.
  assert.equal(new Set(EVENT_CASES.map((c) => c[0])).size, 14);
  assert.ok(expected.some((e) => "retry" in e) && expected.some((e) => !("retry" in e)));

  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.end(sent.join(""));
  });
  const res = await mix.streaming.streamEvents({ sessionId: "sess-1" });
  assert.ok(res.result instanceof EventStream);
  assert.ok(res.result instanceof ReadableStream);
  assert.deepStrictEqual(Object.keys(res), ["headers", "result"]);
  assert.deepStrictEqual(res.headers["content-type"], ["text/event-stream"]);
  const events = await collect(res.result);
  assert.equal(events.length, expected.length);
  events.forEach((ev, i) => assertExactly(ev, expected[i], `event ${i} (${expected[i].event})`));

  const { req } = server.hits[0];
  assert.equal(req.method, "GET");
  assert.equal(req.url, "/stream?sessionId=sess-1");
  assert.equal(req.headers.accept, "text/event-stream");
  assert.equal("last-event-id" in req.headers, false);
});

test("retry is present exactly when the retry line is digits only", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.end(
      [
        "id: 1\nevent: heartbeat\nretry: 42\ndata: {\"type\":\"ping\"}\n\n",
        "id: 2\nevent: heartbeat\nretry: 4.5\ndata: {\"type\":\"ping\"}\n\n",
        "id: 3\nevent: heartbeat\nretry: abc\ndata: {\"type\":\"ping\"}\n\n",
        "id: 4\nevent: heartbeat\ndata: {\"type\":\"ping\"}\n\n",
        "id: 5\nevent: heartbeat\nretry:9\ndata: {\"type\":\"ping\"}\n\n",
      ].join(""),
    );
  });
  const events = await collect((await mix.streaming.streamEvents({ sessionId: "s" })).result);
  assertExactly(events, [
    { event: "heartbeat", id: "1", retry: 42, data: { type: "ping" } },
    HEARTBEAT(2),
    HEARTBEAT(3),
    HEARTBEAT(4),
    { event: "heartbeat", id: "5", retry: 9, data: { type: "ping" } },
  ]);
});

// ---------------------------------------------------------------------------
// 2. Framing

/** The stream of the framing tests as lines (null = blank line) and the events it holds. */
const FRAMING_LINES = [
  ": a comment before anything",
  null, // a comment-only block: no event
  "id: 1",
  "event: connected",
  "retry: 100",
  'data: {"sessionId":"s"}',
  null,
  ": keepalive",
  null,
  "event: content",
  ": a comment inside an event",
  "id: 2",
  'data: {"type":"content",',
  'data: "content":"héllo 🎉 ü"}',
  null,
  "id: 3",
  "event: heartbeat",
  'data:{"type":"ping"}', // no space after the colon
  null,
  // An incomplete event: the stream ends after its last line, without the blank line.
  "id: 9",
  "event: heartbeat",
  'data: {"type":"ping"}',
];
const FRAMING_EVENTS = [
  { event: "connected", id: "1", retry: 100, data: { sessionId: "s" } },
  { event: "content", id: "2", data: { content: "héllo 🎉 ü", type: "content" } },
  { event: "heartbeat", id: "3", data: { type: "ping" } },
];

/** The framing stream with the given line ends (a function of the line's index). */
function framingText(lineEnd, bom = false) {
  let text = bom ? "\uFEFF" : "";
  let previous = "";
  FRAMING_LINES.forEach((line, i) => {
    let end = lineEnd(i);
    // A CR then an empty line ended by LF would read as one CRLF: keep them apart.
    if (previous === "\r" && line === null && end === "\n") end = "\r\n";
    text += (line ?? "") + end;
    previous = end;
  });
  return text;
}

const FRAMING_VARIANTS = {
  lf: framingText(() => "\n"),
  cr: framingText(() => "\r"),
  crlf: framingText(() => "\r\n"),
  mixed: framingText((i) => ["\n", "\r\n", "\r"][i % 3]),
  bom: framingText(() => "\n", true),
  "bom-crlf": framingText(() => "\r\n", true),
};

test("framing: LF, CR, CRLF and mixed line ends, comments, multi-line data, a BOM, an incomplete last event", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    const variant = new URL(req.url, "http://x").searchParams.get("sessionId");
    open(res);
    res.end(FRAMING_VARIANTS[variant]);
  });
  for (const variant of Object.keys(FRAMING_VARIANTS)) {
    const res = await mix.streaming.streamEvents({ sessionId: variant });
    const { events, error } = await collectUntilError(res.result);
    assert.equal(error, undefined, `${variant}: ${error}`);
    assertExactly(events, FRAMING_EVENTS, variant);
  }
});

test("framing: the same streams delivered one byte per write give the same events", { timeout: 30_000 }, async (t) => {
  const server = await rawHttpServer(t, (target, socket) => {
    const variant = new URL(target, "http://x").searchParams.get("sessionId");
    socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n");
    writeBytewise(socket, Buffer.from(FRAMING_VARIANTS[variant], "utf8"));
  });
  const mix = new Mix({ serverURL: server.url });
  for (const variant of Object.keys(FRAMING_VARIANTS)) {
    const res = await mix.streaming.streamEvents({ sessionId: variant });
    const { events, error } = await collectUntilError(res.result);
    assert.equal(error, undefined, `${variant}: ${error}`);
    assertExactly(events, FRAMING_EVENTS, `${variant}, one byte per write`);
  }
});

test("framing: an event ended by CR CR is delivered without waiting for more bytes", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.write('id: 1\revent: heartbeat\rdata: {"type":"ping"}\r\r');
    // ...and nothing more: the stream stays open.
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const reader = res.result.getReader();
  const first = await within(reader.read(), 2000, "the CR-terminated event");
  assertRead(first, HEARTBEAT(1));
  await reader.cancel();
});

// ---------------------------------------------------------------------------
// 3. Last-Event-ID

test("Last-Event-ID: sent as given, absent when not given, empty for an empty string", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.end(heartbeat(1));
  });
  const ids = [];
  for (const [sessionId, lastEventID] of [["a", "evt-42"], ["b", undefined], ["c", ""], ["d", "café 1:2"]]) {
    const request = lastEventID === undefined ? { sessionId } : { sessionId, lastEventID };
    const res = await mix.streaming.streamEvents(request);
    assertExactly(await collect(res.result), [HEARTBEAT(1)]);
    const { req } = server.hits.at(-1);
    assert.equal(req.url, `/stream?sessionId=${sessionId}`);
    assert.equal(req.headers.accept, "text/event-stream");
    const raw = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i].toLowerCase() === "last-event-id") raw.push(Buffer.from(req.rawHeaders[i + 1], "latin1"));
    }
    ids.push(raw);
  }
  assert.deepStrictEqual(ids[0], [Buffer.from("evt-42")]);
  assert.deepStrictEqual(ids[1], []);
  assert.deepStrictEqual(ids[2], [Buffer.alloc(0)]);
  // A character up to U+00FF goes out as its one byte (as fetch's Headers send it).
  assert.deepStrictEqual(ids[3], [Buffer.from("café 1:2", "latin1")]);
});

test("Last-Event-ID with CR, LF, NUL or a character above U+00FF: InvalidRequestError, nothing sent", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.end(heartbeat(1));
  });
  for (const lastEventID of ["a\nb", "a\rb", "a\r\nInjected: 1", "a\0b", "a\u0100b", "emoji 🎉", "\u20ac"]) {
    const r = await settle(() => mix.streaming.streamEvents({ sessionId: "s", lastEventID }));
    assert.equal(r.ok, false, `resolved for ${JSON.stringify(lastEventID)}`);
    assert.ok(r.error instanceof errors.InvalidRequestError, `${JSON.stringify(lastEventID)}: ${r.error}`);
  }
  await sleep(100);
  assert.equal(server.count, 0);
});

// ---------------------------------------------------------------------------
// 4. Unknown event types

test("unknown event types and events without a type are skipped, and iteration goes on; the debug logger says so", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.write(frame({ id: "1", event: "connected", data: { sessionId: "s" } }));
    res.write(frame({ id: "2", event: "brand_new", data: { anything: true } }));
    res.write(frame({ id: "3", data: { type: "ping" } })); // no event field
    res.write("event: another_new_kind\ndata: {not json\n\n"); // unknown: skipped even though it would not fit
    res.write(heartbeat(4));
    res.end();
  });
  const lines = [];
  const debugLogger = {
    log: (...args) => lines.push(args.map(String).join(" ")),
    group: (...args) => lines.push(args.map(String).join(" ")),
    groupEnd: () => {},
  };
  const quiet = await collectUntilError((await mix.streaming.streamEvents({ sessionId: "s" })).result);
  assert.equal(quiet.error, undefined, String(quiet.error));
  assertExactly(quiet.events, [{ event: "connected", id: "1", data: { sessionId: "s" } }, HEARTBEAT(4)]);

  const logged = new Mix({ serverURL: server.url, debugLogger });
  const loud = await collectUntilError((await logged.streaming.streamEvents({ sessionId: "s" })).result);
  assert.equal(loud.error, undefined, String(loud.error));
  assertExactly(loud.events, [{ event: "connected", id: "1", data: { sessionId: "s" } }, HEARTBEAT(4)]);
  const text = lines.join("\n");
  assert.match(text, /brand_new/, `nothing logged about the skipped event:\n${text}`);
  assert.match(text, /another_new_kind/, `nothing logged about the skipped event:\n${text}`);
});

test("a stream of only unknown events ends normally with no event", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.end(frame({ id: "1", event: "future", data: {} }) + frame({ id: "2", event: "future", data: {} }));
  });
  const { events, error } = await collectUntilError((await mix.streaming.streamEvents({ sessionId: "s" })).result);
  assert.equal(error, undefined, String(error));
  assert.deepStrictEqual(events, []);
});

// ---------------------------------------------------------------------------
// 5. Documented events that do not fit

const MISFITS = [
  ["missing id", 'event: content\ndata: {"type":"content","content":"x"}\n\n', { event: "content", data: '{"type":"content","content":"x"}' }],
  ["missing data", "id: 2\nevent: content\n\n", { event: "content", id: "2" }],
  ["data not JSON", "id: 2\nevent: heartbeat\ndata: {nope\n\n", { event: "heartbeat", id: "2", data: "{nope" }],
  // Two data lines are joined with one LF (no CR left over from CRLF line ends).
  ["data not JSON, over two lines", "id: 2\r\nevent: heartbeat\r\ndata: {nope\r\ndata:still nope\r\n\r\n", { event: "heartbeat", id: "2", data: "{nope\nstill nope" }],
  [
    "a wrong field type",
    'id: 2\nevent: content\nretry: 7\ndata: {"type":"content","content":5}\n\n',
    { event: "content", id: "2", retry: 7, data: '{"type":"content","content":5}' },
  ],
  [
    "a missing required field",
    'id: 2\nevent: tool_execution_complete\ndata: {"type":"tool_execution_complete","progress":"p","toolCallId":"t","toolName":"x"}\n\n',
    {
      event: "tool_execution_complete",
      id: "2",
      data: '{"type":"tool_execution_complete","progress":"p","toolCallId":"t","toolName":"x"}',
    },
  ],
  [
    "a non-integer createdAt",
    'id: 2\nevent: session_created\ndata: {"type":"session_created","title":"t","sessionId":"s","createdAt":1.5}\n\n',
    { event: "session_created", id: "2", data: '{"type":"session_created","title":"t","sessionId":"s","createdAt":1.5}' },
  ],
];

test("a documented event that does not fit ends iteration with a ResponseValidationError after the events before it", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    const n = Number(new URL(req.url, "http://x").searchParams.get("sessionId"));
    open(res);
    res.write(heartbeat(1));
    res.write(MISFITS[n][1]);
    res.write(heartbeat(3));
    // The stream stays open: the client must drop it.
  });
  for (const [i, [what, , rawValue]] of MISFITS.entries()) {
    const res = await mix.streaming.streamEvents({ sessionId: String(i) });
    const { events, error } = await collectUntilError(res.result);
    assertExactly(events, [HEARTBEAT(1)], what);
    assert.ok(error instanceof errors.ResponseValidationError, `${what}: ${error}`);
    assert.ok(error instanceof errors.MixError, what);
    assert.deepStrictEqual(error.rawValue, rawValue, what);
    // Nothing after it: the stream stays failed.
    const again = await settle(() => res.result.getReader().read());
    assert.ok(!again.ok || again.value.done, `${what}: read after the failure gave ${JSON.stringify(again.value)}`);
    // ...and the connection is dropped.
    await closed(server.hits[i].socket, 2000);
  }
});

// ---------------------------------------------------------------------------
// 6. Before the stream opens

test("errors before the stream opens: ErrorResponse, MixDefaultError", async (t) => {
  const bodies = {
    404: '{"error":{"code":404,"message":"session not found","type":"bad_request"}}',
    500: '{"error":{"code":500,"message":"stream broke","type":"internal_error"}}',
  };
  const { server, mix } = await sse(t, (req, res) => {
    const kind = new URL(req.url, "http://x").searchParams.get("sessionId");
    if (kind === "404" || kind === "500") {
      res.writeHead(Number(kind), { "content-type": "application/json" });
      res.end(bodies[kind]);
    } else if (kind === "418") {
      res.writeHead(418, { "content-type": "text/plain" });
      res.end("I'm a teapot");
    } else if (kind === "json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"event":"heartbeat"}');
    }
  });

  const notFound = await settle(() => mix.streaming.streamEvents({ sessionId: "404" }));
  assert.ok(notFound.error instanceof errors.ErrorResponse, String(notFound.error));
  assert.equal(notFound.error.statusCode, 404);
  assert.deepStrictEqual(notFound.error.error, { code: 404, message: "session not found", type: "bad_request" });

  const failed = await settle(() => mix.streaming.streamEvents({ sessionId: "500" }, { retries: NO_RETRY }));
  assert.ok(failed.error instanceof errors.ErrorResponse, String(failed.error));
  assert.equal(failed.error.statusCode, 500);
  assert.deepStrictEqual(failed.error.error, { code: 500, message: "stream broke", type: "internal_error" });

  const noRetryClient = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const failedToo = await settle(() => noRetryClient.streaming.streamEvents({ sessionId: "500" }));
  assert.ok(failedToo.error instanceof errors.ErrorResponse, String(failedToo.error));

  const teapot = await settle(() => mix.streaming.streamEvents({ sessionId: "418" }));
  assert.ok(teapot.error instanceof errors.MixDefaultError, String(teapot.error));
  assert.equal(teapot.error.statusCode, 418);
  assert.equal(teapot.error.body, "I'm a teapot");

  const json = await settle(() => mix.streaming.streamEvents({ sessionId: "json" }));
  assert.ok(json.error instanceof errors.MixDefaultError, String(json.error));
  assert.equal(json.error.statusCode, 200);
  assert.match(json.error.message, /^Unexpected Status or Content-Type/);
  assert.equal(server.count, 5);
});

test("a 503 before the stream is retried with the default policy, then the stream is read normally", async (t) => {
  const { server, mix } = await sse(t, (req, res, n) => {
    if (n === 0) {
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("busy");
    } else {
      open(res);
      res.write(heartbeat(1));
      res.end(heartbeat(2));
    }
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  assertExactly(await collect(res.result), [HEARTBEAT(1), HEARTBEAT(2)]);
  assert.equal(server.count, 2);
});

test("a text/event-stream with parameters opens the stream", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
    res.end(heartbeat(1));
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  assertExactly(await collect(res.result), [HEARTBEAT(1)]);
});

// ---------------------------------------------------------------------------
// 7. How the stream ends

test("a connection lost mid-stream ends iteration with ConnectionError after the events before it", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res); // chunked: no content-length
    res.write(heartbeat(1));
    res.write(heartbeat(2));
    setTimeout(() => req.socket.destroy(), 100);
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const { events, error } = await collectUntilError(res.result);
  assertExactly(events, [HEARTBEAT(1), HEARTBEAT(2)]);
  assert.ok(error instanceof errors.ConnectionError, String(error));
});

test("a connection lost in the middle of an event is a ConnectionError too", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1) + "id: 2\nevent: heartb");
    setTimeout(() => req.socket.destroy(), 100);
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const { events, error } = await collectUntilError(res.result);
  assertExactly(events, [HEARTBEAT(1)]);
  assert.ok(error instanceof errors.ConnectionError, String(error));
});

test("the server ending the response ends iteration normally", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1));
    setTimeout(() => {
      res.write(heartbeat(2));
      res.end();
    }, 50);
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const { events, error } = await collectUntilError(res.result);
  assert.equal(error, undefined, String(error));
  assertExactly(events, [HEARTBEAT(1), HEARTBEAT(2)]);
});

// ---------------------------------------------------------------------------
// 8. timeoutMs bounds only the time to the response head

test("timeoutMs limits the time to the response head, not the stream", async (t) => {
  const { mix, server } = await sse(t, (req, res) => {
    if (req.url.includes("slow-head")) {
      const timer = setTimeout(() => {
        open(res);
        res.end(heartbeat(1));
      }, 1000);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    open(res);
    let i = 1;
    res.write(heartbeat(i));
    const timer = setInterval(() => {
      i += 1;
      res.write(heartbeat(i));
      if (i === 4) {
        clearInterval(timer);
        res.end();
      }
    }, 300);
    res.on("close", () => clearInterval(timer));
  });
  const clientLimited = new Mix({ serverURL: server.url, timeoutMs: 300 });

  const spread = async (call) => {
    const start = performance.now();
    const res = await call();
    const { events, error } = await collectUntilError(res.result);
    return { events, error, elapsed: performance.now() - start };
  };
  const [byClient, byCall, headByClient, headByCall] = await Promise.all([
    spread(() => clientLimited.streaming.streamEvents({ sessionId: "spread-1" })),
    spread(() => mix.streaming.streamEvents({ sessionId: "spread-2" }, { timeoutMs: 300 })),
    settle(() => clientLimited.streaming.streamEvents({ sessionId: "slow-head-1" })),
    settle(() => mix.streaming.streamEvents({ sessionId: "slow-head-2" }, { timeoutMs: 300, retries: NO_RETRY })),
  ]);
  for (const [what, r] of [["client timeoutMs", byClient], ["per-call timeoutMs", byCall]]) {
    assert.equal(r.error, undefined, `${what}: ${r.error}`);
    assertExactly(r.events, [HEARTBEAT(1), HEARTBEAT(2), HEARTBEAT(3), HEARTBEAT(4)], what);
    assert.ok(r.elapsed >= 850, `${what}: the stream took only ${r.elapsed.toFixed(0)} ms`);
  }
  for (const [what, r] of [["client timeoutMs", headByClient], ["per-call timeoutMs", headByCall]]) {
    assert.equal(r.ok, false, `${what}: resolved`);
    assert.ok(r.error instanceof errors.RequestTimeoutError, `${what}: ${r.error}`);
    assert.ok(r.elapsed < 950, `${what}: timed out after ${r.elapsed.toFixed(0)} ms`);
  }
});

// ---------------------------------------------------------------------------
// 9. Abort

test("aborting while the loop waits for an event: RequestAbortedError, and the connection closes", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1));
  });
  const controller = new AbortController();
  const res = await mix.streaming.streamEvents({ sessionId: "s" }, { signal: controller.signal });
  const events = [];
  let abortedAt;
  let error;
  try {
    for await (const ev of res.result) {
      events.push(ev);
      setTimeout(() => {
        abortedAt = performance.now();
        controller.abort();
      }, 100);
    }
  } catch (err) {
    error = err;
  }
  const sinceAbort = performance.now() - abortedAt;
  assertExactly(events, [HEARTBEAT(1)]);
  assert.ok(error instanceof errors.RequestAbortedError, String(error));
  assert.equal(error.cause, controller.signal.reason);
  assert.ok(sinceAbort < 2000, `the loop threw ${sinceAbort.toFixed(0)} ms after the abort`);
  await closed(server.hits[0].socket, 2000);
});

test("a signal aborted before the call: RequestAbortedError, nothing sent", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.end(heartbeat(1));
  });
  const signal = AbortSignal.abort();
  const r = await settle(() => mix.streaming.streamEvents({ sessionId: "s" }, { signal }));
  assert.ok(r.error instanceof errors.RequestAbortedError, String(r.error));
  const f = await streamingStreamEvents(new MixCore({ serverURL: server.url }), { sessionId: "s" }, { signal });
  assert.equal(f.ok, false);
  assert.ok(f.error instanceof errors.RequestAbortedError, String(f.error));
  await sleep(100);
  assert.equal(server.count, 0);
});

test("aborting while the caller is not reading closes the connection without another read", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1));
    // then holds the stream open
  });
  const controller = new AbortController();
  const res = await mix.streaming.streamEvents({ sessionId: "s" }, { signal: controller.signal });
  const reader = res.result.getReader();
  assertRead(await reader.read(), HEARTBEAT(1));
  await sleep(50);
  controller.abort();
  await closed(server.hits[0].socket, 2000);
  // The next read reports the abort.
  const next = await settle(() => reader.read());
  assert.equal(next.ok, false, `read after the abort gave ${JSON.stringify(next.value)}`);
  assert.ok(next.error instanceof errors.RequestAbortedError, String(next.error));
});

test("aborting before the first read of an open stream closes the connection", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1));
  });
  const controller = new AbortController();
  const res = await mix.streaming.streamEvents({ sessionId: "s" }, { signal: controller.signal });
  controller.abort();
  await closed(server.hits[0].socket, 2000);
  const r = await collectUntilError(res.result);
  assert.ok(r.error instanceof errors.RequestAbortedError, String(r.error));
});

// ---------------------------------------------------------------------------
// 10. Stopping

/** A server that sends `n` heartbeats and keeps the stream open. */
function holdAfter(n) {
  return (req, res) => {
    open(res);
    for (let i = 1; i <= n; i++) res.write(heartbeat(i));
  };
}

test("break out of for-await closes the connection promptly", async (t) => {
  const { server, mix } = await sse(t, holdAfter(3));
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const events = [];
  for await (const ev of res.result) {
    events.push(ev);
    break;
  }
  const start = performance.now();
  assertExactly(events, [HEARTBEAT(1)]);
  await closed(server.hits[0].socket, 2000);
  assert.ok(performance.now() - start < 2000);
  // The iterator is finished.
  const again = await collectUntilError(res.result);
  assert.ok(again.error !== undefined || again.events.length === 0, `${again.events.length} events after break`);
});

test("res.result.cancel() closes the connection promptly", async (t) => {
  const { server, mix } = await sse(t, holdAfter(3));
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  await res.result.cancel();
  await closed(server.hits[0].socket, 2000);
});

test("two reads through getReader() then reader.cancel() close the connection promptly", async (t) => {
  const { server, mix } = await sse(t, holdAfter(3));
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const reader = res.result.getReader();
  assertRead(await reader.read(), HEARTBEAT(1));
  assertRead(await reader.read(), HEARTBEAT(2));
  await reader.cancel();
  await closed(server.hits[0].socket, 2000);
  assert.deepStrictEqual(await reader.closed, undefined);
});

test("return() on the iterator closes the connection", async (t) => {
  const { server, mix } = await sse(t, holdAfter(3));
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const it = res.result[Symbol.asyncIterator]();
  assertRead(await it.next(), HEARTBEAT(1));
  assert.deepStrictEqual(await it.return(), { done: true, value: undefined });
  await closed(server.hits[0].socket, 2000);
  assert.deepStrictEqual(await it.next(), { done: true, value: undefined });
});

test("tee() gives both branches the same events; pipeTo() delivers them too", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    for (let i = 1; i <= 5; i++) res.write(heartbeat(i));
    res.end();
  });
  const expected = [1, 2, 3, 4, 5].map(HEARTBEAT);
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const [a, b] = res.result.tee();
  const [fromA, fromB] = await Promise.all([collect(a), collect(b)]);
  assertExactly(fromA, expected);
  assertExactly(fromB, expected);

  const piped = [];
  const again = await mix.streaming.streamEvents({ sessionId: "s" });
  await again.result.pipeTo(new WritableStream({ write: (ev) => void piped.push(ev) }));
  assertExactly(piped, expected);
});

// ---------------------------------------------------------------------------
// 11. The standalone function

test("streamingStreamEvents: { ok: true, value: { headers, result } } to iterate; a 404 is { ok: false, ErrorResponse }", async (t) => {
  const { server } = await sse(t, (req, res) => {
    if (req.url.includes("missing")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":{"code":404,"message":"no such session","type":"bad_request"}}');
      return;
    }
    open(res, { "x-stream": "yes" });
    res.write(frame({ id: "1", event: "connected", data: { sessionId: "s" } }));
    res.end(heartbeat(2));
  });
  const core = new MixCore({ serverURL: server.url });
  const r = await streamingStreamEvents(core, { sessionId: "s", lastEventID: "0" });
  assert.equal(r.ok, true, String(r.error));
  assert.deepStrictEqual(Object.keys(r.value), ["headers", "result"]);
  assert.deepStrictEqual(r.value.headers["content-type"], ["text/event-stream"]);
  assert.deepStrictEqual(r.value.headers["x-stream"], ["yes"]);
  assert.ok(r.value.result instanceof EventStream);
  assertExactly(await collect(r.value.result), [{ event: "connected", id: "1", data: { sessionId: "s" } }, HEARTBEAT(2)]);
  assert.equal(server.hits[0].req.headers["last-event-id"], "0");

  const missing = await streamingStreamEvents(core, { sessionId: "missing" });
  assert.equal(missing.ok, false);
  assert.ok(missing.error instanceof errors.ErrorResponse, String(missing.error));
  assert.equal(missing.error.statusCode, 404);
});

// ---------------------------------------------------------------------------
// 12. No unhandled rejection

test("failing, failed-and-caught and abandoned streams raise no unhandled rejection", async (t) => {
  const unhandled = [];
  const uncaught = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  const onUncaught = (err) => uncaught.push(err);
  process.on("unhandledRejection", onUnhandled);
  process.on("uncaughtExceptionMonitor", onUncaught);
  t.after(() => {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtExceptionMonitor", onUncaught);
  });

  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1));
    if (req.url.includes("cut")) setTimeout(() => req.socket.destroy(), 50);
    if (req.url.includes("bad")) res.write("id: 2\nevent: content\ndata: {nope\n\n");
    // "hold": stays open
  });
  const core = new MixCore({ serverURL: server.url });

  // Never iterated, failing mid-way (the class method and the standalone function).
  const neverRead = await mix.streaming.streamEvents({ sessionId: "cut-1" });
  const neverReadToo = await streamingStreamEvents(core, { sessionId: "cut-2" });
  assert.equal(neverReadToo.ok, true);
  // Read once, then left with the failure pending.
  const readOnce = await mix.streaming.streamEvents({ sessionId: "cut-3" });
  const onceReader = readOnce.result.getReader();
  await onceReader.read();
  // Iterated to the error and caught.
  const caught = await collectUntilError((await mix.streaming.streamEvents({ sessionId: "cut-4" })).result);
  assert.ok(caught.error instanceof errors.ConnectionError, String(caught.error));
  const invalid = await collectUntilError((await mix.streaming.streamEvents({ sessionId: "bad" })).result);
  assert.ok(invalid.error instanceof errors.ResponseValidationError, String(invalid.error));
  // Left unread, then garbage.
  await (async () => {
    await mix.streaming.streamEvents({ sessionId: "hold-1" });
    await streamingStreamEvents(core, { sessionId: "hold-2" });
  })();
  // Opened with a signal, never read, then aborted (and one aborted and then cut).
  const controller = new AbortController();
  const unreadAborted = await mix.streaming.streamEvents({ sessionId: "hold-3" }, { signal: controller.signal });
  await streamingStreamEvents(core, { sessionId: "cut-5" }, { signal: controller.signal });
  controller.abort();

  await sleep(300);
  await eventLoopTurns(5);
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await eventLoopTurns(3);
  }
  await sleep(200);
  await eventLoopTurns(3);
  assert.deepEqual(unhandled.map(String), []);
  assert.deepEqual(uncaught.map(String), []);
  assert.equal(server.count, 9);
  void neverRead;
  void unreadAborted;
});

test("an unread stream that becomes garbage closes its connection", async (t) => {
  const { server, mix } = await sse(t, holdAfter(1));
  await (async () => {
    const res = await mix.streaming.streamEvents({ sessionId: "s" });
    assert.ok(res.result instanceof EventStream);
  })();
  const socket = server.hits[0].socket;
  const gone = closed(socket, 5000);
  for (let i = 0; i < 10 && !socket.destroyed; i++) {
    await eventLoopTurns(2);
    globalThis.gc();
    await sleep(50);
  }
  await gone;
});

// ---------------------------------------------------------------------------
// 13. Flow control and memory

test("a slow consumer holds a fast server back: memory stays flat, and all 1,000,000 events arrive in order", { timeout: 120_000 }, async (t) => {
  const TOTAL = 1_000_000;
  const PER_WRITE = 1_000;
  // Unknown keys are dropped by decoding: the padding costs wire bytes only (~150 MB in all).
  const PAD = "x".repeat(100);
  let handed = 0; // events handed to res.write()
  let finished = false;
  const { mix } = await sse(t, async (req, res) => {
    open(res);
    let gone = false;
    res.on("close", () => (gone = true));
    for (let start = 1; start <= TOTAL && !gone; start += PER_WRITE) {
      let text = "";
      for (let i = start; i < start + PER_WRITE; i++) text += `id: ${i}\nevent: heartbeat\ndata: {"type":"ping","pad":"${PAD}"}\n\n`;
      handed = start + PER_WRITE - 1;
      if (!res.write(text)) {
        await new Promise((resolve) => {
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.on("drain", done);
          res.on("close", done);
        });
      }
    }
    if (!gone) res.end(() => (finished = true));
  });

  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const it = res.result[Symbol.asyncIterator]();
  let count = 0;
  let first;
  let last;
  const take = (r) => {
    assert.equal(r.done, false);
    count += 1;
    if (r.value.id !== String(count)) assert.fail(`event ${count} has id ${r.value.id}`);
    if (count === 1) first = r.value;
    last = r.value;
  };
  for (let i = 0; i < 1_000; i++) take(await it.next());
  assertExactly(first, HEARTBEAT(1));

  globalThis.gc();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const sampler = setInterval(sample, 50);
  t.after(() => clearInterval(sampler));
  await sleep(500);
  const handedEarly = handed;
  await sleep(1_000);
  const handedLate = handed;
  clearInterval(sampler);
  sample();
  const growth = (peak - baseline) / 2 ** 20;
  const note = `handed ${handedEarly} then ${handedLate} of ${TOTAL} events to res.write() during the pause; rss +${growth.toFixed(1)} MB`;
  t.diagnostic(note);
  assert.ok(handedLate < TOTAL / 2, `the server was not held back: ${note}`);
  assert.ok(handedLate - handedEarly <= PER_WRITE, `the server kept writing during the pause: ${note}`);
  assert.equal(finished, false);
  assert.ok(growth < 64, `rss grew ${growth.toFixed(1)} MB during the pause`);

  for (let r = await it.next(); !r.done; r = await it.next()) take(r);
  assert.equal(count, TOTAL);
  assertExactly(last, HEARTBEAT(TOTAL));
  const after = process.memoryUsage().rss;
  t.diagnostic(`rss after all events: +${((after - baseline) / 2 ** 20).toFixed(1)} MB over the baseline`);
});

// ---------------------------------------------------------------------------
// 14. A worker thread torn down mid-stream

// Runs in a child process, so a crash at worker teardown fails this test
// rather than the whole file. The child stays alive after terminating the
// worker, so a socket that closes shows the worker's teardown closed it.
const WORKER_CHILD = `
import { Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
// The worker inherits --input-type=module: its code is a module too.
const code = \`
  import { parentPort } from "node:worker_threads";
  const { Mix } = await import(\${JSON.stringify(pathToFileURL(process.env.MIX_TEST_ROOT + "/index.mjs").href)});
  (async () => {
    const mix = new Mix({ serverURL: \${JSON.stringify(process.env.MIX_TEST_BASE)} });
    const res = await mix.streaming.streamEvents({ sessionId: "worker" });
    for await (const ev of res.result) parentPort.postMessage(JSON.stringify(ev));
    parentPort.postMessage("ended");
  })().catch((err) => parentPort.postMessage("error " + err));
\`;
const worker = new Worker(code, { eval: true });
let n = 0;
worker.on("message", async (m) => {
  console.log("message " + m);
  if (++n === 3) {
    await worker.terminate();
    console.log("terminated");
    setTimeout(() => process.exit(0), 5000);
  }
});
worker.on("error", (err) => console.log("worker error " + err));
`;

test("terminating a worker thread mid-stream closes its connection", { timeout: 30_000 }, async (t) => {
  const { server } = await sse(t, (req, res) => {
    open(res);
    let i = 0;
    const timer = setInterval(() => res.write(heartbeat(++i)), 50);
    res.on("close", () => clearInterval(timer));
  });
  const child = spawn(process.execPath, ["--input-type=module", "-e", WORKER_CHILD], {
    cwd: ROOT,
    env: { ...process.env, MIX_TEST_BASE: server.url, MIX_TEST_ROOT: ROOT },
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const terminated = new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      if (stdout.includes("terminated\n")) resolve();
    });
    child.on("exit", (code, signal) => reject(new Error(`child exited (${code ?? signal}) early:\n${stdout}\n${stderr}`)));
  });
  await within(terminated, 15_000, `the worker's termination (stdout: ${stdout}, stderr: ${stderr})`);
  const messages = stdout
    .split("\n")
    .filter((l) => l.startsWith("message "))
    .map((l) => JSON.parse(l.slice("message ".length)));
  assertExactly(messages, [HEARTBEAT(1), HEARTBEAT(2), HEARTBEAT(3)]);
  assert.equal(server.count, 1);
  await closed(server.hits[0].socket, 2000);
  assert.equal(child.exitCode, null, "the child had exited: its exit closed the socket, not the worker's teardown");
  child.kill("SIGKILL");
  assert.doesNotMatch(stderr, /panic|Segmentation|Abort|FATAL/i, stderr);
});

// ---------------------------------------------------------------------------
// 15. The public EventStream constructor

const CONSTRUCTOR_TEXT =
  "\uFEFF" +
  "id: 1\nevent: a\ndata: x\ndata: y\nretry: 5\n\n" +
  ": only a comment\n\n" +
  "event: b\r\ndata: é🎉\r\n\r\n" +
  "id: 3\rdata: z\r\r" +
  "data:no space\nid:7\n\n" +
  "event: stop\ndata: -\n\n" +
  "event: after\ndata: never\n\n";
const CONSTRUCTOR_MESSAGES = [
  { id: "1", event: "a", data: "x\ny", retry: 5 },
  { event: "b", data: "é🎉" },
  { id: "3", data: "z" },
  { id: "7", data: "no space" },
];

/** A ReadableStream of `bytes` in chunks of the given sizes (cycled); records whether it was cancelled. */
function byteStream(bytes, sizes) {
  let at = 0;
  let k = 0;
  const state = { cancelled: false, closed: false };
  const stream = new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        state.closed = true;
        return controller.close();
      }
      const size = sizes[k++ % sizes.length];
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

test("new EventStream(bytes, parse) frames a hand-made byte stream split anywhere; parse returning done ends it", async () => {
  const bytes = new Uint8Array(Buffer.from(CONSTRUCTOR_TEXT, "utf8"));
  // A seeded sequence of chunk sizes from 1 to 7 bytes.
  let seed = 12345;
  const random = Array.from({ length: 97 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return 1 + (seed % 7);
  });
  for (const sizes of [[bytes.length], [1], [2], [3], random, [5, 1, 13]]) {
    const { stream, state } = byteStream(bytes, sizes);
    const seen = [];
    const events = new EventStream(stream, (msg) => {
      seen.push(msg);
      return msg.event === "stop" ? { done: true, value: undefined } : { done: false, value: msg };
    });
    assert.ok(events instanceof ReadableStream);
    const messages = await collect(events);
    const what = `chunks of ${sizes.length > 3 ? "random sizes" : sizes.join(",")}`;
    assert.deepStrictEqual(messages, CONSTRUCTOR_MESSAGES, what);
    assert.equal(seen.at(-1).event, "stop", what);
    assert.ok(!seen.some((m) => m.event === "after"), `${what}: parse saw the event after the end`);
    // A byte stream not yet at its end when parse says done is cancelled.
    if (!state.closed) assert.equal(state.cancelled, true, `${what}: the byte stream was not cancelled at the end`);
    if (sizes[0] === 1) assert.equal(state.cancelled, true, what);
  }
});

test("new EventStream(bytes, parse) through getReader() and a map function", async () => {
  const text = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  const { stream } = byteStream(new Uint8Array(Buffer.from(text)), [4]);
  const events = new EventStream(stream, (msg) => ({ value: Number(msg.data) * 10 }));
  const reader = events.getReader();
  const got = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value);
  assert.deepStrictEqual(got, [10, 20, 30]);
});

// ---------------------------------------------------------------------------
// 16. gzip

test("a gzip-encoded stream decodes normally", async (t) => {
  const { mix } = await sse(t, async (req, res) => {
    res.writeHead(200, { ...SSE_HEAD, "content-encoding": "gzip" });
    const gzip = zlib.createGzip();
    gzip.pipe(res);
    gzip.write(frame({ id: "1", event: "connected", data: { sessionId: "s" } }));
    for (let i = 2; i <= 4; i++) {
      await new Promise((resolve) => gzip.flush(resolve));
      await sleep(20);
      gzip.write(heartbeat(i));
    }
    gzip.end();
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  assert.deepStrictEqual(res.headers["content-encoding"], ["gzip"]);
  const { events, error } = await collectUntilError(res.result);
  assert.equal(error, undefined, String(error));
  assertExactly(events, [{ event: "connected", id: "1", data: { sessionId: "s" } }, HEARTBEAT(2), HEARTBEAT(3), HEARTBEAT(4)]);
});

// A decompressor holds output back until it is flushed: each event must
// reach the caller when the server flushes it, not with the next bytes.
test("a gzip-encoded stream delivers each event as soon as it is flushed", async (t) => {
  let firstReceived;
  const received = new Promise((resolve) => (firstReceived = resolve));
  let sawFirstBeforeRest;
  const { mix } = await sse(t, (req, res) => {
    assert.match(req.headers["accept-encoding"] ?? "", /gzip/);
    res.writeHead(200, { ...SSE_HEAD, "content-encoding": "gzip" });
    const gzip = zlib.createGzip();
    gzip.pipe(res);
    gzip.write(frame({ id: "1", event: "connected", data: { sessionId: "s" } }));
    gzip.flush(zlib.constants.Z_SYNC_FLUSH, async () => {
      sawFirstBeforeRest = await Promise.race([received.then(() => true), sleep(3000).then(() => false)]);
      for (let i = 2; i <= 4; i++) {
        gzip.write(heartbeat(i));
        await new Promise((resolve) => gzip.flush(resolve));
        await sleep(20);
      }
      gzip.end();
    });
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  assert.deepStrictEqual(res.headers["content-encoding"], ["gzip"]);
  const events = [];
  for await (const ev of res.result) {
    events.push(ev);
    if (events.length === 1) firstReceived();
  }
  assertExactly(events, [{ event: "connected", id: "1", data: { sessionId: "s" } }, HEARTBEAT(2), HEARTBEAT(3), HEARTBEAT(4)]);
  assert.equal(sawFirstBeforeRest, true, "the first event had not reached the caller 3 s after the server flushed it");
});

// ---------------------------------------------------------------------------
// Request validation and connection failures before the stream opens

test("a request that does not fit its type is an SDKValidationError, nothing sent", async (t) => {
  const { server, mix } = await sse(t, (req, res) => {
    open(res);
    res.end(heartbeat(1));
  });
  for (const request of [{}, { sessionId: 5 }, { sessionId: "s", lastEventID: 7 }, undefined]) {
    const r = await settle(() => mix.streaming.streamEvents(request));
    assert.ok(r.error instanceof errors.SDKValidationError, `${JSON.stringify(request)}: ${r.error}`);
    const f = await streamingStreamEvents(new MixCore({ serverURL: server.url }), request);
    assert.equal(f.ok, false);
    assert.ok(f.error instanceof errors.SDKValidationError, `${JSON.stringify(request)}: ${f.error}`);
  }
  await sleep(50);
  assert.equal(server.count, 0);
});

test("a server that refuses the connection is a ConnectionError", async () => {
  const probe = net.createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const mix = new Mix({ serverURL: `http://127.0.0.1:${port}`, retryConfig: NO_RETRY });
  const r = await settle(() => mix.streaming.streamEvents({ sessionId: "s" }));
  assert.ok(r.error instanceof errors.ConnectionError, String(r.error));
});

// ---------------------------------------------------------------------------
// Found in review

test("a small gzip bomb of tiny events never becomes a large buffer, and the stream ends normally", { timeout: 60_000 }, async (t) => {
  // 64 MB of "x\n\n" (events without a type, all skipped) compressed to some 64 KB.
  const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, "x\n\n"), { level: 9 });
  assert.ok(bomb.length < 200 * 1024, `bomb is ${bomb.length} bytes`);
  const { mix } = await sse(t, (req, res) => {
    open(res, { "content-encoding": "gzip" });
    res.end(Buffer.concat([bomb]));
  });
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  t.after(() => clearInterval(timer));
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const events = await collect(res.result);
  clearInterval(timer);
  assert.equal(events.length, 0);
  const grew = (peak - before) / 2 ** 20;
  assert.ok(grew < 100, `RSS grew ${grew.toFixed(1)} MB reading a 64 MB decompressed body`);
});

test("after cancel(), a new iterator yields nothing, even of events already fetched", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.write([1, 2, 3, 4, 5].map(heartbeat).join(""));
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const reader = res.result.getReader();
  assertRead(await reader.read(), HEARTBEAT(1));
  reader.releaseLock();
  await res.result.cancel();
  assert.deepStrictEqual(await collect(res.result), []);
});

test("overlapping next() calls get the events in order", async (t) => {
  let res2;
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res2 = res;
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const it = res.result[Symbol.asyncIterator]();
  const first = it.next(); // waits for a batch
  await sleep(50);
  res2.write([1, 2, 3].map(heartbeat).join(""));
  await Promise.resolve();
  const second = it.next();
  const third = it.next();
  const got = await Promise.all([first, second, third]);
  assert.deepStrictEqual(
    got.map((r) => r.value.id),
    ["1", "2", "3"],
  );
  await it.return();
});

test("an abort ends iteration at once: events fetched and not yet read are not handed out", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.write(Array.from({ length: 200 }, (_, i) => heartbeat(i + 1)).join(""));
  });
  const controller = new AbortController();
  const res = await mix.streaming.streamEvents({ sessionId: "s" }, { signal: controller.signal });
  const seen = [];
  const error = await (async () => {
    try {
      for await (const ev of res.result) {
        seen.push(ev.id);
        if (seen.length === 1) controller.abort("stop");
      }
    } catch (err) {
      return err;
    }
  })();
  assert.deepStrictEqual(seen, ["1"]);
  assert.ok(error instanceof errors.RequestAbortedError, String(error));
  assert.equal(error.cause, "stop");
});

test("values({ preventCancel: true }): leaving the loop keeps the stream readable", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.end([1, 2, 3].map(heartbeat).join(""));
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  for await (const ev of res.result.values({ preventCancel: true })) {
    assert.equal(ev.id, "1");
    break;
  }
  assert.deepStrictEqual(
    (await collect(res.result)).map((e) => e.id),
    ["2", "3"],
  );
});

test("the public constructor: parse throwing fails the stream after the events before it and cancels the body", async () => {
  let cancelled;
  const body = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode("data: 1\n\ndata: 2\n\ndata: bad\n\ndata: 4\n\n"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const stream = new EventStream(body, (m) => {
    if (m.data === "bad") throw new Error("parse failed");
    return { value: m.data };
  });
  const { events, error } = await collectUntilError(stream);
  assert.deepStrictEqual(events, ["1", "2"]);
  assert.equal(error?.message, "parse failed");
  assert.equal(cancelled?.message, "parse failed");
});

test("a misfit event's rawValue lists its fields as framed: event, id, retry, data", async (t) => {
  const { mix } = await sse(t, (req, res) => {
    open(res);
    res.end("data: {}\nretry: 5\nid: 9\nevent: content\n\n");
  });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const { error } = await collectUntilError(res.result);
  assert.ok(error instanceof errors.ResponseValidationError, String(error));
  assertExactly(error.rawValue, { event: "content", id: "9", retry: 5, data: "{}" });
});

// ---------------------------------------------------------------------------
// Through the caller's own HTTPClient

test("with a custom HTTPClient, events arrive while the stream is open, and break closes its fetch", async (t) => {
  const { HTTPClient } = require("../lib/http.js");
  let response;
  const { server } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1));
    response = res;
  });
  const seen = [];
  const httpClient = new HTTPClient();
  httpClient.addHook("beforeRequest", (req) => {
    seen.push(req.url);
    return req;
  });
  const mix = new Mix({ serverURL: server.url, httpClient });
  const res = await within(mix.streaming.streamEvents({ sessionId: "s" }), 5000, "the stream opening");
  const it = res.result[Symbol.asyncIterator]();
  assertRead(await within(it.next(), 5000, "the first event"), HEARTBEAT(1));
  const second = it.next();
  response.write(heartbeat(2));
  assertRead(await within(second, 5000, "the second event"), HEARTBEAT(2));
  await it.return();
  await within(closed((await server.waitForHits(1)).socket), 2000, "the socket closing");
  assert.equal(seen.length, 1);
});

test("with a custom HTTPClient, a connection lost mid-stream is a ConnectionError", async (t) => {
  const { HTTPClient } = require("../lib/http.js");
  const { server } = await sse(t, (req, res) => {
    open(res);
    res.write(heartbeat(1));
    setTimeout(() => req.socket.destroy(), 50);
  });
  const mix = new Mix({ serverURL: server.url, httpClient: new HTTPClient() });
  const res = await mix.streaming.streamEvents({ sessionId: "s" });
  const { events, error } = await collectUntilError(res.result);
  assertExactly(events, [HEARTBEAT(1)]);
  assert.ok(error instanceof errors.ConnectionError, String(error));
});
