// Response decoding (CONTRACT §4 and §7): the success value holds only the
// documented keys that were sent; content types match case-insensitively
// with parameters; responses that match no rule are "Unexpected Status or
// Content-Type"; bodies that do not fit the schema (or are not JSON at all)
// are ResponseValidationError; refreshOAuthTokensResponseFromJSON.

import test from "node:test";
import assert from "node:assert/strict";
import { Mix } from "mix-typescript-sdk";
import {
  ErrorResponse,
  MixDefaultError,
  MixError,
  ResponseValidationError,
  SDKValidationError,
} from "mix-typescript-sdk/models/errors";
import { refreshOAuthTokensResponseFromJSON } from "mix-typescript-sdk/models/operations";
import { NO_RETRY, recordingServer, rejection } from "./helpers/foundation.mjs";

/** A client whose server answers every request with `response`. */
async function clientAnswering(t, response) {
  const server = await recordingServer(t, response);
  return new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
}

async function valueFor(t, response) {
  return (await clientAnswering(t, response)).internal.refreshOAuthTokens();
}

async function errorFor(t, response) {
  return rejection((await clientAnswering(t, response)).internal.refreshOAuthTokens());
}

const json = (body, status = 200) => ({ status, type: "application/json", body });

// --- the success value -------------------------------------------------------

test("a 200 JSON body gives an object holding message and status", async (t) => {
  const value = await valueFor(t, json('{"message":"Token refresh triggered successfully","status":"success"}'));
  assert.deepStrictEqual(value, { message: "Token refresh triggered successfully", status: "success" });
  assert.deepEqual(Object.keys(value), ["message", "status"]);
});

test("keys the server did not send are absent from the value, not undefined", async (t) => {
  const onlyStatus = await valueFor(t, json('{"status":"success"}'));
  assert.deepStrictEqual(onlyStatus, { status: "success" });
  assert.deepEqual(Object.keys(onlyStatus), ["status"]);
  const onlyMessage = await valueFor(t, json('{"message":"m"}'));
  assert.deepStrictEqual(onlyMessage, { message: "m" });
  assert.deepEqual(Object.keys(onlyMessage), ["message"]);
  const empty = await valueFor(t, json("{}"));
  assert.deepStrictEqual(empty, {});
  assert.deepEqual(Object.keys(empty), []);
});

test("unknown keys in a 200 body are dropped from the value", async (t) => {
  const value = await valueFor(t, json('{"status":"success","extra":1,"nested":{"a":[1]},"message":"m"}'));
  assert.deepStrictEqual(value, { message: "m", status: "success" });
  assert.deepEqual(Object.keys(value).sort(), ["message", "status"]);
});

test("empty strings are kept as values", async (t) => {
  assert.deepStrictEqual(await valueFor(t, json('{"message":"","status":""}')), { message: "", status: "" });
});

test("escaped surrogate pairs and other unicode escapes decode to the same string JSON.parse gives", async (t) => {
  const body = '{"message":"\\ud83d\\ude00 caf\\u00e9 \\u2028","status":"\\"q\\" \\\\ \\/"}';
  assert.deepStrictEqual(await valueFor(t, json(body)), JSON.parse(body));
});

test("a string holding an escaped lone surrogate is valid JSON and decodes with U+FFFD in its place", async (t) => {
  // JSON.parse (and so the original SDK) accepts "\ud800"; it is not a schema
  // mismatch. The Rust core cannot hold a lone surrogate in a string, so it
  // reads it as U+FFFD, as a UTF-8 decoder would.
  const body = '{"message":"\\ud800","status":"a\\udc00b"}';
  assert.deepStrictEqual(await valueFor(t, json(body)), { message: "\ufffd", status: "a\ufffdb" });
  assert.deepStrictEqual(refreshOAuthTokensResponseFromJSON(body), { ok: true, value: { message: "\ufffd", status: "a\ufffdb" } });
});

// --- content-type matching ----------------------------------------------------

for (const type of ["application/json; charset=utf-8", "Application/JSON", "APPLICATION/JSON; charset=UTF-8"]) {
  test(`a 200 with content type ${JSON.stringify(type)} is decoded as JSON`, async (t) => {
    assert.deepStrictEqual(await valueFor(t, { type, body: '{"status":"ok"}' }), { status: "ok" });
  });
}

test("a 500 error JSON with content type Application/JSON; charset=utf-8 is an ErrorResponse", async (t) => {
  const err = await errorFor(t, {
    status: 500,
    type: "Application/JSON; charset=utf-8",
    body: '{"error":{"code":500,"message":"down","type":"internal_error"}}',
  });
  assert.ok(err instanceof ErrorResponse, `${err.name}: ${err.message}`);
  assert.equal(err.message, "down");
});

test("a 200 application/problem+json body matches no rule: Unexpected Status or Content-Type", async (t) => {
  const err = await errorFor(t, { type: "application/problem+json", body: '{"status":"ok"}' });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(
    err.message,
    'Unexpected Status or Content-Type: Status 200 Content-Type application/problem+json. Body: {"status":"ok"}',
  );
});

test("a 200 JSON body without a content type matches no rule", async (t) => {
  const err = await errorFor(t, { body: '{"status":"ok"}' });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, 'Unexpected Status or Content-Type: Status 200 Content-Type "". Body: {"status":"ok"}');
});

// --- responses that match no rule -------------------------------------------------

test("a 200 text/html response is a MixDefaultError: Unexpected Status or Content-Type", async (t) => {
  const err = await errorFor(t, { type: "text/html", body: "<html><body>hi</body></html>" });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.name, "MixDefaultError");
  assert.equal(
    err.message,
    "Unexpected Status or Content-Type: Status 200 Content-Type text/html. Body: <html><body>hi</body></html>",
  );
  assert.equal(err.statusCode, 200);
  assert.equal(err.body, "<html><body>hi</body></html>");
});

test("a 201 JSON response is Unexpected Status or Content-Type", async (t) => {
  const err = await errorFor(t, json('{"message":"created"}', 201));
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, 'Unexpected Status or Content-Type: Status 201. Body: {"message":"created"}');
  assert.equal(err.statusCode, 201);
});

test("a 204 response is Unexpected Status or Content-Type with an empty body", async (t) => {
  const err = await errorFor(t, { status: 204 });
  assert.ok(err instanceof MixDefaultError);
  assert.equal(err.message, 'Unexpected Status or Content-Type: Status 204 Content-Type "". Body: ""');
  assert.equal(err.statusCode, 204);
  assert.equal(err.body, "");
  assert.equal(err.rawResponse.status, 204);
});

// --- schema mismatches ------------------------------------------------------------

test("a 200 body with message: 42 is a ResponseValidationError with rawValue, rawMessage and pretty()", async (t) => {
  const err = await errorFor(t, json('{"message":42,"status":"success"}'));
  assert.ok(err instanceof ResponseValidationError);
  assert.ok(err instanceof MixError);
  assert.equal(err.name, "ResponseValidationError");
  assert.equal(err.message, "Response validation failed");
  assert.equal(err.rawMessage, "Response validation failed");
  assert.deepStrictEqual(err.rawValue, { message: 42, status: "success" });
  assert.equal(err.statusCode, 200);
  assert.equal(err.body, '{"message":42,"status":"success"}');
  assert.equal(err.contentType, "application/json");
  assert.equal(
    err.pretty(),
    [
      "Response validation failed",
      "┌ 1 issue found:",
      "│ • [<root>.message]: Expected string, received number (invalid_type)",
      "│     Want: string",
      "│      Got: number",
      "└─*",
    ].join("\n"),
  );
});

test("pretty() lists one entry per schema problem", async (t) => {
  const err = await errorFor(t, json('{"message":42,"status":false}'));
  assert.ok(err instanceof ResponseValidationError);
  const pretty = err.pretty();
  assert.ok(pretty.startsWith("Response validation failed\n┌ 2 issues found:\n"), pretty);
  const entries = pretty.split("\n").filter((line) => line.startsWith("│ • "));
  assert.deepEqual(entries, [
    "│ • [<root>.message]: Expected string, received number (invalid_type)",
    "│ • [<root>.status]: Expected string, received boolean (invalid_type)",
  ]);
});

test("a 200 body with message: null or a non-object JSON body is a ResponseValidationError", async (t) => {
  for (const body of ['{"message":null}', "[1,2]", '"text"', "42", "null"]) {
    const err = await errorFor(t, json(body));
    assert.ok(err instanceof ResponseValidationError, `${body}: ${err.name}`);
    assert.deepStrictEqual(err.rawValue, JSON.parse(body), body);
    assert.equal(err.body, body);
  }
});

test("a 500 error JSON with an unknown error type is a ResponseValidationError naming the allowed types", async (t) => {
  const body = '{"error":{"code":500,"message":"m","type":"exploded"}}';
  const err = await errorFor(t, json(body, 500));
  assert.ok(err instanceof ResponseValidationError, `${err.name}: ${err.message}`);
  assert.equal(err.message, "Response validation failed");
  assert.equal(err.statusCode, 500);
  assert.equal(err.body, body);
  // As the original: the error body's keys with HttpMeta, request$, response$, body$.
  assert.deepStrictEqual(Object.keys(err.rawValue), ["HttpMeta", "error", "request$", "response$", "body$"]);
  assert.deepStrictEqual(err.rawValue.error, JSON.parse(body).error);
  assert.equal(err.rawValue.body$, body);
  const lines = err.pretty().split("\n");
  assert.ok(lines.some((l) => l.startsWith("│ • [<root>.error.type]: ") && l.endsWith("(invalid_enum_value)")), err.pretty());
  assert.ok(lines.includes("│     Allowed: bad_request, not_found, internal_error, unauthorized, validation_error"), err.pretty());
  assert.ok(lines.includes("│         Got: exploded"), err.pretty());
});

test("a 500 JSON body that is not of the error shape is a ResponseValidationError", async (t) => {
  for (const body of ['{"oops":true}', '{"error":{"code":"500","message":"m","type":"internal_error"}}']) {
    const err = await errorFor(t, json(body, 500));
    assert.ok(err instanceof ResponseValidationError, `${body}: ${err.name}`);
    assert.equal(err.statusCode, 500);
    const { HttpMeta, request$, response$, body$, ...fields } = err.rawValue;
    assert.deepStrictEqual(fields, JSON.parse(body));
    assert.ok(HttpMeta.Response instanceof Response && response$ === HttpMeta.Response && body$ === body);
    void request$;
  }
});

test("a 200 JSON body that is not valid JSON is a ResponseValidationError keeping status and body", async (t) => {
  const err = await errorFor(t, json('{"message": "unterminated'));
  assert.ok(err instanceof ResponseValidationError, `${err.name}: ${err.message}`);
  assert.equal(err.message, "Response validation failed");
  assert.equal(err.statusCode, 200);
  assert.equal(err.body, '{"message": "unterminated');
  assert.equal(err.rawValue, '{"message": "unterminated');
  assert.equal(err.rawMessage, "Response validation failed");
  assert.equal(typeof err.pretty(), "string");
});

test("an empty 200 JSON body is a ResponseValidationError keeping status and body", async (t) => {
  const err = await errorFor(t, json(""));
  assert.ok(err instanceof ResponseValidationError, `${err.name}: ${err.message}`);
  assert.equal(err.statusCode, 200);
  assert.equal(err.body, "");
  assert.equal(err.rawValue, "");
});

test("a 500 JSON body that is not valid JSON is a ResponseValidationError", async (t) => {
  const err = await errorFor(t, json("{oops", 500));
  assert.ok(err instanceof ResponseValidationError, `${err.name}: ${err.message}`);
  assert.equal(err.statusCode, 500);
  assert.equal(err.body, "{oops");
});

// --- refreshOAuthTokensResponseFromJSON ------------------------------------------

test("refreshOAuthTokensResponseFromJSON returns { ok: true, value } for valid JSON, dropping unknown keys", () => {
  assert.deepStrictEqual(refreshOAuthTokensResponseFromJSON('{"message":"m","status":"s","x":1}'), {
    ok: true,
    value: { message: "m", status: "s" },
  });
  assert.deepStrictEqual(refreshOAuthTokensResponseFromJSON("{}"), { ok: true, value: {} });
});

test("refreshOAuthTokensResponseFromJSON returns { ok: false, error } with an SDKValidationError for text that is not JSON", () => {
  const res = refreshOAuthTokensResponseFromJSON("not json");
  assert.equal(res.ok, false);
  assert.deepEqual(Object.keys(res), ["ok", "error"]);
  assert.ok(res.error instanceof SDKValidationError);
  assert.equal(res.error.name, "SDKValidationError");
  assert.equal(res.error.rawValue, "not json");
  assert.equal(res.error.rawMessage, "Failed to parse 'RefreshOAuthTokensResponse' from JSON");
  assert.ok(res.error.message.startsWith("Failed to parse 'RefreshOAuthTokensResponse' from JSON: "), res.error.message);
  assert.ok(res.error.cause instanceof SyntaxError);
});

test("refreshOAuthTokensResponseFromJSON returns an SDKValidationError whose pretty() lists the schema problems", () => {
  const res = refreshOAuthTokensResponseFromJSON('{"message":42}');
  assert.equal(res.ok, false);
  assert.ok(res.error instanceof SDKValidationError);
  assert.equal(res.error.rawValue, '{"message":42}');
  assert.equal(
    res.error.pretty(),
    [
      "Failed to parse 'RefreshOAuthTokensResponse' from JSON",
      "┌ 1 issue found:",
      "│ • [<root>.message]: Expected string, received number (invalid_type)",
      "│     Want: string",
      "│      Got: number",
      "└─*",
    ].join("\n"),
  );
});
