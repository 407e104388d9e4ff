// Imports (CONTRACT §2): every specifier loads through ESM `import` and
// CommonJS `require`, has its named exports, and both ways hand out the very
// same objects (one class identity, so `instanceof` holds across them).

import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const ERRORS = [
  "MixError",
  "ErrorResponse",
  "MixDefaultError",
  "ResponseValidationError",
  "SDKValidationError",
  "HTTPClientError",
  "ConnectionError",
  "RequestTimeoutError",
  "RequestAbortedError",
  "InvalidRequestError",
  "UnexpectedClientError",
];

/** specifier -> named runtime exports and their `typeof` (types-only names are not here). */
const SPECIFIERS = {
  "mix-typescript-sdk": {
    Mix: "function",
    HTTPClient: "function",
    ServerList: "object",
    SDK_METADATA: "object",
    serverURLFromOptions: "function",
  },
  "mix-typescript-sdk/core.js": { MixCore: "function" },
  "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js": { authenticationRefreshOAuthTokens: "function" },
  "mix-typescript-sdk/models/errors": Object.fromEntries(ERRORS.map((n) => [n, "function"])),
  "mix-typescript-sdk/models/errors/index.js": Object.fromEntries(ERRORS.map((n) => [n, "function"])),
  "mix-typescript-sdk/models/operations": { refreshOAuthTokensResponseFromJSON: "function" },
  "mix-typescript-sdk/models/operations/index.js": { refreshOAuthTokensResponseFromJSON: "function" },
  "mix-typescript-sdk/models": { RESTErrorType: "object" },
  "mix-typescript-sdk/models/index.js": { RESTErrorType: "object" },
  "mix-typescript-sdk/lib/retries.js": {},
  "mix-typescript-sdk/lib/sdks.js": {},
  "mix-typescript-sdk/lib/http": { HTTPClient: "function" },
  "mix-typescript-sdk/lib/http.js": { HTTPClient: "function" },
  "mix-typescript-sdk/types": { APIPromise: "function" },
  "mix-typescript-sdk/types/index.js": { APIPromise: "function" },
};

for (const [specifier, exports] of Object.entries(SPECIFIERS)) {
  const names = Object.keys(exports);
  const what = names.length ? names.join(", ") : "no runtime values (types only)";
  test(`${specifier} loads through import and require and exports ${what}, the same objects both ways`, async () => {
    const esm = await import(specifier);
    const cjs = require(specifier);
    for (const [name, kind] of Object.entries(exports)) {
      assert.equal(typeof esm[name], kind, `import: ${name} is ${typeof esm[name]}`);
      assert.equal(typeof cjs[name], kind, `require: ${name} is ${typeof cjs[name]}`);
      assert.equal(esm[name], cjs[name], `${name} differs between import and require`);
    }
  });
}

test("the same class is exported by every specifier that names it", async () => {
  const root = await import("mix-typescript-sdk");
  assert.equal((await import("mix-typescript-sdk/lib/http")).HTTPClient, root.HTTPClient);
  assert.equal(require("mix-typescript-sdk/lib/http.js").HTTPClient, root.HTTPClient);
  const errors = await import("mix-typescript-sdk/models/errors");
  const errorsIndex = require("mix-typescript-sdk/models/errors/index.js");
  for (const name of ERRORS) assert.equal(errors[name], errorsIndex[name], name);
  assert.equal(
    (await import("mix-typescript-sdk/models/operations")).refreshOAuthTokensResponseFromJSON,
    require("mix-typescript-sdk/models/operations/index.js").refreshOAuthTokensResponseFromJSON,
  );
  assert.equal((await import("mix-typescript-sdk/types")).APIPromise, require("mix-typescript-sdk/types/index.js").APIPromise);
});

test("an error thrown by a client loaded through require is an instance of the classes loaded through import", async () => {
  const { Mix } = require("mix-typescript-sdk");
  const { InvalidRequestError, HTTPClientError } = await import("mix-typescript-sdk/models/errors");
  const mix = new Mix({ serverURL: "http://127.0.0.1:9" });
  const err = await mix.internal.refreshOAuthTokens({ serverURL: "" }).then(
    () => assert.fail("the call resolved"),
    (e) => e,
  );
  assert.ok(err instanceof InvalidRequestError);
  assert.ok(err instanceof HTTPClientError);
});

test("ServerList holds the one documented server", async () => {
  const { ServerList } = await import("mix-typescript-sdk");
  assert.deepEqual([...ServerList], ["http://localhost:8088"]);
});

test("RESTErrorType maps the five error type names to their wire values", async () => {
  const { RESTErrorType } = await import("mix-typescript-sdk/models");
  assert.deepEqual({ ...RESTErrorType }, {
    BadRequest: "bad_request",
    NotFound: "not_found",
    InternalError: "internal_error",
    Unauthorized: "unauthorized",
    ValidationError: "validation_error",
  });
});

test("SDK_METADATA describes version 0.7.13 of the TypeScript SDK for API 1.0.0", async () => {
  const { SDK_METADATA } = await import("mix-typescript-sdk");
  assert.equal(SDK_METADATA.language, "typescript");
  assert.equal(SDK_METADATA.sdkVersion, "0.7.13");
  assert.equal(SDK_METADATA.openapiDocVersion, "1.0.0");
  assert.equal(SDK_METADATA.genVersion, "2.723.11");
  assert.equal(SDK_METADATA.userAgent, "speakeasy-sdk/typescript 0.7.13 2.723.11 1.0.0 mix-typescript-sdk");
});
