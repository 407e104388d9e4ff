"use strict";
// The `types` entry of the original SDK.

module.exports = { ...require("./async.js"), ...require("./fp.js"), ...require("./enums.js") };
