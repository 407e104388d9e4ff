"use strict";
// The hooks entry of the original: SDKHooks and the hook types.

module.exports = { ...require("./hooks.js") };
