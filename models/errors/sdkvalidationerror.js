"use strict";
// The original's per-file view of models/errors (the classes live in index.js).

const all = require("./index.js");

module.exports = { SDKValidationError: all.SDKValidationError, formatZodError: all.formatZodError };
