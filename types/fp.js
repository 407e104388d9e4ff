"use strict";
// Result: what the standalone functions resolve with.

const OK = (value) => ({ ok: true, value });
const ERR = (error) => ({ ok: false, error });

function unwrap(r) {
  if (!r.ok) throw r.error;
  return r.value;
}

async function unwrapAsync(pr) {
  const r = await pr;
  if (!r.ok) throw r.error;
  return r.value;
}

module.exports = { OK, ERR, unwrap, unwrapAsync };
