"use strict";
// ClientSDK, the base class of Mix and MixCore; RequestOptions is a type only.
const { ClientSDK } = require("./internal/sdk.js");

module.exports = { ClientSDK };
