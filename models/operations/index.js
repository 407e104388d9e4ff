"use strict";
// RefreshOAuthTokensResponse helpers. Decoding uses the Rust core's schema,
// the same one the calls use.

const { decodeRefreshValueJson } = require("../../lib/internal/native.js");
const { SDKValidationError } = require("../errors/index.js");
const { SchemaValidationError, schemaIssues } = require("../../lib/internal/schema.js");

const FROM_JSON_MESSAGE = "Failed to parse 'RefreshOAuthTokensResponse' from JSON";

/** Parses JSON text into a RefreshOAuthTokensResponse; a Result, never a throw. */
function refreshOAuthTokensResponseFromJSON(jsonString) {
  const decoded = decodeRefreshValueJson(String(jsonString));
  if (decoded.value !== undefined) return { ok: true, value: decoded.value };
  let cause;
  if (decoded.issues.length > 0) {
    cause = new SchemaValidationError(schemaIssues(decoded.issues));
  } else {
    try {
      JSON.parse(jsonString);
      cause = new SyntaxError("Unexpected JSON value");
    } catch (err) {
      cause = err;
    }
  }
  return { ok: false, error: new SDKValidationError(FROM_JSON_MESSAGE, cause, jsonString) };
}

module.exports = { refreshOAuthTokensResponseFromJSON };
