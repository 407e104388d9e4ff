// This package: one Mix instance, `internal.refreshOAuthTokens()` with
// default options (retries, time limit and decoding all run in Rust).

import { runClient } from "../lib/harness.mjs";
import { loadMix } from "../lib/mix-entry.mjs";

await runClient("mix", async ({ serverURL }) => {
  const Mix = await loadMix();
  const mix = new Mix({ serverURL });
  return () => mix.internal.refreshOAuthTokens();
});
