// Benchmark sizes and environment knobs, in one place.
//
//   BENCH_QUICK=1        smoke run (small counts, short durations, 2 rounds)
//   BENCH_ROUNDS=n       rounds of alternating client runs (default 5)
//   BENCH_CLIENTS=a,b    subset of mix,undici,fetch,rust
//   BENCH_PIN_CLIENTS=1  also pin clients to the cores the server leaves free
//   BENCH_MODES=a,b      subset of the measurements (MODES below); default all

const env = process.env;
const MiB = 2 ** 20;

const ALL_CLIENTS = ["mix", "undici", "fetch", "rust"];
const MODES = ["latency", "throughput", "memory", "list", "streamThroughput", "streamLatency", "download", "upload", "startup"];

function count(name, fallback) {
  if (env[name] === undefined || env[name] === "") return fallback;
  const n = Number(env[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
}

function clientList() {
  if (!env.BENCH_CLIENTS) return ALL_CLIENTS;
  const wanted = env.BENCH_CLIENTS.split(",").map((s) => s.trim());
  const unknown = wanted.filter((c) => !ALL_CLIENTS.includes(c));
  if (unknown.length) throw new Error(`unknown BENCH_CLIENTS: ${unknown.join(", ")}`);
  return ALL_CLIENTS.filter((c) => wanted.includes(c));
}

function modeList() {
  if (!env.BENCH_MODES) return MODES;
  const wanted = env.BENCH_MODES.split(",").map((s) => s.trim());
  const unknown = wanted.filter((m) => !MODES.includes(m));
  if (unknown.length) throw new Error(`unknown BENCH_MODES: ${unknown.join(", ")} (known: ${MODES.join(", ")})`);
  return MODES.filter((m) => wanted.includes(m));
}

/** Reads the environment; throws a plain message on a bad knob. */
export function loadConfig() {
  const quick = env.BENCH_QUICK === "1";
  const clients = clientList();
  return {
    quick,
    // Five rounds: on a noisy VM one client's throughput moves by a quarter
    // from round to round, and a median of three was not stable enough.
    rounds: count("BENCH_ROUNDS", quick ? 2 : 5),
    clients,
    modes: modeList(),
    pinClients: env.BENCH_PIN_CLIENTS === "1",
    latency: { warmup: quick ? 200 : 500, calls: quick ? 1_000 : 5_000 },
    throughput: { concurrency: 64, durationMs: quick ? 1_000 : 5_000, warmup: quick ? 640 : 2_000 },
    // Memory is measured for this package and undici only: fetch is too slow
    // to make 200,000 calls cheaply, and the Rust ceiling is not in question.
    memory: {
      clients: clients.filter((c) => c === "mix" || c === "undici"),
      calls: quick ? 20_000 : 200_000,
      mark: quick ? 2_000 : 10_000,
      concurrency: 64,
    },
    // The large list (10,000 sessions, ~4 MB): this package against undici
    // + JSON.parse with no validation; 1,000 calls, memory from call 100.
    list: {
      clients: clients.filter((c) => c === "mix" || c === "undici"),
      warmup: quick ? 8 : 16,
      calls: quick ? 100 : 1_000,
      mark: quick ? 20 : 100,
      concurrency: 8,
    },
    // The event stream (GET /stream): this package's streamEvents against
    // undici + eventsource-parser + JSON.parse. Throughput: `events` events
    // written as fast as the socket takes them, after a warm-up stream as
    // long (RSS is still settling before that, see lib/stream.mjs), RSS
    // sampled every `mark` events. The server generates at most 200,000
    // (BULK_EVENTS in benchmark/server/src/events.rs).
    streamThroughput: {
      clients: clients.filter((c) => c === "mix" || c === "undici"),
      warmup: quick ? 20_000 : 200_000,
      events: quick ? 20_000 : 200_000,
      mark: quick ? 2_000 : 10_000,
    },
    // Latency of a lone event: one every `intervalMs`, `events` timed after
    // `warmup` (about 11 s per client and round at full size).
    streamLatency: {
      clients: clients.filter((c) => c === "mix" || c === "undici"),
      warmup: quick ? 20 : 50,
      events: quick ? 100 : 500,
      intervalMs: 20,
    },
    // A binary download (GET /api/sessions/{id}/files/bytes-<n>): this
    // package's files.get against undici's request(), each looping over the
    // body's chunks. `bytes` timed after an untimed `warmupBytes` download,
    // RSS sampled every `markBytes` (lib/download.mjs).
    download: {
      clients: clients.filter((c) => c === "mix" || c === "undici"),
      warmupBytes: quick ? 16 * MiB : 64 * MiB,
      bytes: quick ? 64 * MiB : 1024 * MiB,
      markBytes: quick ? 8 * MiB : 64 * MiB,
    },
    // An upload from disk (POST /api/sessions/{id}/files/upload): this
    // package's files.upload of an fs.openAsBlob Blob against undici's
    // request() with a createReadStream body. `bytes` timed after an untimed
    // `warmupBytes` upload (lib/upload.mjs); the runner writes both files.
    upload: {
      clients: clients.filter((c) => c === "mix" || c === "undici"),
      warmupBytes: quick ? 16 * MiB : 64 * MiB,
      bytes: quick ? 64 * MiB : 1024 * MiB,
    },
    startup: { runs: quick ? 5 : 40 },
  };
}
