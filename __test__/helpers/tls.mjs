// Certificates made at test time, and an HTTPS server on loopback that uses
// them, for the specs that check how the client trusts servers: a test CA,
// server certificates it signs (expired ones too), self-signed leaves, PEM
// files for the client options. X.509 v3 with subjectAltName, as rustls wants.

import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import forge from "node-forge";

export const TLS_OK_JSON = '{"message":"ok","status":"success"}';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Makes a CA certificate (basicConstraints cA critical, keyUsage keyCertSign
 * and cRLSign) valid from yesterday for a year.
 * Returns `{ cert, key }` as forge objects and `{ certPem, keyPem }`.
 */
export function makeCA({ commonName = "Mix Test CA" } = {}) {
  const keys = rsaKeys();
  const subject = [{ name: "commonName", value: commonName }];
  const cert = sign(keys, { cert: null, key: keys.privateKey }, subject, {
    extensions: [
      { name: "basicConstraints", critical: true, cA: true },
      { name: "keyUsage", critical: true, keyCertSign: true, cRLSign: true },
      { name: "subjectKeyIdentifier" },
    ],
  });
  return { cert, key: keys.privateKey, certPem: toPem(cert), keyPem: keys.keyPem };
}

let sharedCA;

/** The CA of this process: made on the first call, the same object after. */
export function testCA() {
  sharedCA ??= makeCA();
  return sharedCA;
}

/**
 * Issues a server certificate signed by `ca` for the given DNS names and IP
 * addresses (subjectAltName), valid from yesterday for a year unless
 * `notBefore`/`notAfter` (Dates) say otherwise. Returns `{ certPem, keyPem }`.
 */
export function issueCert(ca, { dnsNames = [], ips = [], commonName, notBefore, notAfter } = {}) {
  const keys = leafKeys();
  const cert = sign(keys, ca, cn(commonName, dnsNames, ips), {
    notBefore,
    notAfter,
    extensions: [
      ...serverExtensions(dnsNames, ips),
      { name: "authorityKeyIdentifier", keyIdentifier: caKeyIdentifier(ca.cert) },
    ],
  });
  return { certPem: toPem(cert), keyPem: keys.keyPem };
}

/**
 * A server certificate that is its own issuer and not a CA, so no trust store
 * accepts it. Names default to localhost and 127.0.0.1. Returns `{ certPem, keyPem }`.
 */
export function selfSignedCert({ dnsNames = ["localhost"], ips = ["127.0.0.1"] } = {}) {
  const keys = leafKeys();
  const cert = sign(keys, { cert: null, key: keys.privateKey }, cn(undefined, dnsNames, ips), {
    extensions: serverExtensions(dnsNames, ips),
  });
  return { certPem: toPem(cert), keyPem: keys.keyPem };
}

/** Writes the PEMs, one after another, to a new temporary file removed when the test ends; returns its path. */
export function pemFile(t, ...pems) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mix-tls-"));
  const file = path.join(dir, "bundle.pem");
  fs.writeFileSync(file, pems.map((p) => p.trimEnd() + "\n").join(""));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
}

/**
 * A `node:https` server on 127.0.0.1 with that certificate. Records each
 * request as `{ method, url, headers }` and answers through `respond(req, res)`,
 * by default 200 with TLS_OK_JSON. Closes its connections and itself when the test ends.
 */
export async function httpsServer(t, { certPem, keyPem, respond = answerOk }) {
  const requests = [];
  const sockets = new Set();
  const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    respond(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address();
  return { url: `https://127.0.0.1:${port}`, port, requests, server };
}

function answerOk(req, res) {
  req.resume();
  res.writeHead(200, { "content-type": "application/json" });
  res.end(TLS_OK_JSON);
}

let sharedLeafKeys;

// Every server certificate of the process shares one key pair (each CA has
// its own): a 2048-bit key takes Node 0.1-0.4 s to make.
function leafKeys() {
  sharedLeafKeys ??= rsaKeys();
  return sharedLeafKeys;
}

// Node makes the key (forge's pure-JS generator takes seconds); forge signs.
function rsaKeys() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    keyPem: privateKey,
  };
}

// An X.509 v3 certificate for `keys` with `subject`, signed (SHA-256) by
// `issuer` ({ cert, key }; cert null means self-signed).
function sign(keys, issuer, subject, { notBefore, notAfter, extensions }) {
  const cert = forge.pki.createCertificate();
  cert.version = 2;
  cert.serialNumber = serialNumber();
  cert.publicKey = keys.publicKey;
  const now = Date.now();
  cert.validity.notBefore = notBefore ?? new Date(now - DAY_MS);
  cert.validity.notAfter = notAfter ?? new Date(now + 365 * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer.cert ? issuer.cert.subject.attributes : subject);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

// forge writes the hex as the INTEGER's bytes as-is: a first byte of 0x80 or
// more would make the serial negative, 0x00 would make it non-minimal DER.
function serialNumber() {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString("hex");
}

function serverExtensions(dnsNames, ips) {
  return [
    { name: "keyUsage", critical: true, digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
    },
    { name: "subjectKeyIdentifier" },
  ];
}

// forge's `keyIdentifier: true` would take the new certificate's own key, not the issuer's.
function caKeyIdentifier(caCert) {
  return forge.util.hexToBytes(caCert.getExtension("subjectKeyIdentifier").subjectKeyIdentifier);
}

function cn(commonName, dnsNames, ips) {
  return [{ name: "commonName", value: commonName ?? dnsNames[0] ?? ips[0] ?? "Mix Test Server" }];
}

// forge ends PEM lines with CRLF; Node's own keys use LF.
function toPem(cert) {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n");
}
