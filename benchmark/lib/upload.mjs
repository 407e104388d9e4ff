// The upload mode (`POST /api/sessions/{id}/files/upload`): how fast a
// client sends a file from disk, with its RSS along the way. The server
// reads each body to its end and answers with the number of bytes it got
// (benchmark/server/src/files.rs).
//
// Both clients send the same file from the page cache: this package a
// `fs.openAsBlob` Blob as `multipart/form-data` (its framing adds some 200
// bytes), undici `request()` with a `fs.createReadStream` body, as each
// one's users would. Each client gives a `send(path)` resolving to the
// byte count the server reports.

import { equal, ok } from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const UPLOAD_PATH = "/api/sessions/bench/files/upload";

/** The file of `bytes` bytes the clients send (made by `prepareUploads`). */
export const uploadFile = (bytes) => path.join(tmpdir(), `mix-bench-upload-${bytes}.bin`);

/** Writes the files of these sizes (random 1 MiB blocks) unless they exist. */
export function prepareUploads(sizes) {
  for (const bytes of sizes) {
    const file = uploadFile(bytes);
    try {
      if (statSync(file).size === bytes) continue;
    } catch {
      // not there yet
    }
    const fd = openSync(file, "w");
    try {
      const block = randomBytes(2 ** 20);
      for (let written = 0; written < bytes; ) {
        written += writeSync(fd, block, 0, Math.min(block.length, bytes - written));
      }
    } finally {
      closeSync(fd);
    }
  }
}

export function removeUploads(sizes) {
  for (const bytes of sizes) rmSync(uploadFile(bytes), { force: true });
}

/** The server counted the whole file (plus at most a multipart framing). */
function received(count, bytes) {
  ok(count >= bytes && count < bytes + 1024, `the server received ${count} bytes of a ${bytes}-byte file`);
}

/** Nothing is timed until one upload is known to arrive whole. */
export async function checkUpload(send, { warmupBytes }) {
  received(await send(uploadFile(warmupBytes)), warmupBytes);
}

/**
 * The `bytes`-byte file, timed from the call to its answer, after an
 * untimed `warmupBytes` upload; RSS before, sampled every 20 ms during
 * (the same timer for both clients), and after.
 */
async function upload(send, { warmupBytes, bytes }) {
  received(await send(uploadFile(warmupBytes)), warmupBytes);
  const rssStart = process.memoryUsage.rss();
  let rssMax = rssStart;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 20);
  const start = performance.now();
  let count;
  try {
    count = await send(uploadFile(bytes));
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - start) / 1e3;
  const rssEnd = process.memoryUsage.rss();
  received(count, bytes);
  equal(typeof count, "number");
  const mb = (n) => n / 2 ** 20;
  return {
    bytes,
    seconds,
    mbPerSec: mb(bytes) / seconds,
    rssStartMB: mb(rssStart),
    rssGrowthMB: mb(rssEnd - rssStart),
    rssMaxGrowthMB: mb(Math.max(rssMax, rssEnd) - rssStart),
  };
}

export const UPLOAD_MODES = { upload };
