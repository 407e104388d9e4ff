"use strict";
// dlv: a nested property by dotted path or key list, or a default.

function dlv(obj, key, def, p, undef) {
  const keys = Array.isArray(key) ? key : key.split(".");
  for (p = 0; p < keys.length; p++) {
    const k = keys[p];
    obj = k != null && obj ? obj[k] : undef;
  }
  return obj === undef ? def : obj;
}

module.exports = { dlv };
