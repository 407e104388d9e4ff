"use strict";
// Standalone refreshOAuthTokens: never rejects for the documented errors;
// resolves { ok: true, value } or { ok: false, error }.

const { callRefreshOAuthTokens } = require("../lib/internal/sdk.js");
const { toResultPair } = require("../lib/internal/outcome.js");
const { APIPromise } = require("../types/index.js");

function authenticationRefreshOAuthTokens(client, options) {
  return new APIPromise(callRefreshOAuthTokens(client, options, true).then(toResultPair));
}

module.exports = { authenticationRefreshOAuthTokens };
