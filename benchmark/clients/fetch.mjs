// Node's global fetch (its bundled undici, default dispatcher), the way
// most JS SDKs make calls.

import { runClient } from "../lib/harness.mjs";

await runClient("fetch", async ({ url }) => {
  return async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { accept: "application/json" },
    });
    return response.json();
  };
});
