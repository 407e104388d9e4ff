"use strict";
// From the original's response matchers: `unpackHeaders`, the header map of
// values that carry headers, by the Rust core's rule (crates/mix-core/src/
// operation.rs: split at commas, except dates and cookies). The matchers
// themselves take zod schemas and are not part of this package (README).

const { headerMap } = require("./internal/native.js");

function unpackHeaders(headers) {
  const flat = [];
  for (const [name, value] of headers) flat.push(name, value);
  return JSON.parse(headerMap(flat));
}

module.exports = { unpackHeaders };
