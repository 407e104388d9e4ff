"use strict";
// Writes the attempts a debug-enabled call recorded (secrets already masked
// by the Rust core) in the original's layout: one group per request and per
// response, each with its headers and body.

const { envVar } = require("./environment.js");

function logPairs(logger, flat) {
  logger.group("Headers:");
  for (let i = 0; i + 1 < flat.length; i += 2) logger.log(`${flat[i]}: ${flat[i + 1]}`);
  logger.groupEnd();
}

function logAttempts(logger, attempts) {
  for (const a of attempts ?? []) {
    logger.group(`> Request: ${a.method} ${a.url}`);
    logPairs(logger, a.requestHeaders);
    logger.group("Body:");
    logger.log(a.requestBody ?? "<no body>");
    logger.groupEnd();
    logger.groupEnd();
    logger.group(`< Response: ${a.method} ${a.url}`);
    if (a.status !== undefined) {
      logger.log("Status Code:", a.status);
      logPairs(logger, a.responseHeaders ?? []);
    }
    logger.group("Body:");
    logger.log(a.error !== undefined ? `<error: ${a.error}>` : a.responseBody ?? "");
    logger.groupEnd();
    logger.groupEnd();
  }
}

/** Problems the client met setting up its trust store (see pool.rs). */
function logWarnings(logger, warnings) {
  for (const warning of warnings) logger.log(`Warning: ${warning}`);
}

/** Whether MIX_DEBUG asks for debug logging (set, and not "0" or "false"). */
function debugFromEnv() {
  const flag = envVar("MIX_DEBUG");
  return Boolean(flag) && flag !== "0" && flag !== "false";
}

/** The logger a client uses: its debugLogger, else console when MIX_DEBUG is set. */
function loggerFor(options) {
  if (options.debugLogger) return options.debugLogger;
  return debugFromEnv() ? console : undefined;
}

module.exports = { logAttempts, logWarnings, loggerFor, debugFromEnv };
