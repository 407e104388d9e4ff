"use strict";
// parse / safeParse of the original: run a validating function and turn
// its schema error into an SDKValidationError. (collectExtraKeys, which
// works on zod objects, is not part of this package: see the README.)

const { SDKValidationError } = require("../models/errors/index.js");
const { isSchemaError } = require("./internal/schema.js");

function isValidationFailure(err) {
  return isSchemaError(err) || err?.name === "ZodError";
}

function parse(rawValue, fn, errorMessage) {
  try {
    return fn(rawValue);
  } catch (err) {
    if (isValidationFailure(err)) throw new SDKValidationError(errorMessage, err, rawValue);
    throw err;
  }
}

function safeParse(rawValue, fn, errorMessage) {
  try {
    return { ok: true, value: fn(rawValue) };
  } catch (err) {
    return { ok: false, error: new SDKValidationError(errorMessage, err, rawValue) };
  }
}

module.exports = { parse, safeParse };
