"use strict";
// The server list, metadata and server URL resolution of the original.

const { ServerList, SDK_METADATA, serverURLFromOptions } = require("./internal/config.js");

module.exports = { ServerList, SDK_METADATA, serverURLFromOptions };
