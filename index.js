"use strict";
// The package entry: Mix with its lazily created `internal` namespace, plus
// the server list, metadata and HTTPClient of the original SDK.

const { ClientSDK, ServerList, SDK_METADATA, serverURLFromOptions, callRefreshOAuthTokens } = require("./lib/internal/sdk.js");
const { HTTPClient } = require("./lib/http.js");

// The error classes are loaded with the first client (see sdk.js), not at
// import; by the first failure this require finds them in the cache.
let outcomes;

function valueOrThrow(outcome) {
  if (outcome.kind === "value") return outcome.value;
  throw (outcomes ??= require("./lib/internal/outcome.js")).toError(outcome);
}

/** The `internal` operations of a client. */
class Internal {
  #client;

  constructor(client) {
    this.#client = client;
  }

  /** Manually refresh OAuth tokens. Rejects with one of models/errors. */
  refreshOAuthTokens(options) {
    return callRefreshOAuthTokens(this.#client, options, false).then(valueOrThrow);
  }
}

class Mix extends ClientSDK {
  get internal() {
    return (this._internal ??= new Internal(this));
  }
}

module.exports = { Mix, HTTPClient, ServerList, SDK_METADATA, serverURLFromOptions };
