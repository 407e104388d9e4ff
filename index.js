"use strict";
// The package entry: Mix with its lazily created `internal` namespace, plus
// the server list, metadata and HTTPClient of the original SDK.

const { ClientSDK, ServerList, SDK_METADATA, serverURLFromOptions, callRefreshOAuthTokens } = require("./lib/internal/sdk.js");
const { HTTPClient } = require("./lib/http.js");

const { toError } = require("./lib/internal/outcome.js");

function valueOrThrow(outcome) {
  if (outcome.kind === "value") return outcome.value;
  throw toError(outcome);
}

/** The `internal` operations of a client. */
class Internal {
  #client;

  constructor(client) {
    this.#client = client;
  }

  /** The client of a namespace; undefined when called on something else
   * (an unbound method), which the call then rejects. */
  static clientOf(namespace) {
    return typeof namespace === "object" && namespace !== null && #client in namespace
      ? namespace.#client
      : undefined;
  }

  /** Manually refresh OAuth tokens. Rejects with one of models/errors. */
  refreshOAuthTokens(options) {
    return callRefreshOAuthTokens(Internal.clientOf(this), options, false).then(valueOrThrow);
  }
}

class Mix extends ClientSDK {
  get internal() {
    return (this._internal ??= new Internal(this));
  }
}

module.exports = { Mix, HTTPClient, ServerList, SDK_METADATA, serverURLFromOptions };
