// Shared driver for the JS client scripts: flags, correctness check, the
// timed modes, and the one JSON line of output. Each client script only says
// how to make one call. Field names match benchmark/rust-client.

import { deepStrictEqual } from "node:assert/strict";
import { parseArgs } from "node:util";

import { mean, percentile } from "./stats.mjs";
import { checkDownload, DOWNLOAD_MODES, FILE_PATH } from "./download.mjs";
import { checkStream, STREAM_MODES, STREAM_PATH } from "./stream.mjs";
import { checkUpload, UPLOAD_MODES, UPLOAD_PATH } from "./upload.mjs";

export const PATH = "/internal/auth/refresh-tokens";
/** The large-list case: `GET /api/sessions` answers this many sessions. */
export const LIST_PATH = "/api/sessions";
export const LIST_SESSIONS = 10_000;
export const EXPECTED = Object.freeze({
  message: "Token refresh triggered successfully",
  status: "success",
});

const FLAGS = {
  server: { type: "string" },
  mode: { type: "string" },
  warmup: { type: "string", default: "500" },
  calls: { type: "string", default: "5000" },
  concurrency: { type: "string", default: "64" },
  "duration-ms": { type: "string", default: "5000" },
  mark: { type: "string", default: "10000" },
  events: { type: "string", default: "200000" },
  "interval-ms": { type: "string", default: "20" },
  bytes: { type: "string", default: String(2 ** 30) },
  "warmup-bytes": { type: "string", default: String(64 * 2 ** 20) },
  "mark-bytes": { type: "string", default: String(64 * 2 ** 20) },
};

/**
 * Runs one client end to end and exits the process.
 * @param {string} name client name echoed in the output
 * @param {(opts: {serverURL: string, url: string, listURL: string,
 *   streamURL: (sessionId: string) => string,
 *   fileURL: (filename: string) => string, concurrency: number,
 *   uploadURL: string, mode: string, stream: boolean, download: boolean,
 *   upload: boolean}) => Promise<Function>}
 *   setup returns the call to time (in `list` mode: the large-list call);
 *   in the stream modes (`stream` true), a function opening the event
 *   stream for a session id and resolving to an async iterable of
 *   `{ event, id, data }` with `data` decoded; in the download mode
 *   (`download` true), a function starting the download of a file name
 *   (session id `FILE_SESSION`) and resolving to an async iterable of its
 *   Uint8Array chunks; in the upload mode (`upload` true), a function
 *   sending the file at a path and resolving to the byte count the server
 *   reports
 */
export async function runClient(name, setup) {
  try {
    const opts = readFlags();
    const call = await setup(opts);
    await CHECKS[opts.mode](call, opts);
    const results = await MODES[opts.mode](call, opts);
    // stdout to a pipe is synchronous on Linux, so exiting right after is safe.
    process.stdout.write(`${JSON.stringify({ client: name, mode: opts.mode, results })}\n`);
    // Exit explicitly: keep-alive sockets or a native runtime must not
    // keep the process (and so the runner) waiting.
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${name} client failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  }
}

function readFlags() {
  const { values } = parseArgs({ args: process.argv.slice(2), options: FLAGS });
  if (!values.server) throw new Error("--server http://host:port is required");
  if (!(values.mode in MODES)) {
    throw new Error(`--mode must be one of ${Object.keys(MODES).join(", ")}`);
  }
  const int = (flag) => {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} needs a whole number`);
    return n;
  };
  return {
    serverURL: values.server,
    url: new URL(PATH, values.server).href,
    listURL: new URL(LIST_PATH, values.server).href,
    streamURL: (sessionId) =>
      new URL(`${STREAM_PATH}?sessionId=${encodeURIComponent(sessionId)}`, values.server).href,
    fileURL: (filename) => new URL(FILE_PATH(filename), values.server).href,
    uploadURL: new URL(UPLOAD_PATH, values.server).href,
    mode: values.mode,
    stream: values.mode in STREAM_MODES,
    download: values.mode in DOWNLOAD_MODES,
    upload: values.mode in UPLOAD_MODES,
    warmup: int("warmup"),
    calls: int("calls"),
    concurrency: Math.max(1, int("concurrency")),
    durationMs: int("duration-ms"),
    mark: int("mark"),
    events: int("events"),
    intervalMs: int("interval-ms"),
    bytes: int("bytes"),
    warmupBytes: int("warmup-bytes"),
    markBytes: Math.max(1, int("mark-bytes")),
  };
}

/** Nothing is timed until one call is known to return the right value. */
async function check(call) {
  const value = await call();
  // Spread so a class instance compares by its fields, not its prototype.
  deepStrictEqual({ ...value }, EXPECTED, "unexpected response value");
}

async function checkList(call) {
  const value = await call();
  if (!Array.isArray(value) || value.length !== LIST_SESSIONS || value[1].id !== "session-1") {
    throw new Error("unexpected large-list value");
  }
}

const MODES = { latency, throughput, memory, list, ...STREAM_MODES, ...DOWNLOAD_MODES, ...UPLOAD_MODES };
const CHECKS = {
  latency: check,
  throughput: check,
  memory: check,
  list: checkList,
  ...Object.fromEntries(Object.keys(STREAM_MODES).map((mode) => [mode, checkStream])),
  ...Object.fromEntries(Object.keys(DOWNLOAD_MODES).map((mode) => [mode, checkDownload])),
  ...Object.fromEntries(Object.keys(UPLOAD_MODES).map((mode) => [mode, checkUpload])),
};

/**
 * The large list: `calls` calls, `concurrency` in flight; calls per second,
 * and RSS growth from the `mark`-th call to the end (memory must stay flat).
 */
async function list(call, { warmup, calls, mark, concurrency }) {
  if (typeof globalThis.gc !== "function") throw new Error("list mode needs node --expose-gc");
  await inFlight(call, concurrency, { calls: warmup });
  const start = performance.now();
  await inFlight(call, concurrency, { calls: Math.min(mark, calls) });
  const atMark = await settledMemory();
  await inFlight(call, concurrency, { calls: Math.max(calls - mark, 0) });
  const seconds = (performance.now() - start) / 1e3;
  const end = await settledMemory();
  const mb = (bytes) => bytes / 2 ** 20;
  return {
    calls,
    concurrency,
    callsPerSec: calls / seconds,
    rssAtMarkMB: mb(atMark.rss),
    rssEndMB: mb(end.rss),
    rssGrowthMB: mb(end.rss - atMark.rss),
  };
}

/** Sequential calls; percentiles of per-call wall time in microseconds. */
async function latency(call, { warmup, calls }) {
  for (let i = 0; i < warmup; i++) await call();
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await call();
    samples[i] = (performance.now() - start) * 1e3;
  }
  samples.sort();
  return {
    calls,
    p50Us: percentile(samples, 0.5),
    p99Us: percentile(samples, 0.99),
    meanUs: mean(samples),
  };
}

/** `concurrency` calls kept in flight until the deadline; calls per second. */
async function throughput(call, { warmup, concurrency, durationMs }) {
  // Warm-up at full width so every pooled connection is already open.
  await inFlight(call, concurrency, { calls: Math.max(warmup, concurrency) });
  const start = performance.now();
  const calls = await inFlight(call, concurrency, { until: start + durationMs });
  const seconds = (performance.now() - start) / 1e3;
  return { concurrency, calls, seconds, callsPerSec: calls / seconds };
}

/** RSS after `calls` calls, and its growth since the `mark`-th call. */
async function memory(call, { calls, mark, concurrency }) {
  if (typeof globalThis.gc !== "function") throw new Error("memory mode needs node --expose-gc");
  const start = await settledMemory();
  await inFlight(call, concurrency, { calls: Math.min(mark, calls) });
  const atMark = await settledMemory();
  await inFlight(call, concurrency, { calls: Math.max(calls - mark, 0) });
  const end = await settledMemory();
  const mb = (bytes) => bytes / 2 ** 20;
  return {
    calls,
    mark,
    concurrency,
    rssStartMB: mb(start.rss),
    rssAtMarkMB: mb(atMark.rss),
    rssEndMB: mb(end.rss),
    rssGrowthMB: mb(end.rss - atMark.rss),
    heapUsedEndMB: mb(end.heapUsed),
    externalEndMB: mb(end.external),
  };
}

/**
 * Collects garbage a few times, yielding in between so finalizers (and the
 * native frees they trigger) run before RSS is read.
 */
async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

/**
 * Runs `concurrency` workers, each awaiting one call at a time, until either
 * `stop.calls` calls have started or the clock passes `stop.until`.
 * Returns the number of calls completed.
 */
async function inFlight(call, concurrency, stop) {
  let started = 0;
  let done = 0;
  const more =
    stop.calls !== undefined ? () => started++ < stop.calls : () => performance.now() < stop.until;
  const worker = async () => {
    while (more()) {
      await call();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}
