// A smoke subset of the specs for other runtimes (Bun, Deno), run by
// scripts/package-test.mjs in a project that installed the packed package;
// plain `node:http` servers on loopback, no test framework (each runtime
// has its own). Prints "smoke: ok (<n> checks)" or exits 1 naming the check
// that failed.
//
//   bun smoke.mjs | deno run --allow-net --allow-read --allow-ffi smoke.mjs
import http from "node:http";
import { Mix } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { sessionsGet } from "mix-typescript-sdk/funcs/sessionsGet.js";
import * as errors from "mix-typescript-sdk/models/errors";

let checks = 0;
function check(ok, what) {
  if (!ok) {
    console.error(`smoke: failed: ${what}`);
    process.exit(1);
  }
  checks++;
}

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

const SESSION = {
  id: "s1",
  title: "t",
  createdAt: "2025-01-02T08:00:00Z",
  sessionType: "main",
  assistantMessageCount: 0,
  userMessageCount: 0,
  toolCallCount: 0,
  promptTokens: 0,
  completionTokens: 0,
  cost: 0,
  firstUserMessage: "",
};

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const json = (status, value) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  if (url.pathname === "/api/sessions/s1") return json(200, SESSION);
  if (url.pathname === "/api/sessions/missing") return json(404, { error: { code: 404, message: "no such session", type: "not_found" } });
  if (url.pathname === "/api/sessions/slow") return; // never answers
  if (url.pathname === "/api/sessions/s1/files/upload") {
    const boundary = /boundary=(.+)$/.exec(req.headers["content-type"])[1];
    const ok = body.toString("latin1").startsWith(`--${boundary}\r\n`) && body.toString("latin1").endsWith(`\r\n--${boundary}--\r\n`);
    return json(ok ? 201 : 400, { isDir: false, modified: 1, name: "f", size: body.length, url: "/f" });
  }
  if (url.pathname === "/api/sessions/s1/files/big.bin") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    return res.end(Buffer.alloc(3 * 1024 * 1024, 7));
  }
  if (url.pathname === "/stream") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write('id: 1\nevent: content\ndata: {"type":"content","content":"Hel"}\n\n');
    res.write("event: novel\ndata: {}\n\n");
    res.write('id: 2\nevent: content\ndata: {"type":"content","content":"lo"}\n\n');
    return res.end('id: 3\nevent: complete\ndata: {"type":"complete","done":true}\n\n');
  }
  json(404, { error: { code: 404, message: "no route", type: "not_found" } });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const serverURL = `http://127.0.0.1:${server.address().port}`;
const mix = new Mix({ serverURL, retryConfig: { strategy: "none" } });

// A value, decoded (a date-time becomes a Date).
const session = await mix.sessions.get({ id: "s1" });
check(session.id === "s1" && session.createdAt instanceof Date, "sessions.get value");

// A documented error status, and the standalone function's Result.
const missing = await mix.sessions.get({ id: "missing" }).catch((e) => e);
check(missing instanceof errors.ErrorResponse && missing.statusCode === 404, "404 is ErrorResponse");
const result = await sessionsGet(new MixCore({ serverURL }), { id: "missing" });
check(result.ok === false && result.error instanceof errors.ErrorResponse, "standalone Result");

// Bad input, time limit, abort.
const invalid = await mix.sessions.get({}).catch((e) => e);
check(invalid instanceof errors.SDKValidationError, "SDKValidationError");
const timedOut = await mix.sessions.get({ id: "slow" }, { timeoutMs: 100 }).catch((e) => e);
check(timedOut instanceof errors.RequestTimeoutError, "RequestTimeoutError");
const controller = new AbortController();
const aborted = mix.sessions.get({ id: "slow" }, { signal: controller.signal }).catch((e) => e);
setTimeout(() => controller.abort("stop"), 50);
check((await aborted) instanceof errors.RequestAbortedError, "RequestAbortedError");

// An event stream (an unknown event skipped).
const { result: events } = await mix.streaming.streamEvents({ sessionId: "s1" });
let text = "";
for await (const event of events) {
  if (event.event === "content") text += event.data.content;
  if (event.event === "complete") break;
}
check(text === "Hello", "event stream");

// Uploads (a Blob, bytes, a stream) and a download.
for (const file of [
  new Blob(["hello"]),
  { fileName: "a.json", content: new TextEncoder().encode("{}") },
  { fileName: "s.txt", content: new Blob(["streamed"]).stream() },
]) {
  const info = await mix.files.upload({ id: "s1", requestBody: { file } });
  check(info.size > 0, "upload");
}
let downloaded = 0;
for await (const chunk of await mix.files.get({ id: "s1", filename: "big.bin" })) downloaded += chunk.length;
check(downloaded === 3 * 1024 * 1024, "download");

server.close();
await new Promise((resolve) => setTimeout(resolve, 50));
check(unhandled.length === 0, `no unhandled rejection (${unhandled.map(String).join(", ")})`);
console.log(`smoke: ok (${checks} checks)`);
process.exit(0);
