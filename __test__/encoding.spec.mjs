// How requests are built for every operation (SURFACE §4): validation
// before anything is sent, path parameters (and D1), query parameters and
// their defaults, JSON bodies (renames, defaults, key order, text), and
// the value forms: 204 → undefined, dates, nullable fields, free-form
// objects, header maps.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import { recordingServer, NO_RETRY, rejection } from "./helpers/foundation.mjs";
import { SESSION } from "./helpers/samples.mjs";

const require = createRequire(import.meta.url);
const { Mix } = require("../index.js");
const { MixCore } = require("../core.js");
const errors = require("../models/errors/index.js");
const { sessionsCreate } = require("../funcs/sessionsCreate.js");
const { sessionsList } = require("../funcs/sessionsList.js");


async function mixFor(t, respond = { status: 200, type: "application/json", body: "[]" }) {
  const server = await recordingServer(t, respond);
  return { server, mix: new Mix({ serverURL: server.url, retryConfig: NO_RETRY }) };
}

test("a request that does not fit its type is an SDKValidationError and nothing is sent", async (t) => {
  const { server, mix } = await mixFor(t);
  const cases = [
    [() => mix.sessions.create({ title: 5 }), [["title"], "invalid_type", "Expected string, received number"]],
    [() => mix.sessions.create({}), [["title"], "invalid_type", "Required"]],
    [() => mix.sessions.create({ title: "x", promptMode: "loud" }), [["promptMode"], "invalid_enum_value"]],
    [
      () => mix.sessions.create({ title: "x", callbacks: [{ toolName: "t", type: "bash_script", bashTimeout: 1.5 }] }),
      [["callbacks", 0, "bashTimeout"], "invalid_type", "Expected integer, received float"],
    ],
    [() => mix.messages.getHistory({ limit: "5" }), [["limit"], "invalid_type", "Expected number, received string"]],
    [() => mix.messages.getHistory({ limit: NaN }), [["limit"], "invalid_type", "Expected number, received nan"]],
    [() => mix.sessions.list({ includeSubagents: null }), [["includeSubagents"], "invalid_type", "Expected boolean, received null"]],
    [() => mix.messages.send({ id: "s", requestBody: { text: new Date() } }), [["requestBody", "text"], "invalid_type", "Expected string, received date"]],
    [() => mix.sessions.get(null), [[], "invalid_type", "Expected object, received null"]],
    [() => mix.sessions.get(), [[], "invalid_type", "Required"]],
  ];
  for (const [run, [path, code, message]] of cases) {
    const err = await rejection(run());
    assert.ok(err instanceof errors.SDKValidationError, String(err));
    assert.equal(err.rawMessage, "Input validation failed");
    const issue = err.cause.issues[0];
    assert.deepStrictEqual(issue.path, path);
    assert.equal(issue.code, code);
    if (message) assert.equal(issue.message, message);
    assert.ok(err.message.startsWith("Input validation failed: [\n  {"), err.message);
  }
  assert.equal(server.requests.length, 0);
  // The standalone function resolves the error, with $inspect() "invalid".
  const [result, call] = await sessionsCreate(new MixCore({ serverURL: server.url }), { title: 1 }).$inspect();
  assert.equal(result.ok, false);
  assert.ok(result.error instanceof errors.SDKValidationError);
  assert.equal(call.status, "invalid");
  assert.equal(
    result.error.pretty(),
    [
      "Input validation failed",
      "┌ 1 issue found:",
      "│ • [<root>.title]: Expected string, received number (invalid_type)",
      "│     Want: string",
      "│      Got: number",
      "└─*",
    ].join("\n"),
  );
});

test("path parameters are encoded as one segment; empty, . and .. are refused naming the parameter", async (t) => {
  const { server, mix } = await mixFor(t, { status: 200, type: "application/json", body: JSON.stringify(SESSION) });
  await mix.sessions.get({ id: "r&d/1 ü" });
  await mix.files.delete({ id: "a b", filename: "x?y#z" }).catch(() => {});
  assert.equal(server.requests[0].url, "/api/sessions/r%26d%2F1%20%C3%BC");
  assert.equal(server.requests[1].url, "/api/sessions/a%20b/files/x%3Fy%23z");
  for (const id of ["", ".", ".."]) {
    const err = await rejection(mix.sessions.delete({ id }));
    assert.ok(err instanceof errors.InvalidRequestError, String(err));
    assert.match(err.message, /"id"/);
  }
  const err = await rejection(mix.files.delete({ id: "s", filename: ".." }));
  assert.match(err.message, /"filename"/);
  assert.equal(server.requests.length, 2);
});

test("query parameters: defaults only when a request object exists, numbers as String(n), no ? when none", async (t) => {
  const { server, mix } = await mixFor(t);
  await mix.messages.getHistory();
  await mix.messages.getHistory({});
  await mix.messages.getHistory({ offset: 20, limit: undefined });
  await mix.messages.getHistory({ limit: 3e21, offset: -0 });
  await mix.sessions.list();
  await mix.sessions.list({});
  await mix.sessions.list({ includeSubagents: true });
  assert.deepStrictEqual(
    server.requests.map((r) => r.url),
    [
      "/api/messages/history",
      "/api/messages/history?limit=50&offset=0",
      "/api/messages/history?limit=50&offset=20",
      "/api/messages/history?limit=3e%2B21&offset=0",
      "/api/sessions",
      "/api/sessions?includeSubagents=false",
      "/api/sessions?includeSubagents=true",
    ],
  );
});

test("JSON bodies: wire names, defaults (also in arrays), declaration order, unknown keys dropped", async (t) => {
  const { server, mix } = await mixFor(t, { status: 201, type: "application/json", body: JSON.stringify(SESSION) });
  await mix.sessions.create({ title: "My session", extra: 1, title_wire: "x" });
  await mix.sessions.create({
    title: "t",
    callbacks: [{ type: "bash_script", toolName: "bash", bashCommand: "ls" }],
  });
  assert.equal(server.requests[0].body, '{"promptMode":"default","sessionType":"main","title":"My session"}');
  assert.equal(
    server.requests[1].body,
    '{"callbacks":[{"bashCommand":"ls","bashTimeout":120000,"nonBlocking":true,"toolName":"bash","type":"bash_script"}],"promptMode":"default","sessionType":"main","title":"t"}',
  );
  const s2 = await recordingServer(t, { status: 202, type: "application/json", body: '{"sessionId":"s","status":"queued"}' });
  const mix2 = new Mix({ serverURL: s2.url });
  assert.deepStrictEqual(await mix2.messages.send({ id: "s", requestBody: { text: 'a"\n\u2028/é' } }), {
    sessionId: "s",
    status: "queued",
  });
  assert.equal(s2.requests[0].url, "/api/sessions/s/messages");
  assert.equal(s2.requests[0].body, JSON.stringify({ plan_mode: false, text: 'a"\n\u2028/é' }));
  await mix2.preferences.update({}).catch(() => {});
  assert.equal(s2.requests[1].body, "{}");
});

test("204 resolves undefined whatever the content type; another 2xx is unexpected", async (t) => {
  const { mix } = await mixFor(t, (req, res, n) => {
    if (n === 0) {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    }
  });
  assert.equal(await mix.sessions.delete({ id: "s" }), undefined);
  const err = await rejection(mix.sessions.delete({ id: "s" }));
  assert.ok(err instanceof errors.MixDefaultError);
  assert.match(err.message, /^Unexpected Status or Content-Type/);
});

test("decoded values: dates become Dates, nullable fields keep null, free-form objects keep their keys, unknown keys go", async (t) => {
  const exported = {
    id: "s",
    title: "t",
    createdAt: "2025-01-02T03:04:05.123456Z",
    messages: [
      {
        id: "m",
        role: "assistant",
        content: "c",
        createdAt: "2025-01-02T03:04:05Z",
        updatedAt: "2025-01-02T03:04:05+0130",
        toolCalls: [{ finished: true, id: "t", input: "{}", name: "bash", type: "tool", inputJson: { a: [1], b: { c: null } } }],
        zzz: 1,
      },
    ],
  };
  const server = await recordingServer(t, (req, res) => {
    if (req.url === "/api/mcp") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('[{"connected":true,"name":"n","status":"up","tools":null}]');
      return;
    }
    res.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      date: "Thu, 02 Jan 2025 08:00:00 GMT",
      "x-tags": "red, green,blue",
    });
    res.end(JSON.stringify(exported));
  });
  const mix = new Mix({ serverURL: server.url });
  const value = await mix.sessions.exportSession({ id: "s" });
  assert.ok(value.result.createdAt instanceof Date);
  assert.equal(value.result.createdAt.toISOString(), "2025-01-02T03:04:05.123Z");
  assert.equal(value.result.messages[0].updatedAt.toISOString(), "2025-01-02T01:34:05.000Z");
  assert.deepStrictEqual(value.result.messages[0].toolCalls[0].inputJson, { a: [1], b: { c: null } });
  assert.equal("zzz" in value.result.messages[0], false);
  assert.deepStrictEqual(value.headers.date, ["Thu, 02 Jan 2025 08:00:00 GMT"]);
  assert.deepStrictEqual(value.headers["x-tags"], ["red", "green", "blue"]);
  assert.deepStrictEqual(await mix.system.listMcpServers(), [{ connected: true, name: "n", status: "up", tools: null }]);
});

test("a response that does not fit names the wire path of each issue in declaration order", async (t) => {
  const bad = { ...SESSION, sessionType: "weird", createdAt: "yesterday", cost: "1" };
  delete bad.id;
  const { mix } = await mixFor(t, { status: 200, type: "application/json", body: JSON.stringify([SESSION, bad]) });
  const err = await rejection(mix.sessions.list());
  assert.ok(err instanceof errors.ResponseValidationError, String(err));
  assert.deepStrictEqual(
    err.cause.issues.map((i) => [i.path.join("."), i.code]),
    [
      ["1.cost", "invalid_type"],
      ["1.createdAt", "invalid_string"],
      ["1.id", "invalid_type"],
      ["1.sessionType", "invalid_enum_value"],
    ],
  );
  assert.deepStrictEqual(err.rawValue, [SESSION, bad]);
});

test("standalone functions resolve Results and $inspect() shows the request and response", async (t) => {
  const { server } = await mixFor(t, { status: 200, type: "application/json", body: JSON.stringify([SESSION]) });
  const core = new MixCore({ serverURL: server.url });
  const [result, call] = await sessionsList(core, { includeSubagents: true }).$inspect();
  assert.equal(result.ok, true);
  assert.equal(result.value[0].createdAt.toISOString(), "2025-01-02T01:04:05.000Z");
  assert.equal(call.status, "complete");
  assert.equal(call.request.method, "GET");
  assert.equal(call.request.url, `${server.url}/api/sessions?includeSubagents=true`);
  assert.equal(call.response.status, 200);
});

test("model helpers: *ToJSON validates and renames, *FromJSON decodes with the calls' decoder", () => {
  const ops = require("../models/operations/index.js");
  const models = require("../models/index.js");
  assert.equal(
    ops.sendMessageRequestBodyToJSON({ text: "hi", planMode: true }),
    '{"plan_mode":true,"text":"hi"}',
  );
  assert.throws(() => ops.sendMessageRequestBodyToJSON({ text: 1 }), (e) => e.name === "ZodError");
  const parsed = models.sessionDataFromJSON(JSON.stringify(SESSION));
  assert.equal(parsed.ok, true);
  assert.ok(parsed.value.createdAt instanceof Date);
  assert.equal(models.sessionDataToJSON(parsed.value).includes('"createdAt":"2025-01-02T01:04:05.000Z"'), true);
  const failed = models.sessionDataFromJSON("{}");
  assert.equal(failed.ok, false);
  assert.ok(failed.error instanceof errors.SDKValidationError);
  assert.match(failed.error.message, /^Failed to parse 'SessionData' from JSON: \[/);
  assert.equal(models.SessionType.Subagent, "subagent");
  assert.equal(ops.SessionType.Main, "main");
  const notJson = ops.createSessionRequestFromJSON("{");
  assert.ok(notJson.error.cause instanceof SyntaxError);
  assert.deepStrictEqual(ops.createSessionRequestFromJSON('{"title":"t"}').value, {
    promptMode: "default",
    sessionType: "main",
    title: "t",
  });
});

test("date-times decode to exactly the Date that new Date(string) gives, for any valid form", () => {
  const models = require("../models/index.js");
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  let seed = 42;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 2000; i++) {
    const year = [1, 1969, 1970, 2000, 2024, 2025, 9999][rand(7)] + (rand(2) ? 0 : rand(50));
    const month = 1 + rand(12);
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    let text = `${pad(Math.min(year, 9999), 4)}-${pad(month)}-${pad(1 + rand(days))}T${pad(rand(24))}:${pad(rand(60))}`;
    if (rand(4)) {
      text += `:${pad(rand(60))}`;
      if (rand(2)) text += `.${String(rand(10 ** (1 + rand(6)))).padStart(1 + rand(6), "0")}`;
    }
    const offset = rand(3);
    text += offset === 0 ? "Z" : `${rand(2) ? "+" : "-"}${pad(rand(30))}${rand(2) ? ":" : ""}${pad(rand(70))}`;
    const result = models.exportMessageFromJSON(
      JSON.stringify({ id: "m", role: "r", content: "c", createdAt: text, updatedAt: text }),
    );
    const expected = new Date(text).getTime();
    if (!result.ok) {
      assert.fail(`${text}: ${result.error.message}`);
    }
    const got = result.value.createdAt.getTime();
    assert.ok(Object.is(got, expected) || (Number.isNaN(got) && Number.isNaN(expected)), `${text}: ${got} vs ${expected}`);
  }
});

test("request types made of parameters keep the declared parameter order (checked against the original)", () => {
  const ops = require("../models/operations/index.js");
  assert.equal(ops.deleteSessionFileRequestToJSON({ filename: "f", id: "i" }), '{"id":"i","filename":"f"}');
  assert.equal(ops.streamEventsRequestToJSON({ lastEventID: "1", sessionId: "s" }), '{"sessionId":"s","Last-Event-ID":"1"}');
});
