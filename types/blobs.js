"use strict";
// isBlobLike: a Blob, or an object that says it is one ("Blob"/"File" tag)
// and has a stream() method. (The original's zod `blobLikeSchema` is not
// part of this package: see the README.)

function isBlobLike(val) {
  if (val instanceof Blob) return true;
  if (typeof val !== "object" || val === null || !(Symbol.toStringTag in val)) return false;
  const tag = val[Symbol.toStringTag];
  return (tag === "Blob" || tag === "File") && "stream" in val && typeof val.stream === "function";
}

module.exports = { isBlobLike };
