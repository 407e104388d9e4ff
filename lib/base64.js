"use strict";
// Base64 and UTF-8 conversions of the original. (Its zod schemas
// `zodInbound`/`zodOutbound` are not part of this package: see README.)

const bytesToBase64 = (u8arr) => Buffer.from(u8arr.buffer, u8arr.byteOffset, u8arr.byteLength).toString("base64");
const bytesFromBase64 = (encoded) => new Uint8Array(Buffer.from(encoded, "base64"));
const stringToBytes = (str) => new TextEncoder().encode(str);
const stringFromBytes = (u8arr) => new TextDecoder().decode(u8arr);
const stringToBase64 = (str) => bytesToBase64(stringToBytes(str));
const stringFromBase64 = (b64str) => stringFromBytes(bytesFromBase64(b64str));

module.exports = { bytesToBase64, bytesFromBase64, stringToBytes, stringFromBytes, stringToBase64, stringFromBase64 };
