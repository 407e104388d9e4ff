// Raw undici: `request()` plus `body.json()`, through an Agent allowed as
// many connections as there are calls in flight.

import { Agent, request } from "undici";

import { runClient } from "../lib/harness.mjs";

await runClient("undici", async ({ url, concurrency }) => {
  const dispatcher = new Agent({ connections: concurrency });
  return async () => {
    const { body } = await request(url, {
      method: "POST",
      headers: { accept: "application/json" },
      dispatcher,
    });
    return body.json();
  };
});
