"use strict";
// The package entry: Mix (sdk/sdk.js, generated) with the server list,
// metadata and HTTPClient of the original SDK.

const { ServerList, SDK_METADATA, serverURLFromOptions } = require("./lib/internal/sdk.js");
const { HTTPClient } = require("./lib/http.js");
const { Mix } = require("./sdk/sdk.js");
const files = require("./lib/files.js");

module.exports = { Mix, HTTPClient, files, ServerList, SDK_METADATA, serverURLFromOptions };
