// This package: one Mix instance; `internal.refreshOAuthTokens()` with
// default options (retries, time limit and decoding all run in Rust), or,
// in list mode, `sessions.list()` (decoded and validated in Rust), or, in
// the stream modes, `streaming.streamEvents()`, whose `result` is an async
// iterable of events decoded and validated in Rust, or, in the download
// mode, `files.get()`, whose value is a ReadableStream<Uint8Array> read from
// the connection in Rust.

import { FILE_SESSION } from "../lib/download.mjs";
import { runClient } from "../lib/harness.mjs";
import { loadMix } from "../lib/mix-entry.mjs";

await runClient("mix", async ({ serverURL, mode, stream, download }) => {
  const Mix = await loadMix();
  const mix = new Mix({ serverURL });
  if (stream) return async (sessionId) => (await mix.streaming.streamEvents({ sessionId })).result;
  if (download) return (filename) => mix.files.get({ id: FILE_SESSION, filename });
  if (mode === "list") return () => mix.sessions.list();
  return () => mix.internal.refreshOAuthTokens();
});
