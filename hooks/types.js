"use strict";
// The hook types of the original (types only, see types.d.ts).

module.exports = {};
