// The download mode (`GET /api/sessions/{id}/files/bytes-<n>`,
// application/octet-stream): how fast a client delivers a large binary
// body to a `for await` loop over its chunks, with its RSS along the way.
// The server sends `n` bytes of one 1 MiB pseudo-random block repeated,
// with `content-length`; see benchmark/server/src/files.rs.
//
// Each client gives an `open(filename)` resolving to an async iterable of
// Uint8Array chunks; everything below is shared, so both clients run the
// same loop and do the same (minimal) work per chunk.

import { equal } from "node:assert/strict";

/** The session id in the file route; the server ignores it. */
export const FILE_SESSION = "bench";
export const FILE_PATH = (filename) =>
  `/api/sessions/${FILE_SESSION}/files/${encodeURIComponent(filename)}`;

/** The server's block: its size and seed (benchmark/server/src/files.rs). */
const BLOCK_BYTES = 1024 * 1024;
const SEED = 0x5eed_2025_0002n;

/** The checked download: two blocks and a bit, so the pattern wraps mid-way. */
const CHECK_BYTES = 2 * BLOCK_BYTES + 12_345;

const filename = (bytes) => `bytes-${bytes}`;

/** The server's block, regenerated: SplitMix64 values, little-endian. */
function serverBlock() {
  const M = (1n << 64n) - 1n;
  const block = new Uint8Array(BLOCK_BYTES);
  const view = new DataView(block.buffer);
  let state = SEED;
  for (let i = 0; i < BLOCK_BYTES; i += 8) {
    state = (state + 0x9e37_79b9_7f4a_7c15n) & M;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58_476d_1ce4_e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d0_49bb_1331_11ebn) & M;
    view.setBigUint64(i, z ^ (z >> 31n), true);
  }
  return block;
}

/**
 * Nothing is timed until one download is known to arrive intact: every
 * chunk a Uint8Array, and byte `i` equal to the server's `block[i % 1 MiB]`.
 */
export async function checkDownload(open) {
  const block = serverBlock();
  let offset = 0;
  for await (const chunk of await open(filename(CHECK_BYTES))) {
    if (!(chunk instanceof Uint8Array)) throw new Error(`a chunk is not a Uint8Array: ${typeof chunk}`);
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== block[(offset + i) % BLOCK_BYTES]) {
        throw new Error(`byte ${offset + i} of the checked download differs from what the server sent`);
      }
    }
    offset += chunk.length;
  }
  equal(offset, CHECK_BYTES, "checked download length");
}

/**
 * The measured loop, also run for the warm-up so it is the same optimised
 * function both times. Per chunk it adds the length and folds the chunk's
 * first byte into a checksum (so the bytes are really there), nothing
 * else. RSS is read at the first chunk and each time another `mark` bytes
 * have arrived (`memoryUsage.rss()` is one system call).
 */
async function consume(stream, mark) {
  let bytes = 0;
  let chunks = 0;
  let checksum = 0;
  let rssStart = 0;
  let rssMax = 0;
  let nextMark = mark;
  for await (const chunk of stream) {
    if (chunks === 0) rssStart = rssMax = process.memoryUsage.rss();
    chunks++;
    bytes += chunk.length;
    checksum = (checksum + chunk[0]) | 0;
    if (bytes >= nextMark) {
      rssMax = Math.max(rssMax, process.memoryUsage.rss());
      nextMark += mark;
    }
  }
  return { bytes, chunks, checksum, rssStart, rssMax };
}

/**
 * A `bytes`-byte file as fast as the server can write it, timed from the
 * call that starts the download to the end of the loop, after an untimed
 * `warmupBytes` download; RSS at the loop's first chunk, its highest
 * sample during the loop, and right after it.
 */
async function download(open, { warmupBytes, bytes, markBytes }) {
  const warm = await consume(await open(filename(warmupBytes)), markBytes);
  equal(warm.bytes, warmupBytes, "warm-up download length");
  const start = performance.now();
  const run = await consume(await open(filename(bytes)), markBytes);
  const seconds = (performance.now() - start) / 1e3;
  const rssEnd = process.memoryUsage.rss();
  equal(run.bytes, bytes, "download length");
  const mb = (n) => n / 2 ** 20;
  return {
    bytes: run.bytes,
    chunks: run.chunks,
    meanChunkKB: run.bytes / run.chunks / 1024,
    checksum: run.checksum,
    seconds,
    mbPerSec: mb(run.bytes) / seconds,
    rssStartMB: mb(run.rssStart),
    rssEndMB: mb(rssEnd),
    rssGrowthMB: mb(rssEnd - run.rssStart),
    rssMaxGrowthMB: mb(Math.max(run.rssMax, rssEnd) - run.rssStart),
  };
}

export const DOWNLOAD_MODES = { download };
