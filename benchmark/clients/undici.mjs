// Raw undici: `request()` plus `body.json()`, through an Agent allowed as
// many connections as there are calls in flight. In list mode: the text
// and a plain `JSON.parse`, no validation.

import { Agent, request } from "undici";

import { runClient } from "../lib/harness.mjs";

await runClient("undici", async ({ url, listURL, concurrency, mode }) => {
  const dispatcher = new Agent({ connections: concurrency });
  if (mode === "list") {
    return async () => {
      const { body } = await request(listURL, { method: "GET", headers: { accept: "application/json" }, dispatcher });
      return JSON.parse(await body.text());
    };
  }
  return async () => {
    const { body } = await request(url, {
      method: "POST",
      headers: { accept: "application/json" },
      dispatcher,
    });
    return body.json();
  };
});
