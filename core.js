"use strict";
// MixCore: the client the standalone functions take (no namespaces).

const { ClientSDK } = require("./lib/internal/sdk.js");

class MixCore extends ClientSDK {}

module.exports = { MixCore };
