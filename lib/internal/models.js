"use strict";
// The `*ToJSON` and `*FromJSON` helpers of every model: outbound
// validation in JS (lib/internal/validate.js), inbound decoding by the same
// Rust decoder the calls use.

const { decodeJson } = require("./native.js");
const { outbound, revive } = require("./validate.js");
const { SchemaValidationError } = require("./schema.js");
const { SDKValidationError } = require("../../models/errors/index.js");

/** `JSON.stringify` of the wire shape; throws the schema error when `value`
 * does not fit (the original throws its raw ZodError). */
function toJSON(schema, value) {
  const issues = [];
  const wire = outbound(schema, value, [], issues);
  if (issues.length > 0) throw new SchemaValidationError(issues);
  return JSON.stringify(wire);
}

/** Parses JSON text into the model; a Result, never a throw. */
function fromJSON(schema, jsonString) {
  const text = String(jsonString);
  const decoded = decodeJson(schema.index, text);
  if (decoded.value !== undefined && decoded.value !== null) {
    return { ok: true, value: revive(schema, JSON.parse(decoded.value)) };
  }
  const issues = JSON.parse(decoded.issues);
  let cause;
  if (issues.length > 0) {
    cause = new SchemaValidationError(issues);
  } else {
    try {
      JSON.parse(text);
      cause = new SyntaxError("Unexpected JSON value");
    } catch (err) {
      cause = err;
    }
  }
  return {
    ok: false,
    error: new SDKValidationError(`Failed to parse '${schema.name}' from JSON`, cause, jsonString),
  };
}

module.exports = { toJSON, fromJSON };
