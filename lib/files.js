"use strict";
// File helpers of the original: the content type of a file name, and a
// ReadableStream read to its end.

const TYPES = {
  json: "application/json",
  xml: "application/xml",
  html: "text/html",
  htm: "text/html",
  txt: "text/plain",
  csv: "text/csv",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  js: "application/javascript",
  css: "text/css",
  zip: "application/zip",
  tar: "application/x-tar",
  gz: "application/gzip",
  mp4: "video/mp4",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  webp: "image/webp",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
};

/**
 * The content type for a file name's extension (the text after its last
 * `.`, lower-cased; the whole name when it has none), or `null`. As in the
 * original, the table is a plain object, so `constructor` and `__proto__`
 * give what `Object.prototype` holds under those names.
 */
function getContentTypeFromFileName(fileName) {
  if (!fileName) return null;
  const ext = fileName.toLowerCase().split(".").pop();
  if (!ext) return null;
  return TYPES[ext] || null;
}

/** Reads a stream to its end into one ArrayBuffer. */
async function readableStreamToArrayBuffer(readable) {
  const reader = readable.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out.buffer;
}

module.exports = { getContentTypeFromFileName, readableStreamToArrayBuffer };
