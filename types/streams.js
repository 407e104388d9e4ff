"use strict";
// isReadableStream: anything with getReader, cancel and tee methods.

function isReadableStream(val) {
  if (typeof val !== "object" || val === null) return false;
  return typeof val.getReader === "function" && typeof val.cancel === "function" && typeof val.tee === "function";
}

module.exports = { isReadableStream };
