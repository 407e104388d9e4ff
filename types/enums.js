"use strict";
// Every enum of this API is closed; `catchUnrecognizedEnum` is kept for
// code written against the original.

const catchUnrecognizedEnum = (value) => value;

module.exports = { catchUnrecognizedEnum };
