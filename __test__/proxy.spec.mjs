// Proxies as Node's fetch uses them with NODE_USE_ENV_PROXY=1: HTTP_PROXY
// for plain HTTP (forwarded), HTTPS_PROXY (else HTTP_PROXY) for HTTPS
// (tunnelled with CONNECT), NO_PROXY bypassing, credentials from the proxy
// URL sent and never logged, a refusing or dropping proxy a ConnectionError.
// Without the switch calls go direct. The proxy is a small one on loopback
// (helpers/proxy.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { NO_RETRY, OK_JSON, recordingServer, refusedURL, rejection } from "./helpers/foundation.mjs";
import { startProxy } from "./helpers/proxy.mjs";
import { TLS_OK_JSON, httpsServer, issueCert, pemFile, testCA } from "./helpers/tls.mjs";

const require = createRequire(import.meta.url);
const { Mix } = require("../index.js");
const errors = require("../models/errors/index.js");

const PROXY_VARIABLES = [
  "NODE_USE_ENV_PROXY",
  "NODE_OPTIONS",
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
];

const savedByTest = new WeakMap();

/** Only the proxy variables given count, until the test ends (callable again within a test). */
function proxyEnv(t, vars) {
  if (!savedByTest.has(t)) {
    const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
    savedByTest.set(t, saved);
    t.after(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
  }
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, vars);
}

function withCredentials(url, user, password) {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.href;
}

const OK = JSON.parse(OK_JSON);
const okServer = (t) => recordingServer(t, { type: "application/json", body: OK_JSON });

async function tlsServer(t) {
  const server = await httpsServer(t, issueCert(testCA(), { ips: ["127.0.0.1"] }));
  const saved = process.env.NODE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = pemFile(t, testCA().certPem);
  t.after(() => {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
  });
  return server;
}

test("without NODE_USE_ENV_PROXY the proxy variables are ignored, as fetch ignores them", async (t) => {
  const server = await okServer(t);
  const proxy = await startProxy(t);
  proxyEnv(t, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
  assert.deepEqual(await new Mix({ serverURL: server.url }).internal.refreshOAuthTokens(), OK);
  assert.equal(proxy.requests.length + proxy.connects.length, 0);
  assert.equal(server.requests.length, 1);
});

test("plain HTTP goes through HTTP_PROXY, forwarded in absolute form", async (t) => {
  const server = await okServer(t);
  const proxy = await startProxy(t);
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: proxy.url });
  const mix = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  assert.deepEqual(await mix.internal.refreshOAuthTokens({ headers: { "x-id": "7" } }), OK);
  assert.equal(proxy.requests.length, 1);
  assert.equal(proxy.requests[0].url, `${server.url}/internal/auth/refresh-tokens`);
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0].headers["x-id"], "7");
});

test("HTTPS goes through HTTPS_PROXY with CONNECT, and through HTTP_PROXY when that is the only one", async (t) => {
  const server = await tlsServer(t);
  const httpsProxy = await startProxy(t);
  const httpProxy = await startProxy(t);
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: httpProxy.url, HTTPS_PROXY: httpsProxy.url });
  const viaHttpsProxy = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });
  delete process.env.HTTPS_PROXY;
  const viaHttpProxy = new Mix({ serverURL: server.url, retryConfig: NO_RETRY });

  assert.deepEqual(await viaHttpsProxy.internal.refreshOAuthTokens(), JSON.parse(TLS_OK_JSON));
  assert.deepEqual(httpsProxy.connects.map((c) => c.authority), [`127.0.0.1:${server.port}`]);
  assert.deepEqual(await viaHttpProxy.internal.refreshOAuthTokens(), JSON.parse(TLS_OK_JSON));
  assert.deepEqual(httpProxy.connects.map((c) => c.authority), [`127.0.0.1:${server.port}`]);
  assert.equal(httpProxy.requests.length + httpsProxy.requests.length, 0);
  assert.equal(server.requests.length, 2);
});

test("NODE_OPTIONS=--use-env-proxy is the same switch, and lower-case variables win over upper-case", async (t) => {
  const server = await okServer(t);
  const lower = await startProxy(t);
  const upper = await startProxy(t);
  proxyEnv(t, { NODE_OPTIONS: "--use-env-proxy", http_proxy: lower.url, HTTP_PROXY: upper.url });
  assert.deepEqual(await new Mix({ serverURL: server.url }).internal.refreshOAuthTokens(), OK);
  assert.equal(lower.requests.length, 1);
  assert.equal(upper.requests.length, 0);
});

test("NO_PROXY bypasses matching hosts (and ports) and leaves the others proxied", async (t) => {
  const server = await okServer(t);
  const port = new URL(server.url).port;
  const proxy = await startProxy(t);
  const cases = [
    ["127.0.0.1", false],
    [`localhost, 127.0.0.1:${port}`, false],
    ["127.0.0.1:1", true],
    ["*", false],
    ["example.test .other.test", true],
    ["*.0.0.1", false],
    ["0.0.1", false],
  ];
  for (const [noProxy, proxied] of cases) {
    proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: proxy.url, NO_PROXY: noProxy });
    const before = proxy.requests.length;
    assert.deepEqual(await new Mix({ serverURL: server.url }).internal.refreshOAuthTokens(), OK, noProxy);
    assert.equal(proxy.requests.length - before, proxied ? 1 : 0, `NO_PROXY=${noProxy}`);
  }
  assert.equal(server.requests.length, cases.length);
});

test("credentials in the proxy URL are sent as Proxy-Authorization and never logged", async (t) => {
  const server = await okServer(t);
  const tls = await tlsServer(t);
  const proxy = await startProxy(t, { auth: "agent:pr0xy-pass" });
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: withCredentials(proxy.url, "agent", "pr0xy-pass") });
  const lines = [];
  const logger = { group: (...a) => lines.push(a.join(" ")), groupEnd() {}, log: (...a) => lines.push(a.join(" ")) };
  const expected = `Basic ${Buffer.from("agent:pr0xy-pass").toString("base64")}`;

  const plain = new Mix({ serverURL: server.url, retryConfig: NO_RETRY, debugLogger: logger });
  assert.deepEqual(await plain.internal.refreshOAuthTokens(), OK);
  assert.equal(proxy.requests[0].headers["proxy-authorization"], expected);
  assert.equal(server.requests[0].headers["proxy-authorization"], undefined);

  const secure = new Mix({ serverURL: tls.url, retryConfig: NO_RETRY, debugLogger: logger });
  assert.deepEqual(await secure.internal.refreshOAuthTokens(), JSON.parse(TLS_OK_JSON));
  assert.equal(proxy.connects[0].headers["proxy-authorization"], expected);
  assert.equal(tls.requests[0].headers["proxy-authorization"], undefined);

  const text = lines.join("\n");
  assert.ok(text.includes("> Request: POST"), text);
  assert.ok(!text.includes("pr0xy-pass") && !text.includes(expected.slice(6)), text);
});

test("a proxy that wants credentials it did not get is a ConnectionError, for HTTP and HTTPS", async (t) => {
  const server = await okServer(t);
  const tls = await tlsServer(t);
  const proxy = await startProxy(t, { auth: "agent:secret" });
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: proxy.url });
  for (const url of [server.url, tls.url]) {
    const err = await rejection(new Mix({ serverURL: url, retryConfig: NO_RETRY }).internal.refreshOAuthTokens());
    assert.ok(err instanceof errors.ConnectionError, `${url}: ${err}`);
  }
  assert.equal(server.requests.length + tls.requests.length, 0);
});

test("a proxy that is down, refuses the tunnel or drops the connection is a ConnectionError", async (t) => {
  const server = await okServer(t);
  const tls = await tlsServer(t);
  const refusing = await startProxy(t, { mode: "refuse" });
  const dropping = await startProxy(t, { mode: "drop" });
  const down = await refusedURL();
  const cases = [
    [down, server.url],
    [down, tls.url],
    [refusing.url, tls.url],
    [dropping.url, server.url],
    [dropping.url, tls.url],
  ];
  for (const [proxyURL, target] of cases) {
    proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: proxyURL });
    const err = await rejection(new Mix({ serverURL: target, retryConfig: NO_RETRY }).internal.refreshOAuthTokens());
    assert.ok(err instanceof errors.ConnectionError, `proxy ${proxyURL} → ${target}: ${err}`);
  }
  assert.equal(server.requests.length + tls.requests.length, 0);
  assert.equal(refusing.connects.length, 1);
  assert.equal(dropping.requests.length + dropping.connects.length, 2);
});

test("a proxy URL that cannot be used is a TypeError at construction, not a silent direct connection", (t) => {
  for (const bad of ["not a url", "socks5://127.0.0.1:1080"]) {
    proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: bad });
    assert.throws(() => new Mix({ serverURL: "http://127.0.0.1:1" }), TypeError, bad);
  }
});

test("an unusable proxy URL is named in the TypeError with its credentials masked", (t) => {
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: "http://agent:s3cret@bad host:1" });
  assert.throws(
    () => new Mix({ serverURL: "http://127.0.0.1:1" }),
    (err) => err instanceof TypeError && err.message.includes("bad host") && !err.message.includes("s3cret"),
  );
});

test("an empty lower-case variable wins over the upper-case one, as in undici", async (t) => {
  const server = await okServer(t);
  const proxy = await startProxy(t);
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", http_proxy: "", HTTP_PROXY: proxy.url });
  assert.deepEqual(await new Mix({ serverURL: server.url }).internal.refreshOAuthTokens(), OK);
  assert.equal(proxy.requests.length, 0);
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: proxy.url, no_proxy: "", NO_PROXY: "*" });
  assert.deepEqual(await new Mix({ serverURL: server.url }).internal.refreshOAuthTokens(), OK);
  assert.equal(proxy.requests.length, 1);
});

test("a connection refused by a proxy that is down names the proxy, not the target", async (t) => {
  const server = await okServer(t);
  const down = await refusedURL();
  proxyEnv(t, { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: down });
  const err = await rejection(new Mix({ serverURL: server.url, retryConfig: NO_RETRY }).internal.refreshOAuthTokens());
  assert.ok(err instanceof errors.ConnectionError, String(err));
  assert.equal(err.cause.message, `connect ECONNREFUSED ${new URL(down).host}`);
});
