// No unhandledRejection, ever (issue 2, point 4): a burst of failing calls
// of every kind, through `mix.internal` (each rejection handled, as callers
// do) and through the standalone function (its result deliberately ignored,
// as fire-and-forget callers do), must not raise a single
// `unhandledRejection` or `uncaughtException` in the process.

import test from "node:test";
import assert from "node:assert/strict";
import { HTTPClient, Mix } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";
import {
  ERROR_JSON,
  NO_RETRY,
  cutOffBody,
  eventLoopTurns,
  rawServer,
  recordingServer,
  refusedURL,
  sleep,
} from "./helpers/foundation.mjs";

const unhandled = [];
const uncaught = [];
const onUnhandled = (reason) => unhandled.push(reason);
const onUncaught = (err) => uncaught.push(err);
process.on("unhandledRejection", onUnhandled);
process.on("uncaughtExceptionMonitor", onUncaught);

/** Responses by the first path segment of the request. */
const RESPONSES = {
  "error-response": { status: 500, type: "application/json", body: ERROR_JSON },
  "not-found": { status: 404, type: "text/plain", body: "not found" },
  html: { status: 200, type: "text/html", body: "<html></html>" },
  "no-content": { status: 204 },
  "wrong-type": { status: 200, type: "application/json", body: '{"message":42}' },
  "not-json": { status: 200, type: "application/json", body: "{not json" },
  empty: { status: 200, type: "application/json", body: "" },
  "bad-enum": { status: 500, type: "application/json", body: '{"error":{"code":1,"message":"m","type":"?"}}' },
  big: { status: 502, type: "text/plain", body: "z".repeat(20_000) },
};

test("a burst of failing calls of every kind through both APIs raises no unhandledRejection", async (t) => {
  const server = await recordingServer(t, (req, res) => {
    const name = req.url.split("/")[1];
    const r = RESPONSES[name];
    if (name === "hang" || r === undefined) return; // never answers: for the time limit
    res.writeHead(r.status, r.type ? { "content-type": r.type } : {});
    res.end(r.body ?? "");
  });
  const cut = await rawServer(t, cutOffBody);
  const reset = await rawServer(t, (socket) => socket.destroy());
  const refused = await refusedURL();

  const perCall = [
    ...Object.keys(RESPONSES).map((name) => ({ serverURL: `${server.url}/${name}` })),
    { serverURL: cut.url },
    { serverURL: reset.url },
    { serverURL: refused },
    { serverURL: "" },
    { serverURL: "/relative" },
    { serverURL: "http://exa mple.com" },
    { serverURL: server.url, headers: { "x-bad": "a\r\nb" } },
    { serverURL: server.url, headers: { "bad name": "x" } },
    { serverURL: server.url, headers: 42 },
    { serverURL: `${server.url}/hang`, timeoutMs: 30 },
    { serverURL: `${server.url}/hang`, signal: AbortSignal.abort() },
    { serverURL: `${server.url}/hang`, signal: AbortSignal.timeout(20) },
  ];
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const core = new MixCore({ serverURL: server.url, retryConfig: NO_RETRY });

  // Custom HTTP clients (§9) whose fetcher or hook fails in every way.
  const failingClients = [
    new HTTPClient({ fetcher: async () => Promise.reject(new TypeError("fetch failed")) }),
    new HTTPClient({
      fetcher: () => {
        throw new Error("thrown synchronously");
      },
    }),
    new HTTPClient({ fetcher: async () => "not a Response" }),
    new HTTPClient({ fetcher: async () => Promise.reject(undefined) }),
    new HTTPClient().addHook("beforeRequest", () => {
      throw new Error("hook failed");
    }),
  ];

  const handled = [];
  const ignored = [];
  for (const httpClient of failingClients) {
    const options = { httpClient, serverURL: server.url, retryConfig: NO_RETRY };
    handled.push(new Mix(options).internal.refreshOAuthTokens().then(
      () => assert.fail("resolved through a failing HTTPClient"),
      (err) => err,
    ));
    ignored.push(authenticationRefreshOAuthTokens(new MixCore(options)));
  }
  for (let round = 0; round < 5; round++) {
    for (const options of perCall) {
      handled.push(mix.internal.refreshOAuthTokens(options).then(
        () => assert.fail(`resolved for ${JSON.stringify(options)}`),
        (err) => err,
      ));
      // Deliberately ignored: no then/catch/await on these until the end.
      ignored.push(authenticationRefreshOAuthTokens(core, options));
      authenticationRefreshOAuthTokens(core, options).$inspect();
    }
  }

  const errors = await Promise.all(handled);
  for (const err of errors) assert.ok(err instanceof Error, String(err));
  // Give the ignored calls time to settle, then let Node run its
  // unhandled-rejection check over a few event-loop turns.
  await sleep(300);
  await eventLoopTurns(5);
  globalThis.gc?.();
  await eventLoopTurns(3);

  assert.ok(process.listeners("unhandledRejection").includes(onUnhandled));
  assert.deepEqual(unhandled, [], `unhandledRejection fired: ${unhandled.map(String).join("; ")}`);
  assert.deepEqual(uncaught, []);

  // Only now look at the ignored results: every one resolved with an error.
  for (const res of await Promise.all(ignored)) {
    assert.equal(res.ok, false);
    assert.ok(res.error instanceof Error);
  }
  await eventLoopTurns(2);
  assert.deepEqual(unhandled, []);
});

test.after(() => {
  process.off("unhandledRejection", onUnhandled);
  process.off("uncaughtExceptionMonitor", onUncaught);
});
