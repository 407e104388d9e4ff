// The README's demo: serves openapi.yaml with the Prism mock behind port
// 8088, runs the documentation's two examples unchanged and one short
// example per namespace against it, prints their output and stops Prism.
// Prism cannot mock an event stream, so `GET /stream` is answered here with
// a short scripted session; everything else is passed on to Prism. Exits
// non-zero if 8088 is taken or a step fails.
//
//   node scripts/demo.mjs [--dir <folder> <example>…]
//
// With --dir, runs the examples named (paths in <folder>) with <folder> as
// the working directory instead: the package test (scripts/package-test.mjs)
// runs them in a project that installed the packed package, with Node and,
// through MIX_DEMO_RUNNER (a JSON array: a command and its first
// arguments), with Bun and Deno.
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const PORT = 8088;
const dirFlag = process.argv.indexOf("--dir");
const cwd = dirFlag === -1 ? root : path.resolve(process.argv[dirFlag + 1]);
const runner = process.env.MIX_DEMO_RUNNER ? JSON.parse(process.env.MIX_DEMO_RUNNER) : [process.execPath];
const NAMESPACES = ["authentication", "system", "messages", "permissions", "preferences", "sessions", "files", "tools", "health", "streaming"];
const examples =
  dirFlag !== -1
    ? process.argv.slice(dirFlag + 2)
    : [
        "examples/refreshOAuthTokens.mjs",
        "examples/authenticationRefreshOAuthTokens.mjs",
        ...NAMESPACES.map((ns) => `examples/${ns}.mjs`),
      ];

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

function run(file) {
  return new Promise((resolve) => {
    const [command, ...args] = runner;
    const child = spawn(command, [...args, file], { cwd, stdio: "inherit" });
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

if (!(await portIsFree(PORT))) {
  console.error(`demo: port ${PORT} is already in use; stop whatever listens there and try again.`);
  process.exit(1);
}

/** A port nothing listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A session as the Mix server streams it while a model answers. */
const SESSION_EVENTS = [
  ["connected", { sessionId: "ses_example" }],
  ["thinking", { type: "thinking", content: "Reading the changes…" }],
  ["content", { type: "content", content: "Three fixes " }],
  ["content", { type: "content", content: "and one new option.\n" }],
  ["complete", { type: "complete", done: true }],
];

function streamSession(res) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  SESSION_EVENTS.forEach(([event, data], i) => {
    setTimeout(() => res.write(`id: ${i + 1}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`), 20 * i);
  });
  // The example stops at `complete`; the server would keep the stream open.
}

const prismPort = await freePort();
const front = http.createServer((req, res) => {
  if (req.method === "GET" && new URL(req.url, "http://x").pathname === "/stream") return streamSession(res);
  const forward = http.request({ host: "127.0.0.1", port: prismPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  forward.on("error", () => res.destroy());
  req.pipe(forward);
});
await new Promise((resolve) => front.listen(PORT, "127.0.0.1", resolve));

const prismBin = path.join(root, "node_modules", ".bin", "prism");
const prism = spawn(prismBin, ["mock", "--host", "127.0.0.1", "--port", String(prismPort), "openapi.yaml"], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
});
let prismLog = "";
prism.stdout.on("data", (d) => (prismLog += d));
prism.stderr.on("data", (d) => (prismLog += d));
const prismExited = new Promise((resolve) => prism.on("exit", resolve));

let status = 0;
try {
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(prismPort))) {
    if (prism.exitCode !== null || Date.now() > deadline) {
      throw new Error(`Prism did not start:\n${prismLog}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const example of examples) {
    console.log(`\n$ ${runner.length > 1 || runner[0] !== process.execPath ? path.basename(runner[0]) : "node"} ${example}`);
    const code = await run(example);
    if (code !== 0) status = code;
  }
} catch (err) {
  console.error(`demo: ${err.message}`);
  status = 1;
} finally {
  prism.kill("SIGTERM");
  await prismExited;
  front.closeAllConnections();
  front.close();
}
process.exit(status);
