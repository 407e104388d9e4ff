// Every JSON operation of openapi.yaml, driven over a loopback server with
// samples made from the description itself (helpers/openapi.mjs): the
// request on the wire, the decoded value, each documented error status, an
// undocumented status and a body that does not fit. Both the namespace
// methods and the standalone functions are called.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import { recordingServer, NO_RETRY, rejection } from "./helpers/foundation.mjs";
import { jsonOperations, sampleRequest, sampleResponse } from "./helpers/openapi.mjs";

const require = createRequire(import.meta.url);
const { Mix } = require("../index.js");
const { MixCore } = require("../core.js");
const errors = require("../models/errors/index.js");

const operations = jsonOperations();
const ORIGINAL_JSON_OPERATIONS = [
  "storeApiKey", "handleOAuthCallback", "startOAuthFlow", "getAuthStatus", "validatePreferredProvider",
  "deleteCredentials", "getOAuthHealth", "refreshOAuthTokens", "listCommands", "getCommand", "listMcpServers",
  "getSystemInfo", "healthCheck", "getMessageHistory", "cancelSessionProcessing", "getSessionMessages",
  "sendMessage", "denyPermission", "grantPermission", "getPreferences", "updatePreferences",
  "getAvailableProviders", "resetPreferences", "listSessions", "createSession", "deleteSession", "getSession",
  "updateSessionCallbacks", "exportSession", "forkSession", "rewindSession", "listSessionFiles",
  "deleteSessionFile", "getToolsStatus",
];
const JSON_TYPE = "application/json";
const ERROR_BODY = { error: { code: 404, message: "nothing here", type: "not_found" } };

function call(mix, o, request, options) {
  const [ns, method] = o.methods[0];
  return request === null ? mix[ns][method](options) : mix[ns][method](request, options);
}

function callFunc(client, o, request, options) {
  const fn = require(`../funcs/${o.func}.js`)[o.func];
  return request === null ? fn(client, options) : fn(client, request, options);
}

test("every JSON operation of the description is a method of its namespaces", () => {
  // The original's 34 JSON operations are all there (more may be added).
  const ids = new Set(operations.map((o) => o.id));
  for (const id of ORIGINAL_JSON_OPERATIONS) assert.ok(ids.has(id), id);
  const mix = new Mix();
  for (const o of operations) {
    for (const [ns, method] of o.methods) assert.equal(typeof mix[ns]?.[method], "function", `${ns}.${method}`);
  }
});

for (const o of operations) {
  const label = `${o.methods.map((m) => m.join(".")).join(" / ")} (${o.method} ${o.route})`;

  test(`${label}: sends the request as the description says and decodes the value`, async (t) => {
    const req = sampleRequest(o);
    const res = sampleResponse(o);
    const server = await recordingServer(t, {
      status: o.status,
      type: o.content === null ? undefined : JSON_TYPE,
      body: res.body,
      headers: { "x-list": "a, b" },
    });
    const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
    const value = await call(mix, o, req === null ? null : structuredClone(req.caller));
    const sent = server.requests[0];
    assert.equal(sent.method, o.method);
    const [path, query = ""] = sent.url.split("?");
    assert.equal(path, req?.path ?? o.route);
    assert.equal(query, req?.query ?? "");
    assert.equal(sent.headers.accept, JSON_TYPE);
    assert.equal(sent.headers.cookie, "");
    if (req?.body !== undefined) {
      assert.equal(sent.headers["content-type"], JSON_TYPE);
      assert.deepStrictEqual(JSON.parse(sent.body), req.body);
    } else {
      assert.equal(sent.body, "");
      assert.equal(sent.headers["content-type"], undefined);
      if (o.method === "POST") assert.equal(sent.headers["content-length"], "0");
    }
    if (o.response.headers) {
      assert.deepStrictEqual(value.result, res.value);
      assert.deepStrictEqual(value.headers["x-list"], ["a", "b"]);
    } else {
      assert.deepStrictEqual(value, res.value);
    }
    // The standalone function sends the same request and resolves the same value.
    const result = await callFunc(new MixCore({ serverURL: server.url, retryConfig: NO_RETRY }), o, req && structuredClone(req.caller));
    assert.equal(result.ok, true, String(result.error));
    assert.equal(server.requests[1].url, sent.url);
    assert.equal(server.requests[1].body, sent.body);
  });

  test(`${label}: documented error statuses are ErrorResponses, others MixDefaultErrors`, async (t) => {
    const req = sampleRequest(o);
    const statuses = [...o.errorStatuses, 418, 503];
    const server = await recordingServer(t, (r, res, n) => {
      res.writeHead(statuses[n], { "content-type": JSON_TYPE });
      res.end(JSON.stringify(ERROR_BODY));
    });
    const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
    for (const status of o.errorStatuses) {
      const err = await rejection(call(mix, o, req && req.caller));
      assert.ok(err instanceof errors.ErrorResponse, `${status}: ${err}`);
      assert.equal(err.statusCode, status);
      assert.deepStrictEqual(err.error, ERROR_BODY.error);
      assert.equal(err.message, "nothing here");
    }
    for (const status of [418, 503]) {
      const err = await rejection(call(mix, o, req && req.caller));
      assert.ok(err instanceof errors.MixDefaultError, `${status}: ${err}`);
      assert.match(err.message, new RegExp(`^API error occurred: Status ${status}`));
    }
  });

  if (o.content !== null) {
    test(`${label}: a body that does not fit is a ResponseValidationError; another type is unexpected`, async (t) => {
      const req = sampleRequest(o);
      const schema = o.response.content[JSON_TYPE].schema;
      // A value of the wrong JSON type for the top-level schema.
      const wrong = schema.type === "array" ? "{}" : "[]";
      const server = await recordingServer(t, (r, res, n) => {
        if (n === 0) {
          res.writeHead(o.status, { "content-type": JSON_TYPE });
          res.end(wrong);
        } else {
          res.writeHead(o.status, { "content-type": "text/html" });
          res.end("<p>hi</p>");
        }
      });
      const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
      const err = await rejection(call(mix, o, req && req.caller));
      assert.ok(err instanceof errors.ResponseValidationError, String(err));
      assert.equal(err.statusCode, o.status);
      assert.equal(err.body, wrong);
      const unexpected = await rejection(call(mix, o, req && req.caller));
      assert.ok(unexpected instanceof errors.MixDefaultError, String(unexpected));
      assert.match(unexpected.message, /^Unexpected Status or Content-Type: /);
    });
  }
}
