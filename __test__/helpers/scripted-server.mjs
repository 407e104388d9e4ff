// Loopback HTTP servers that script each response, for the retry, time-limit,
// cancellation and lifecycle specs. Every server records when each request
// arrived (performance.now()), so specs can measure the gaps between attempts
// as the server saw them, and which sockets have closed.

import http from "node:http";
import net from "node:net";
import { once } from "node:events";
import { performance } from "node:perf_hooks";

/**
 * Starts a server on 127.0.0.1 that hands request number `n` (from 0) to
 * `script(req, res, n)`. A script that never answers leaves the request
 * hanging until the client gives up or the server is closed.
 */
export async function startServer(script, port = 0) {
  const hits = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const hit = { at: performance.now(), req, res, socket: req.socket };
    hits.push(hit);
    for (const w of waiters.splice(0)) w();
    script(req, res, hits.length - 1);
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    server,
    hits,
    get count() {
      return hits.length;
    },
    /** Milliseconds between consecutive request arrivals. */
    gaps() {
      return hits.slice(1).map((h, i) => h.at - hits[i].at);
    },
    /** Resolves once at least `n` requests have arrived (rejects after `ms`). */
    async waitForHits(n, ms = 5000) {
      const deadline = performance.now() + ms;
      while (hits.length < n) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`expected ${n} requests, got ${hits.length}`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return hits[n - 1];
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Answers with `status`, JSON `body` (an object, or a string sent as is) and extra headers. */
export function reply(res, status, body = "", headers = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain" : "application/json";
  res.writeHead(status, { "content-type": type, ...headers });
  res.end(text);
}

export const OK_BODY = { message: "Token refresh triggered successfully", status: "success" };
export const ERROR_BODY = {
  error: { code: 500, message: "token service down", type: "internal_error" },
};

/** A script: `failures` answers of `status` (with `headers`), then 200 JSON. */
export function failThenSucceed(failures, status = 503, headers = {}) {
  return (req, res, n) => {
    if (n < failures) reply(res, status, "unavailable", headers);
    else reply(res, 200, OK_BODY);
  };
}

/** A script that never answers. */
export function hang() {}

/** A loopback port with nothing listening on it (free at the time of the call). */
export async function freePort() {
  const probe = net.createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Awaits `call` (a promise, or a function that starts the call and returns
 * its promise) and reports how it settled and how long after `start` it did,
 * in milliseconds. `start` defaults to now, which for a function is before
 * the call starts; pass a function wherever the elapsed time is asserted.
 */
export async function settle(call, start = performance.now()) {
  try {
    const value = await (typeof call === "function" ? call() : call);
    return { ok: true, value, elapsed: performance.now() - start };
  } catch (error) {
    return { ok: false, error, elapsed: performance.now() - start };
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `socket` closes; rejects after `ms`. */
export function closed(socket, ms = 2000) {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the socket stayed open")), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
