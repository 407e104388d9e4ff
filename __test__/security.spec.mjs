// What the client trusts and what it never sends: trust stores read like
// Node's (NODE_EXTRA_CA_CERTS, NODE_USE_SYSTEM_CA) against HTTPS servers
// whose certificates are made here, certificate failures as ConnectionError
// with Node's codes, framing headers a call cannot forge, credentials in
// URLs refused and secrets masked in logs, redirects that drop credentials
// when they leave the origin.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { NO_RETRY, OK_JSON, answer, recordingServer, refusedURL, rejection } from "./helpers/foundation.mjs";
import { TLS_OK_JSON, httpsServer, issueCert, makeCA, pemFile, testCA } from "./helpers/tls.mjs";

const require = createRequire(import.meta.url);
const { Mix } = require("../index.js");
const { MixCore } = require("../core.js");
const { authenticationRefreshOAuthTokens } = require("../funcs/authenticationRefreshOAuthTokens.js");
const errors = require("../models/errors/index.js");

const TRUST_VARIABLES = ["NODE_EXTRA_CA_CERTS", "NODE_USE_SYSTEM_CA", "NODE_OPTIONS", "SSL_CERT_FILE", "SSL_CERT_DIR"];

/** Sets (or, for undefined, removes) environment variables until the test ends. */
function setEnv(t, vars) {
  const saved = {};
  for (const [name, value] of Object.entries(vars)) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  t.after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

/** Only the trust variables given count; the machine's own are set aside. */
function trustEnv(t, vars) {
  setEnv(t, { ...Object.fromEntries(TRUST_VARIABLES.map((name) => [name, undefined])), ...vars });
}

/** A logger that keeps every line. */
function recordingLogger() {
  const lines = [];
  const log = (...args) => lines.push(args.join(" "));
  return { lines, group: log, groupEnd: () => {}, log };
}

/** A server certificate of the test CA for 127.0.0.1 (and localhost unless `ips` only). */
async function trustedServer(t, names = { ips: ["127.0.0.1"], dnsNames: ["localhost"] }) {
  return httpsServer(t, issueCert(testCA(), names));
}

test("a server whose CA is in NODE_EXTRA_CA_CERTS is trusted", async (t) => {
  const server = await trustedServer(t);
  trustEnv(t, { NODE_EXTRA_CA_CERTS: pemFile(t, makeCA({ commonName: "Other CA" }).certPem, testCA().certPem) });
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  assert.deepEqual(await mix.internal.refreshOAuthTokens(), JSON.parse(TLS_OK_JSON));
  assert.equal(server.requests.length, 1);
});

test("a certificate from an unknown CA is a ConnectionError naming the failure, and nothing is sent", async (t) => {
  const server = await trustedServer(t);
  trustEnv(t, { NODE_EXTRA_CA_CERTS: pemFile(t, makeCA({ commonName: "Unrelated CA" }).certPem) });
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const err = await rejection(mix.internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError, String(err));
  assert.equal(err.cause.code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  assert.match(err.message, /^Unable to make request: Error: unable to verify the first certificate/);
  assert.equal(server.requests.length, 0);
});

test("a certificate for another name is refused: an IP certificate reached as localhost", async (t) => {
  const server = await trustedServer(t, { ips: ["127.0.0.1"] });
  trustEnv(t, { NODE_EXTRA_CA_CERTS: pemFile(t, testCA().certPem) });
  const byIP = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  assert.deepEqual(await byIP.internal.refreshOAuthTokens(), JSON.parse(TLS_OK_JSON));
  const byName = new Mix({ serverURL: `https://localhost:${server.port}`, retryConfig: NO_RETRY });
  const err = await rejection(byName.internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError, String(err));
  assert.equal(err.cause.code, "ERR_TLS_CERT_ALTNAME_INVALID");
  assert.match(err.cause.message, /does not match certificate's altnames/);
  assert.equal(server.requests.length, 1);
});

test("an expired certificate is a ConnectionError with CERT_HAS_EXPIRED", async (t) => {
  const day = 24 * 60 * 60 * 1000;
  const expired = issueCert(testCA(), {
    ips: ["127.0.0.1"],
    notBefore: new Date(Date.now() - 3 * day),
    notAfter: new Date(Date.now() - day),
  });
  const server = await httpsServer(t, expired);
  trustEnv(t, { NODE_EXTRA_CA_CERTS: pemFile(t, testCA().certPem) });
  const err = await rejection(new Mix({ serverURL: server.url, retryConfig: NO_RETRY }).internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError, String(err));
  assert.equal(err.cause.code, "CERT_HAS_EXPIRED");
  assert.equal(server.requests.length, 0);
});

test("NODE_USE_SYSTEM_CA=1 and --use-system-ca trust the system store; without them it is not consulted", async (t) => {
  const server = await trustedServer(t);
  // The system store as rustls-native-certs reads it on Linux: SSL_CERT_FILE.
  // A distinct NODE_EXTRA_CA_CERTS file gives each client its own pool.
  const systemStore = pemFile(t, testCA().certPem);
  const extra = () => pemFile(t, makeCA({ commonName: "Unrelated CA" }).certPem);
  trustEnv(t, { SSL_CERT_FILE: systemStore, NODE_EXTRA_CA_CERTS: extra() });
  const without = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  process.env.NODE_USE_SYSTEM_CA = "1";
  process.env.NODE_EXTRA_CA_CERTS = extra();
  const withVariable = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  delete process.env.NODE_USE_SYSTEM_CA;
  process.env.NODE_OPTIONS = "--use-system-ca";
  process.env.NODE_EXTRA_CA_CERTS = extra();
  const withFlag = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });

  const err = await rejection(without.internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError, String(err));
  assert.deepEqual(await withVariable.internal.refreshOAuthTokens(), JSON.parse(TLS_OK_JSON));
  assert.deepEqual(await withFlag.internal.refreshOAuthTokens(), JSON.parse(TLS_OK_JSON));
});

test("an unreadable NODE_EXTRA_CA_CERTS is a warning on the debug logger, and the client still works", async (t) => {
  const { url } = await recordingServer(t, { type: "application/json", body: OK_JSON });
  trustEnv(t, { NODE_EXTRA_CA_CERTS: "/nonexistent/mix-test-ca.pem" });
  const logger = recordingLogger();
  const mix = new Mix({ serverURL: url, retryConfig: NO_RETRY, debugLogger: logger });
  assert.ok(
    logger.lines.some((l) => l.startsWith("Warning:") && l.includes("/nonexistent/mix-test-ca.pem")),
    logger.lines.join("\n"),
  );
  assert.deepEqual(await mix.internal.refreshOAuthTokens(), JSON.parse(OK_JSON));
});

test("framing and connection headers of a call never reach the wire, and the connection stays in step", async (t) => {
  const server = await recordingServer(t, { type: "application/json", body: OK_JSON });
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const forged = {
    "content-length": "20",
    "transfer-encoding": "chunked",
    host: "evil.example",
    connection: "close",
    "keep-alive": "timeout=1",
    upgrade: "websocket",
    te: "trailers",
    trailer: "x-after",
    expect: "100-continue",
    "x-kept": "yes",
  };
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await mix.internal.refreshOAuthTokens({ headers: forged }), JSON.parse(OK_JSON));
  }
  assert.equal(server.requests.length, 3);
  for (const { headers, body } of server.requests) {
    assert.equal(headers["content-length"], "0");
    assert.equal(headers.host, new URL(server.url).host);
    assert.equal(headers["x-kept"], "yes");
    for (const name of ["transfer-encoding", "upgrade", "te", "trailer", "expect", "keep-alive"]) {
      assert.equal(headers[name], undefined, name);
    }
    assert.notEqual(headers.connection, "close");
    assert.equal(body, "");
  }
});

test("a serverURL with credentials is a TypeError at construction that does not repeat them", () => {
  for (const serverURL of ["http://user:s3cret@127.0.0.1:1", "http://user@127.0.0.1:1/api"]) {
    assert.throws(
      () => new Mix({ serverURL }),
      (err) => err instanceof TypeError && /includes credentials/.test(err.message) && !err.message.includes("s3cret"),
    );
  }
});

test("a per-call serverURL with credentials is an InvalidRequestError and nothing is sent", async (t) => {
  const server = await recordingServer(t, { type: "application/json", body: OK_JSON });
  const target = new URL(server.url);
  target.username = "user";
  target.password = "s3cret";
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  const err = await rejection(mix.internal.refreshOAuthTokens({ serverURL: target.href }));
  assert.ok(err instanceof errors.InvalidRequestError, String(err));
  assert.ok(!err.message.includes("s3cret"), err.message);
  const res = await authenticationRefreshOAuthTokens(new MixCore({ serverURL: server.url }), { serverURL: target });
  assert.equal(res.ok, false);
  assert.ok(res.error instanceof errors.InvalidRequestError);
  assert.equal(server.requests.length, 0);
});

test("the debug logger masks secret query parameters and keeps the others", async (t) => {
  const server = await recordingServer(t, { type: "application/json", body: OK_JSON });
  const logger = recordingLogger();
  const mix = new Mix({
    serverURL: `${server.url}/api?api_key=k-SECRET1&page=2`,
    retryConfig: NO_RETRY,
    debugLogger: logger,
  });
  await mix.internal.refreshOAuthTokens({ serverURL: `${server.url}/x?access_token=t-SECRET2&sig=s-SECRET3&q=1` });
  await mix.internal.refreshOAuthTokens();
  const text = logger.lines.join("\n");
  assert.doesNotMatch(text, /SECRET/);
  assert.match(text, /api_key=\[REDACTED\]&page=2/);
  assert.match(text, /access_token=\[REDACTED\]&sig=\[REDACTED\]&q=1/);
  assert.equal(server.requests[0].url, "/x/internal/auth/refresh-tokens?access_token=t-SECRET2&sig=s-SECRET3&q=1");
});

test("error messages mask secret query parameters of the URL", async () => {
  const mix = new Mix({ serverURL: `${await refusedURL()}/?token=t-SECRET`, retryConfig: NO_RETRY });
  const err = await rejection(mix.internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError);
  assert.doesNotMatch(`${err.message} ${err.cause?.message}`, /SECRET/);
});

test("a redirect to another origin drops authorization, cookie and proxy-authorization", async (t) => {
  const target = await recordingServer(t, { type: "application/json", body: OK_JSON });
  const origin = await recordingServer(t, (req, res) =>
    answer(res, { status: 302, headers: { location: `${target.url}/elsewhere` } }),
  );
  const mix = new Mix({ serverURL: origin.url, retryConfig: NO_RETRY });
  const value = await mix.internal.refreshOAuthTokens({
    headers: { authorization: "Bearer t", cookie: "sid=1", "proxy-authorization": "Basic eDp5", "x-kept": "1" },
  });
  assert.deepEqual(value, JSON.parse(OK_JSON));
  assert.equal(origin.requests[0].headers.authorization, "Bearer t");
  const followed = target.requests[0].headers;
  assert.equal(followed.authorization, undefined);
  assert.equal(followed.cookie, undefined);
  assert.equal(followed["proxy-authorization"], undefined);
  assert.equal(followed["x-kept"], "1");
});

test("a redirect to an unsupported scheme after the request went out is a ConnectionError", async (t) => {
  const server = await recordingServer(t, (req, res) =>
    answer(res, { status: 302, headers: { location: "ftp://127.0.0.1/file" } }),
  );
  const err = await rejection(new Mix({ serverURL: server.url, retryConfig: NO_RETRY }).internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError, String(err));
  assert.ok(!(err instanceof errors.InvalidRequestError));
  assert.equal(server.requests.length, 1);
});

test("without trust variables only the bundled roots are trusted", async (t) => {
  const server = await trustedServer(t);
  trustEnv(t, {});
  const err = await rejection(new Mix({ serverURL: server.url, retryConfig: NO_RETRY }).internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError, String(err));
  assert.equal(err.cause.code, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
});

test("redirects fetch would not follow are ConnectionErrors: other schemes, credentials, a Location that does not parse", async (t) => {
  const target = await recordingServer(t, { type: "application/json", body: OK_JSON });
  const withCredentials = new URL(target.url);
  withCredentials.username = "user";
  withCredentials.password = "s3cret";
  const locations = ["file:///etc/passwd", "data:text/plain,hi", "ftp://127.0.0.1/x", withCredentials.href, "http://[bad"];
  for (const location of locations) {
    const origin = await recordingServer(t, (req, res) => answer(res, { status: 302, headers: { location } }));
    const err = await rejection(new Mix({ serverURL: origin.url, retryConfig: NO_RETRY }).internal.refreshOAuthTokens());
    assert.ok(err instanceof errors.ConnectionError, `${location}: ${err}`);
    assert.ok(!`${err.message}`.includes("s3cret"), err.message);
  }
  assert.equal(target.requests.length, 0);
});

test("a per-call serverURL that does not parse is named in the error with its secrets masked", async () => {
  const mix = new Mix({ serverURL: "http://127.0.0.1:1", retryConfig: NO_RETRY });
  const err = await rejection(mix.internal.refreshOAuthTokens({ serverURL: "http://u:s3cret@bad host:1/?api_key=k-SECRET&x=1" }));
  assert.ok(err instanceof errors.InvalidRequestError, String(err));
  assert.doesNotMatch(err.message, /s3cret|SECRET/);
  assert.match(err.message, /bad host/);
});
