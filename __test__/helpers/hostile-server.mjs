// A hostile loopback HTTP server for hostile.spec.mjs and churn.spec.mjs:
// raw `node:net`, so it can send bytes no well-behaved server would. One
// server serves every misbehaviour; the first path segment names it and the
// query string carries its parameters, e.g.
//   new Mix({ serverURL: hostile.url("drip", { where: "body" }) })
// makes the client request `POST /drip/internal/auth/refresh-tokens?where=body`.
//
// Every connection is recorded (mode, bytes written, when it opened and
// closed), so a spec can check that the client dropped a connection, and
// how much the server had sent by then. `startHostileServerProcess()` runs
// the same server in a child process, for memory checks that must not count
// the server's own buffers. MODES below lists every misbehaviour.

import net from "node:net";
import zlib from "node:zlib";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

export const MiB = 1024 * 1024;
export const OK_JSON = '{"message":"Token refresh triggered successfully","status":"success"}';
export const ERROR_JSON = '{"error":{"code":500,"message":"token service down","type":"internal_error"}}';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A response head: status line, then header lines, then the blank line. */
export function head(statusLine, headers = []) {
  return Buffer.from([statusLine, ...headers.map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n"), "latin1");
}

/** Waits until `socket` can take more data or is gone; false when gone. */
function drained(socket) {
  if (socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok) => {
      socket.off("drain", onDrain);
      socket.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    socket.on("drain", onDrain);
    socket.on("close", onClose);
  });
}

/**
 * Writes `total` bytes of `chunk`s with back-pressure (nothing is buffered
 * beyond what the socket accepts), `frame` wrapping each chunk (for chunked
 * encoding). Stops as soon as the peer goes away.
 */
async function stream(socket, total, chunk, frame = (c) => c) {
  let sent = 0;
  while (sent < total && !socket.destroyed) {
    const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
    sent += piece.length;
    if (!socket.write(frame(piece)) && !(await drained(socket))) return;
  }
}

let bombs;
/** Compressed bodies that inflate to 64 MiB of JSON-looking text (built once). */
function compressedBombs() {
  if (bombs === undefined) {
    const inflated = Buffer.alloc(64 * MiB, 0x20);
    inflated.write('{"message":"', 0);
    bombs = {
      gzip: zlib.gzipSync(inflated, { level: 9 }),
      deflate: zlib.deflateSync(inflated, { level: 9 }),
    };
  }
  return bombs;
}

/** Named bodies for the `body` mode. */
export const PAYLOADS = {
  ok: () => Buffer.from(OK_JSON),
  error: () => Buffer.from(ERROR_JSON),
  // Invalid UTF-8 inside a JSON string (a lone continuation byte, an
  // overlong encoding, a truncated sequence) and inside a key.
  "invalid-utf8": () =>
    Buffer.concat([Buffer.from('{"message":"a'), Buffer.from([0x80, 0xc0, 0xaf, 0xe2, 0x82]), Buffer.from('","status":"ok"}')]),
  "invalid-utf8-key": () => Buffer.concat([Buffer.from('{"mess'), Buffer.from([0xff]), Buffer.from('age":"x","status":"ok"}')]),
  "lone-surrogate": () => Buffer.from('{"message":"\\ud800","status":"ok"}'),
  "deep-array": () => Buffer.from("[".repeat(100_000) + "]".repeat(100_000)),
  "deep-object": () => Buffer.from('{"a":'.repeat(100_000) + "1" + "}".repeat(100_000)),
  "deep-under-unknown-key": () =>
    Buffer.from('{"x":' + "[".repeat(100_000) + "]".repeat(100_000) + ',"status":"ok"}'),
  "deep-under-message": () => Buffer.from('{"message":' + "[".repeat(100_000) + "]".repeat(100_000) + "}"),
  "deep-error": () => Buffer.from('{"error":' + '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000) + "}"),
  "duplicate-keys": () => Buffer.from('{"message":"first","status":"a","message":"last","status":"b"}'),
  "duplicate-error-keys": () =>
    Buffer.from('{"error":{"code":1,"message":"a","type":"nope"},"error":{"code":503,"message":"second","type":"not_found"}}'),
  "huge-number-unknown-key": () => Buffer.from('{"n":1e400,"m":-1e400,"message":"ok"}'),
  "huge-number-field": () => Buffer.from('{"message":1e400}'),
  "huge-number-code": () => Buffer.from('{"error":{"code":1e400,"message":"m","type":"internal_error"}}'),
  "long-digits-code": () => Buffer.from(`{"error":{"code":${"9".repeat(5000)},"message":"m","type":"internal_error"}}`),
  "nul-and-controls": () => Buffer.from('{"message":"a\\u0000b\\u001f","status":"\\n"}'),
  bom: () => Buffer.from('\ufeff{"message":"bom"}'),
  "not-json": () => Buffer.from("<html><body>oops</body></html>"),
  empty: () => Buffer.alloc(0),
  "trailing-garbage": () => Buffer.from(`${OK_JSON} trailing`),
  "big-text": () => Buffer.alloc(3 * MiB, "x"),
};

/**
 * What each mode does once the request head has arrived. `socket` is the
 * raw connection, `q` the query parameters. Returning "keep" keeps the
 * connection open for the next request; anything else closes it (gracefully
 * unless the mode destroyed it).
 */
const MODES = {
  // A normal 200 JSON answer on a keep-alive connection.
  async ok(socket) {
    socket.write(Buffer.concat([head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["content-length", OK_JSON.length]]), Buffer.from(OK_JSON)]));
    return "keep";
  },

  // 64 KiB of random bytes where the status line should be.
  async "random-bytes"(socket) {
    socket.write(randomBytes(64 * 1024));
  },

  // A status line given verbatim (`line`), then a small valid JSON body.
  async "status-line"(socket, q) {
    socket.write(head(q.get("line"), [["content-type", "application/json"], ["content-length", "2"], ["connection", "close"]]));
    socket.write("{}");
  },

  // One header whose value is `size` bytes (default 1 MiB).
  async "huge-header"(socket, q) {
    const size = Number(q.get("size") ?? MiB);
    socket.write(head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["x-big", "a".repeat(size)], ["content-length", "2"]]));
    socket.write("{}");
  },

  // `count` small headers (default 10,000).
  async "many-headers"(socket, q) {
    const count = Number(q.get("count") ?? 10_000);
    const headers = [["content-type", "application/json"], ["content-length", "2"]];
    for (let i = 0; i < count; i++) headers.push([`x-h-${i}`, "v"]);
    socket.write(head("HTTP/1.1 200 OK", headers));
    socket.write("{}");
  },

  // `size` bytes (default 200 MiB) of body, streamed: with its length
  // declared (`framing=length`), chunked, or delimited by closing (`close`).
  async "big-body"(socket, q) {
    const total = Number(q.get("size") ?? 200 * MiB);
    const framing = q.get("framing") ?? "length";
    const headers = [["content-type", "application/json"]];
    if (framing === "length") headers.push(["content-length", String(total)]);
    if (framing === "chunked") headers.push(["transfer-encoding", "chunked"]);
    if (framing === "close") headers.push(["connection", "close"]);
    socket.write(head(`HTTP/1.1 ${q.get("status") ?? 200} OK`, headers));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const frame = framing === "chunked" ? (c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n")]) : undefined;
    await stream(socket, total, chunk, frame);
    if (framing === "chunked" && !socket.destroyed) socket.write("0\r\n\r\n");
  },

  // A small compressed body (`enc` gzip or deflate) that inflates to 64 MiB.
  async "compressed-bomb"(socket, q) {
    const enc = q.get("enc") ?? "gzip";
    const body = compressedBombs()[enc];
    socket.write(head(`HTTP/1.1 ${q.get("status") ?? 200} OK`, [["content-type", "application/json"], ["content-encoding", enc], ["content-length", body.length]]));
    await stream(socket, body.length, body);
  },

  // A well-formed gzip body that inflates to the 200 JSON value.
  async "gzip-ok"(socket) {
    const body = zlib.gzipSync(Buffer.from(OK_JSON));
    socket.write(Buffer.concat([head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["content-encoding", "gzip"], ["content-length", body.length]]), body]));
    return "keep";
  },

  // `content-encoding: gzip` over bytes that are not gzip.
  async "gzip-corrupt"(socket) {
    const body = Buffer.from("this is not gzip at all");
    socket.write(Buffer.concat([head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["content-encoding", "gzip"], ["content-length", body.length]]), body]));
  },

  // Chunked body whose second chunk is cut off in the middle; the
  // connection is then destroyed.
  async "cut-chunk"(socket) {
    socket.write(head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["transfer-encoding", "chunked"]]));
    socket.write('b\r\n{"message":\r\n40\r\n"Token refr');
    await sleep(20);
    socket.destroy();
  },

  // One byte every `every` ms (default 100): of the body (`where=body`,
  // after a complete head) or of the whole response (`where=head`).
  async drip(socket, q) {
    const every = Number(q.get("every") ?? 100);
    const body = Buffer.from(OK_JSON);
    let bytes;
    if (q.get("where") === "head") {
      bytes = Buffer.concat([head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["content-length", body.length]]), body]);
    } else {
      socket.write(head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["content-length", body.length]]));
      bytes = body;
    }
    for (const byte of bytes) {
      if (socket.destroyed) return;
      socket.write(Buffer.from([byte]));
      await sleep(every);
    }
  },

  // A named body from PAYLOADS with `status` (200) and `ct` (application/json).
  async body(socket, q) {
    const body = PAYLOADS[q.get("payload")]();
    const headers = [["content-length", body.length]];
    if (q.get("ct") !== "none") headers.unshift(["content-type", q.get("ct") ?? "application/json"]);
    socket.write(Buffer.concat([head(`HTTP/1.1 ${q.get("status") ?? 200} X`, headers), body]));
    return "keep";
  },

  // Content-Length `declared` with `actual` bytes of body; then the
  // connection is closed (`then=close`) or left open (`then=hang`).
  async "length-mismatch"(socket, q) {
    const declared = Number(q.get("declared"));
    const actual = Number(q.get("actual"));
    const body = Buffer.from(OK_JSON.padEnd(actual, " ").slice(0, actual));
    socket.write(Buffer.concat([head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["content-length", declared]]), body]));
    if (q.get("then") === "hang") return "hang";
    if (q.get("then") === "keep") return "keep";
  },

  // 100, 102 and 103 informational responses, then the real 200.
  async informational(socket) {
    socket.write(head("HTTP/1.1 100 Continue"));
    await sleep(10);
    socket.write(head("HTTP/1.1 102 Processing"));
    await sleep(10);
    socket.write(head("HTTP/1.1 103 Early Hints", [["link", "</style.css>; rel=preload; as=style"]]));
    await sleep(10);
    socket.write(Buffer.concat([head("HTTP/1.1 200 OK", [["content-type", "application/json"], ["content-length", OK_JSON.length]]), Buffer.from(OK_JSON)]));
    return "keep";
  },

  // A 503 with `Retry-After: <value>` (value given verbatim, latin1).
  async "retry-after"(socket, q) {
    const body = "busy";
    socket.write(Buffer.concat([head("HTTP/1.1 503 Service Unavailable", [["content-type", "text/plain"], ["retry-after", q.get("value")], ["content-length", body.length]]), Buffer.from(body)]));
    return "keep";
  },

  // Reads the request, then closes without a byte (`how=end`) or with a
  // TCP reset (`how=reset`).
  async "close-after-request"(socket, q) {
    if (q.get("how") === "reset") socket.resetAndDestroy();
    else socket.end();
  },

  // Never answers.
  async hang() {
    return "hang";
  },

  // For churn: one of 200 JSON, 500 error JSON, 503 text, a reset or no
  // answer at all, at random (equal odds), after 0–20 ms.
  async random(socket) {
    await sleep(Math.random() * 20);
    if (socket.destroyed) return;
    const pick = Math.floor(Math.random() * 5);
    if (pick === 3) return void socket.resetAndDestroy();
    if (pick === 4) return "hang";
    const [status, type, body] = [
      ["200 OK", "application/json", OK_JSON],
      ["500 Internal Server Error", "application/json", ERROR_JSON],
      ["503 Service Unavailable", "text/plain", "unavailable"],
    ][pick];
    socket.write(Buffer.concat([head(`HTTP/1.1 ${status}`, [["content-type", type], ["content-length", body.length]]), Buffer.from(body)]));
    return "keep";
  },
};

/**
 * Starts the hostile server on 127.0.0.1. `onAccept: "close" | "reset"`
 * makes it drop every connection the moment it is accepted instead.
 */
export async function startHostileServer({ onAccept } = {}) {
  const connections = [];
  const sockets = new Set();
  const hits = new Map();
  const server = net.createServer((socket) => {
    const record = { mode: undefined, openedAt: performance.now(), closedAt: undefined, bytesWritten: 0, socket };
    connections.push(record);
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => {
      record.closedAt = performance.now();
      record.bytesWritten = socket.bytesWritten;
      record.socket = undefined;
      sockets.delete(socket);
    });
    if (onAccept === "close") return void socket.destroy();
    if (onAccept === "reset") return void socket.resetAndDestroy();
    serve(socket, record);
  });

  function serve(socket, record) {
    let buffered = Buffer.alloc(0);
    let busy = false;
    const onData = async (data) => {
      buffered = Buffer.concat([buffered, data]);
      if (busy) return;
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const requestHead = buffered.subarray(0, end).toString("latin1");
      buffered = buffered.subarray(end + 4); // the client's POST has no body
      const target = requestHead.split("\r\n")[0].split(" ")[1] ?? "/";
      const url = new URL(target, "http://x");
      const mode = url.pathname.split("/")[1];
      record.mode = mode;
      const key = `${mode}?${url.searchParams}`;
      hits.set(key, [...(hits.get(key) ?? []), performance.now()]);
      busy = true;
      let next;
      try {
        const handler = MODES[mode];
        next = handler ? await handler(socket, url.searchParams) : undefined;
      } catch {
        next = undefined;
      }
      busy = false;
      if (socket.destroyed || next === "hang") return;
      if (next === "keep") {
        if (buffered.length > 0) onData(Buffer.alloc(0));
        return;
      }
      socket.end();
    };
    socket.on("data", onData);
  }

  // A deep accept queue: thousands of clients may connect at once.
  server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 });
  await once(server, "listening");
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    connections,
    /** The base URL that makes the client's request hit `mode` with `params`. */
    url(mode, params = {}) {
      const query = new URLSearchParams(params).toString();
      return `${base}/${mode}${query ? `?${query}` : ""}`;
    },
    /** Arrival times (performance.now()) of the requests for `mode` + `params`. */
    hits(mode, params = {}) {
      return hits.get(`${mode}?${new URLSearchParams(params)}`) ?? [];
    },
    /** How many connections are open right now. */
    get openConnections() {
      return sockets.size;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Runs the hostile server in a child process, so that its own buffers do not
 * count in this process's memory (for RSS checks). Same `url()` as above.
 */
export async function startHostileServerProcess() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let text = "";
  for await (const data of child.stdout) {
    text += data;
    if (text.includes("\n")) break;
  }
  const { base } = JSON.parse(text);
  return {
    base,
    url(mode, params = {}) {
      const query = new URLSearchParams(params).toString();
      return `${base}/${mode}${query ? `?${query}` : ""}`;
    },
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

// `node hostile-server.mjs --serve`: serve until stdin closes.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--serve") {
  const server = await startHostileServer();
  compressedBombs();
  process.stdout.write(`${JSON.stringify({ base: server.base })}\n`);
  process.stdin.resume();
  process.stdin.on("end", async () => {
    await server.close();
    process.exit(0);
  });
}
