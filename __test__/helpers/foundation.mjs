// Loopback servers for the foundation specs (imports, client options,
// headers and URLs, decoding, errors, the standalone function, unhandled
// rejections). Each server records every request it receives (method, URL,
// headers, body) and answers with what the test scripted; `node:net`
// servers send responses no well-behaved HTTP server would. Servers close
// themselves, keep-alive sockets included, when the test ends.

import http from "node:http";
import net from "node:net";
import { once } from "node:events";

/** Turns off the operation's default retries (it retries a 5XX for 10 minutes). */
export const NO_RETRY = Object.freeze({ strategy: "none" });

export const OK_JSON = '{"message":"Token refresh triggered successfully","status":"success"}';
export const ERROR_JSON = '{"error":{"code":500,"message":"token service down","type":"internal_error"}}';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets pending callbacks, microtasks and unhandled-rejection checks run. */
export async function eventLoopTurns(n = 3) {
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await sleep(1);
  }
}

/**
 * A `node:http` server on 127.0.0.1 that records each request and answers
 * through `respond(req, res, n)` (n counts from 0), or, when `respond` is
 * `{ status, type, body, headers }`, with that response every time.
 */
export async function recordingServer(t, respond) {
  const requests = [];
  const script = typeof respond === "function" ? respond : (req, res) => answer(res, respond);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const n = requests.length;
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      script(req, res, n);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => close(server));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, server };
}

/** Sends `{ status = 200, type, body = "", headers = {} }`; no content-type when `type` is undefined. */
export function answer(res, { status = 200, type, body = "", headers = {} } = {}) {
  const head = { ...headers };
  if (type !== undefined) head["content-type"] = type;
  res.writeHead(status, head);
  res.end(body);
}

/** A `node:net` server on 127.0.0.1 whose connections go to `onRequest(socket)` after the first request bytes. */
export async function rawServer(t, onRequest) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", () => onRequest(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}` };
}

/** Answers 200 with a Content-Length larger than what it sends, then drops the connection. */
export function cutOffBody(socket) {
  socket.write(
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n" + OK_JSON.slice(0, 20),
  );
  setTimeout(() => socket.destroy(), 20);
}

/** A loopback URL with nothing listening on it (free when this returns). */
export async function refusedURL() {
  const probe = net.createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Awaits `promise` and returns what it rejected with; fails the test if it resolved. */
export async function rejection(promise) {
  let value;
  try {
    value = await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
}

async function close(server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
