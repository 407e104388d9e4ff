"use strict";
// Whether a value is a plain object (`{}`, `Object.create(null)`, or an
// object from another realm's Object), not a class instance, Map or array.

function isPlainObject(value) {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  const plainProto = proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
  return plainProto && !(Symbol.toStringTag in value) && !(Symbol.iterator in value);
}

module.exports = { isPlainObject };
