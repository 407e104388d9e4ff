// This package: one Mix instance; `internal.refreshOAuthTokens()` with
// default options (retries, time limit and decoding all run in Rust), or,
// in list mode, `sessions.list()` (decoded and validated in Rust), or, in
// the stream modes, `streaming.streamEvents()`, whose `result` is an async
// iterable of events decoded and validated in Rust, or, in the download
// mode, `files.get()`, whose value is a ReadableStream<Uint8Array> read from
// the connection in Rust, or, in the upload mode, `files.upload()` of a
// `fs.openAsBlob` Blob, read as the connection sends it.

import { openAsBlob } from "node:fs";

import { FILE_SESSION } from "../lib/download.mjs";
import { runClient } from "../lib/harness.mjs";
import { loadMix } from "../lib/mix-entry.mjs";

await runClient("mix", async ({ serverURL, mode, stream, download, upload }) => {
  const Mix = await loadMix();
  const mix = new Mix({ serverURL });
  if (stream) return async (sessionId) => (await mix.streaming.streamEvents({ sessionId })).result;
  if (download) return (filename) => mix.files.get({ id: FILE_SESSION, filename });
  if (upload) {
    return async (file) =>
      (await mix.files.upload({ id: FILE_SESSION, requestBody: { file: await openAsBlob(file) } })).size;
  }
  if (mode === "list") return () => mix.sessions.list();
  return () => mix.internal.refreshOAuthTokens();
});
