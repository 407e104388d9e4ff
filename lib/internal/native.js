"use strict";
// Loads the napi-generated binding (binding.js picks the .node file for this
// platform). Everything native is reached through this one module.
module.exports = require("../../binding.js");
