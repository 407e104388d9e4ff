// An HTTP proxy on loopback for the proxy specs: forwards absolute-form
// requests and tunnels CONNECT, or refuses (403) or drops everything, with
// optional Basic proxy authentication. It records every request and CONNECT
// it receives, and closes its sockets, client and upstream, when the test ends.

import http from "node:http";
import net from "node:net";
import { once } from "node:events";

// Headers for this hop only, not passed on in either direction.
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-authorization", "proxy-connection", "transfer-encoding"];

/**
 * Starts a proxy on 127.0.0.1. `auth` ("user:pass") makes it answer 407 to
 * whatever lacks `proxy-authorization: Basic base64(user:pass)`. `mode` is
 * "forward" (pass requests on, tunnel CONNECT), "refuse" (403 to everything)
 * or "drop" (destroy the connection at its first request or CONNECT).
 * Every arrival is recorded, in any mode and authorised or not: requests as
 * `{ method, url, headers }` (url in the absolute form the client sent) and
 * CONNECTs as `{ authority, headers }`.
 * Returns `{ url, requests, connects, server }`.
 */
export async function startProxy(t, { auth, mode = "forward" } = {}) {
  if (!["forward", "refuse", "drop"].includes(mode)) throw new TypeError(`unknown proxy mode ${mode}`);
  const requests = [];
  const connects = [];
  const sockets = new Set();
  const track = (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };
  const authorised = (headers) =>
    auth === undefined || headers["proxy-authorization"] === `Basic ${Buffer.from(auth).toString("base64")}`;

  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    if (mode === "drop") return req.socket.destroy();
    if (!authorised(req.headers)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"', "content-length": 0 });
      return res.end();
    }
    if (mode === "refuse") return res.writeHead(403, { "content-length": 0 }).end();
    forward(req, res, track);
  });
  server.on("connection", track);
  server.on("connect", (req, socket, head) => {
    connects.push({ authority: req.url, headers: req.headers });
    if (mode === "drop") return socket.destroy();
    if (!authorised(req.headers)) {
      return socket.end(
        "HTTP/1.1 407 Proxy Authentication Required\r\n" +
          'proxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n',
      );
    }
    if (mode === "refuse") return socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    tunnel(req.url, socket, head, track);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}`, requests, connects, server };
}

// Sends an absolute-form request on to its target and pipes the answer back;
// 400 for a request not in absolute http: form, 502 when the target can't be reached.
function forward(req, res, track) {
  const target = URL.canParse(req.url) ? new URL(req.url) : undefined;
  if (target?.protocol !== "http:") return res.writeHead(400, { "content-length": 0 }).end();
  const upstream = http.request(
    {
      host: unbracket(target.hostname),
      port: target.port || 80,
      method: req.method,
      path: target.pathname + target.search,
      headers: endToEnd(req.headers),
      agent: false,
    },
    (answer) => {
      res.writeHead(answer.statusCode, answer.statusMessage, endToEnd(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.on("socket", track);
  upstream.on("error", () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502, { "content-length": 0 }).end();
  });
  req.on("error", () => upstream.destroy());
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
}

// Opens TCP to `authority` (host:port), answers 200 and pipes both ways;
// 400 for an authority without a port, 502 when the target can't be reached.
function tunnel(authority, socket, head, track) {
  const colon = authority.lastIndexOf(":");
  const port = Number(authority.slice(colon + 1));
  if (colon < 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
    return socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
  }
  const upstream = net.connect({ host: unbracket(authority.slice(0, colon)), port });
  track(upstream);
  let established = false;
  upstream.on("connect", () => {
    established = true;
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on("error", () => {
    if (!established) socket.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
  });
  upstream.on("close", () => {
    if (established) socket.destroy();
  });
  socket.on("close", () => upstream.destroy());
}

function endToEnd(headers) {
  const kept = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
}

// URL keeps the brackets of an IPv6 literal; sockets want the bare address.
function unbracket(hostname) {
  return hostname.replace(/^\[(.*)\]$/, "$1");
}
