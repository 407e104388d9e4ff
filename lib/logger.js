"use strict";
// Logger is a type only (see logger.d.ts).

module.exports = {};
