"use strict";
// The parameter encoders of the original's library (OpenAPI styles: matrix,
// label, form, space/pipe delimited, deepObject, JSON, simple), for programs
// that imported them. This package's own requests do not use them: their
// path and query are encoded in the Rust core (crates/mix-core/src/url.rs).

const { bytesToBase64 } = require("./base64.js");
const { isPlainObject } = require("./is-plain-object.js");

class EncodingError extends Error {
  constructor(message) {
    super(message);
    this.name = "EncodingError";
  }
}

const replacer = (_, value) => (value instanceof Uint8Array ? bytesToBase64(value) : value);

function serialize(value) {
  if (value == null) return "";
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (typeof value === "object") return JSON.stringify(value, replacer);
  return `${value}`;
}

/** The pairs a value stands for: an array's items under `key`, an object's entries, or itself. */
function pairsOf(key, value, explode) {
  if (!explode) return [[key, value]];
  if (Array.isArray(value)) return value.map((v) => [key, v]);
  if (isPlainObject(value)) return Object.entries(value);
  return [[key, value]];
}

/** `mapper` over the defined items; null when none is left. */
function mapDefined(items, mapper) {
  const out = [];
  for (const item of items) {
    if (item == null) continue;
    const mapped = mapper(item);
    if (mapped != null) out.push(mapped);
  }
  return out.length > 0 ? out : null;
}

function mapDefinedEntries(entries, mapper) {
  return mapDefined(
    entries.filter(([, v]) => v != null),
    (entry) => mapper(entry),
  );
}

function coder(options) {
  const str = (v) => (options?.charEncoding === "percent" ? encodeURIComponent(v) : v);
  return { str, val: (v) => str(serialize(v)) };
}

/**
 * One pair's encoded value in the path styles: array items joined with
 * `sep`, object entries as `k<sep>v` pairs joined with `sep`, else
 * `scalar()`; null when nothing is left.
 */
function styledValue(pv, sep, str, val, scalar) {
  if (Array.isArray(pv)) return mapDefined(pv, (v) => val(v))?.join(sep);
  if (isPlainObject(pv)) {
    return mapDefinedEntries(Object.entries(pv), ([k, v]) => `${sep}${str(k)}${sep}${val(v)}`)?.join("").slice(1);
  }
  return scalar();
}

/**
 * Runs `add(pk, encoded, str)` for each defined pair; false when all are
 * null. With `scalarKey`, an exploded object's scalar values are written
 * `<scalarKey(pk)>=<value>`.
 */
function eachStyled(key, value, options, sep, scalarKey, add) {
  const pairs = pairsOf(key, value, options?.explode);
  if (pairs.every(([, v]) => v == null)) return false;
  const { str, val } = coder(options);
  for (const [pk, pv] of pairs) {
    if (pv == null) continue;
    const prefix = scalarKey && options?.explode && isPlainObject(value) ? `${scalarKey(pk, str)}=` : "";
    add(pk, styledValue(pv, sep, str, val, () => `${prefix}${val(pv)}`), str);
  }
  return true;
}

function encodeMatrix(key, value, options) {
  let out = "";
  const any = eachStyled(key, value, options, ",", null, (pk, encoded, str) => {
    if (encoded == null) return;
    let part = `${str(pk)}=${encoded}`;
    if (part === `${str(pk)}=`) part = part.slice(0, -1);
    if (part) out += `;${part}`;
  });
  return any ? out : undefined;
}

function encodeLabel(key, value, options) {
  let out = "";
  const any = eachStyled(key, value, options, ".", (pk, str) => str(pk), (pk, encoded) => {
    out += encoded == null ? "" : `.${encoded}`;
  });
  return any ? out : undefined;
}

function formEncoder(separator) {
  return (key, value, options) => {
    const pairs = pairsOf(key, value, options?.explode);
    if (pairs.every(([, v]) => v == null)) return undefined;
    const { str, val } = coder(options);
    const sep = str(separator);
    let out = "";
    for (const [pk, pv] of pairs) {
      if (pv == null) continue;
      let encoded;
      if (Array.isArray(pv)) encoded = mapDefined(pv, (v) => val(v))?.join(sep);
      else if (isPlainObject(pv)) encoded = mapDefinedEntries(Object.entries(pv), ([k, v]) => `${str(k)}${sep}${val(v)}`)?.join(sep);
      else encoded = val(pv);
      if (encoded == null) continue;
      const part = `${str(pk)}=${encoded}`;
      if (part && part !== "=") out += `&${part}`;
    }
    return out.slice(1);
  };
}

const encodeForm = formEncoder(",");
const encodeSpaceDelimited = formEncoder(" ");
const encodePipeDelimited = formEncoder("|");

function encodeBodyForm(key, value, options) {
  const { str, val } = coder(options);
  let out = "";
  for (const [pk, pv] of pairsOf(key, value, options?.explode)) {
    if (pv == null) continue;
    const encoded = Array.isArray(pv) || isPlainObject(pv) ? JSON.stringify(pv, replacer) : val(pv);
    const part = `${str(pk)}=${encoded}`;
    if (part && part !== "=") out += `&${part}`;
  }
  return out.slice(1);
}

function encodeDeepObject(key, value, options) {
  if (value == null) return undefined;
  if (!isPlainObject(value)) {
    throw new EncodingError(`Value of parameter '${key}' which uses deepObject encoding must be an object or null`);
  }
  return encodeDeepObjectObject(key, value, options);
}

function encodeDeepObjectObject(key, value, options) {
  if (value == null) return undefined;
  if (!isPlainObject(value)) throw new EncodingError(`Expected parameter '${key}' to be an object.`);
  const { str } = coder(options);
  let out = "";
  for (const [ck, cv] of Object.entries(value)) {
    if (cv == null) continue;
    const pk = `${key}[${ck}]`;
    if (isPlainObject(cv)) {
      const inner = encodeDeepObjectObject(pk, cv, options);
      out += inner == null ? "" : `&${inner}`;
      continue;
    }
    const encoded = mapDefined(Array.isArray(cv) ? cv : [cv], (v) => `${str(pk)}=${str(serialize(v))}`)?.join("&");
    out += encoded == null ? "" : `&${encoded}`;
  }
  return out.slice(1);
}

function encodeJSON(key, value, options) {
  if (value === undefined) return undefined;
  const { str } = coder(options);
  const encoded = str(JSON.stringify(value, replacer));
  return options?.explode ? encoded : `${str(key)}=${encoded}`;
}

function encodeSimple(key, value, options) {
  let out = "";
  const any = eachStyled(key, value, options, ",", (pk) => pk, (pk, encoded) => {
    out += encoded ? `,${encoded}` : "";
  });
  return any ? out.slice(1) : undefined;
}

function queryJoin(...args) {
  return args.filter(Boolean).join("&");
}

/** A per-parameter encoder made into one for a whole `{ name: value }`
 * query (exploded and percent-encoded unless told otherwise). */
function queryEncoder(f) {
  return (values, options) => {
    const opts = { ...options, explode: options?.explode ?? true, charEncoding: options?.charEncoding ?? "percent" };
    return queryJoin(...Object.entries(values).map(([key, value]) => f(key, value, opts)));
  };
}

const encodeJSONQuery = queryEncoder(encodeJSON);
const encodeFormQuery = queryEncoder(encodeForm);
const encodeSpaceDelimitedQuery = queryEncoder(encodeSpaceDelimited);
const encodePipeDelimitedQuery = queryEncoder(encodePipeDelimited);
const encodeDeepObjectQuery = queryEncoder(encodeDeepObject);

function appendForm(fd, key, value, fileName) {
  if (value == null) return;
  if (value instanceof Blob && fileName) fd.append(key, value, fileName);
  else if (value instanceof Blob) fd.append(key, value);
  else fd.append(key, String(value));
}

module.exports = {
  EncodingError,
  encodeMatrix,
  encodeLabel,
  encodeForm,
  encodeSpaceDelimited,
  encodePipeDelimited,
  encodeBodyForm,
  encodeDeepObject,
  encodeDeepObjectObject,
  encodeJSON,
  encodeSimple,
  queryJoin,
  queryEncoder,
  encodeJSONQuery,
  encodeFormQuery,
  encodeSpaceDelimitedQuery,
  encodePipeDelimitedQuery,
  encodeDeepObjectQuery,
  appendForm,
};
