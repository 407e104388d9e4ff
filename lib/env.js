"use strict";
// The environment the SDK reads: MIX_DEBUG (see lib/internal/debug.js for
// the rule). (The original's zod `envSchema` is not part of this package.)

const { debugFromEnv } = require("./internal/debug.js");

let memo;

function env() {
  memo ??= { MIX_DEBUG: debugFromEnv() || undefined };
  return memo;
}

function resetEnv() {
  memo = undefined;
}

module.exports = { env, resetEnv };
