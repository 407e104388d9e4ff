"use strict";
// Values going out (requests, `*ToJSON`) are validated and turned into their
// wire shape here, with the original SDK's zod semantics: no coercion,
// `undefined` is absent (and gets the field's default), `null` only where a
// schema allows it, unknown keys dropped, closed enums, integer checks, and
// zod's issue objects with caller-side paths. Values coming in are decoded
// in Rust (crates/mix-core/src/decode.rs); `revive` then turns their
// date-time strings into `Date`s.
//
// Schemas are the generated tables of lib/internal/schemas.js: "string",
// "number", "int", "boolean", "datetime", "freeform" (any object, unnamed),
// { enum }, { array }, { record },
// { nullable }, { freeform }, { alias } (a named other schema), { jsontext }
// (an event's data: JSON text coming in, the value itself going out, as in
// the original), { events } (a stream: never a value going out), "binary"
// (a file's content: a ReadableStream, Blob, ArrayBuffer or Uint8Array),
// { upload } (a file: the named type, or a Blob), a union
// { name, tag, members: [[tag value, schema], …] }, or an object type
// { name, fields: [[name, wire, schema, optional, default?], …] }.

/** zod 3's name for the type of a value. */
function parsedType(v) {
  switch (typeof v) {
    case "number":
      return Number.isNaN(v) ? "nan" : "number";
    case "object":
      if (v === null) return "null";
      if (Array.isArray(v)) return "array";
      if (typeof v.then === "function" && typeof v.catch === "function") return "promise";
      if (v instanceof Map) return "map";
      if (v instanceof Set) return "set";
      if (v instanceof Date) return "date";
      return "object";
    default:
      return typeof v;
  }
}

function typeIssue(issues, path, expected, received) {
  issues.push({
    code: "invalid_type",
    expected,
    received,
    path: [...path],
    message: received === "undefined" ? "Required" : `Expected ${expected}, received ${received}`,
  });
}

const quoted = (values) => values.map((v) => `'${v}'`).join(" | ");

/**
 * The wire shape of `value` under `schema`; problems are pushed to
 * `issues` (the result is then meaningless).
 */
function outbound(schema, value, path, issues) {
  switch (schema) {
    case "string":
    case "boolean":
      if (typeof value !== schema) typeIssue(issues, path, schema, parsedType(value));
      return value;
    case "number":
    case "int": {
      const type = parsedType(value);
      if (type !== "number") typeIssue(issues, path, "number", type);
      else if (schema === "int" && !Number.isInteger(value)) {
        issues.push({
          code: "invalid_type",
          expected: "integer",
          received: "float",
          message: "Expected integer, received float",
          path: [...path],
        });
      }
      return value;
    }
    case "freeform": {
      // Any object, kept whole (SURFACE D6).
      const type = parsedType(value);
      if (type !== "object") typeIssue(issues, path, "object", type);
      return value;
    }
    case "binary":
      if (!BINARY_CLASSES.some((C) => value instanceof C)) {
        issues.push(unionIssue(path, BINARY_CLASSES.map((C) => [instanceIssue(path, `Input not instance of ${C.name}`)])));
      }
      return value;
    case "datetime": {
      const type = parsedType(value);
      if (type !== "date") typeIssue(issues, path, "date", type);
      else if (Number.isNaN(value.getTime())) {
        issues.push({ code: "invalid_date", path: [...path], message: "Invalid date" });
      } else return value.toISOString();
      return value;
    }
  }
  if (schema.fields) return outboundObject(schema, value, path, issues);
  if (schema.alias) return outbound(schema.alias, value, path, issues);
  if (schema.jsontext) return outbound(schema.jsontext, value, path, issues);
  if (schema.members) return outboundUnion(schema, value, path, issues);
  if (schema.upload) return outboundFile(schema.upload, value, path, issues);
  if (schema.events) {
    issues.push({
      code: "invalid_type",
      expected: "never",
      received: parsedType(value),
      path: [...path],
      message: `Expected never, received ${parsedType(value)}`,
    });
    return value;
  }
  if (schema.enum) {
    const type = parsedType(value);
    if (type !== "string" && type !== "number") typeIssue(issues, path, quoted(schema.enum), type);
    else if (!schema.enum.includes(value)) {
      issues.push({
        received: value,
        code: "invalid_enum_value",
        options: schema.enum,
        path: [...path],
        message: `Invalid enum value. Expected ${quoted(schema.enum)}, received '${value}'`,
      });
    }
    return value;
  }
  if (schema.nullable) return value === null ? null : outbound(schema.nullable, value, path, issues);
  if (schema.array) {
    const type = parsedType(value);
    if (type !== "array") {
      typeIssue(issues, path, "array", type);
      return value;
    }
    // Holes are undefined, as zod sees them (Array.prototype.map would skip them).
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = outbound(schema.array, value[i], [...path, i], issues);
    return out;
  }
  const type = parsedType(value);
  if (type !== "object") {
    typeIssue(issues, path, "object", type);
    return value;
  }
  if (schema.freeform) return value; // kept whole (SURFACE D6)
  const out = {};
  for (const key of Object.keys(value)) out[key] = outbound(schema.record, value[key], [...path, key], issues);
  return out;
}

/** The classes of a file's content (zod's `instanceof` checks, in order). */
const BINARY_CLASSES = [ReadableStream, Blob, ArrayBuffer, Uint8Array];

const instanceIssue = (path, message) => ({ code: "custom", message, fatal: true, path: [...path] });

/** zod's issue for a union no member of which fits: each member's issues. */
function unionIssue(path, memberIssues) {
  return {
    code: "invalid_union",
    unionErrors: memberIssues.map((list) => ({ issues: list, name: "ZodError" })),
    path: [...path],
    message: "Invalid input",
  };
}

/**
 * A file: `{ fileName, content }` (the named type), else a `Blob` (a
 * `File` included). An object that only looks like a Blob (the original
 * sends it as the text `[object Blob]`) is refused (SURFACE D4).
 */
function outboundFile(fileType, value, path, issues) {
  const own = [];
  const wire = outboundObject(fileType, value, path, own);
  if (own.length === 0) return wire;
  if (value instanceof Blob) return value;
  const lookalike = typeof value === "object" && value !== null && typeof value.stream === "function";
  const message = lookalike
    ? "expected a Blob or File (an object that only looks like one cannot be read)"
    : "expected a Blob, File or Blob-like object";
  issues.push(unionIssue(path, [own, [instanceIssue(path, message)]]));
  return value;
}

function outboundObject(schema, value, path, issues) {
  const type = parsedType(value);
  if (type !== "object") {
    typeIssue(issues, path, "object", type);
    return value;
  }
  const out = {};
  for (const [name, wire, fieldSchema, optional, fallback] of schema.fields) {
    let v = value[name];
    if (v === undefined && fallback !== undefined) v = fallback;
    if (v === undefined) {
      if (optional) continue;
      // (An absent file or content fails as any other value of the wrong kind.)
      if (fieldSchema === "binary" || fieldSchema.upload) outbound(fieldSchema, v, [...path, name], issues);
      else typeIssue(issues, [...path, name], expectedOf(fieldSchema), "undefined");
      continue;
    }
    out[wire] = outbound(fieldSchema, v, [...path, name], issues);
  }
  return out;
}

/** The member the value's tag names; the tag naming none is an issue. */
function outboundUnion(schema, value, path, issues) {
  const type = parsedType(value);
  if (type !== "object") {
    typeIssue(issues, path, "object", type);
    return value;
  }
  const member = schema.members.find(([tag]) => tag === value[schema.tag]);
  if (member === undefined) {
    const options = schema.members.map(([tag]) => tag);
    issues.push({
      code: "invalid_union_discriminator",
      options,
      path: [...path, schema.tag],
      message: `Invalid discriminator value. Expected ${quoted(options)}`,
    });
    return value;
  }
  return outbound(member[1], value, path, issues);
}

function expectedOf(schema) {
  if (schema === "freeform") return "object";
  if (typeof schema === "string") return schema === "int" ? "number" : schema === "datetime" ? "date" : schema;
  if (schema.enum) return quoted(schema.enum);
  if (schema.nullable) return expectedOf(schema.nullable);
  if (schema.jsontext) return expectedOf(schema.jsontext);
  if (schema.events) return "never";
  if (schema.array) return "array";
  return "object";
}

/**
 * Where the date-times of `schema`'s values are: `null` when nowhere, else
 * a plan `{ fields: [[name, plan]…] }`, `{ each: plan }` (array, record) or
 * `true` (a date-time). Made once per schema.
 */
const plans = new WeakMap();
function datePlan(schema, seen = new Set()) {
  if (schema === "datetime") return true;
  if (typeof schema !== "object" || schema === null || schema.enum || schema.freeform || schema.alias) return null;
  // Event payloads hold no date-times (the generator refuses them) and a
  // stream is no JSON value.
  if (schema.members || schema.jsontext || schema.events || schema.upload) return null;
  if (plans.has(schema)) return plans.get(schema);
  if (seen.has(schema)) return null;
  seen.add(schema);
  let plan = null;
  if (schema.fields) {
    const fields = schema.fields.map((f) => [f[0], datePlan(f[2], seen)]).filter(([, p]) => p !== null);
    if (fields.length > 0) plan = { fields };
  } else if (schema.nullable) {
    plan = datePlan(schema.nullable, seen);
  } else {
    const each = datePlan(schema.array ?? schema.record, seen);
    if (each !== null) plan = schema.array ? { items: each } : { values: each };
  }
  plans.set(schema, plan);
  return plan;
}

/**
 * A decoded value, parsed from the Rust decoder's JSON, with its date-times
 * made `Date`s, in place. When `schema` can hold date-times the decoder
 * writes `[value, times]`, each date-time in the value being the index of
 * its time in `times` (milliseconds, or the date string when `Date` cannot
 * represent it: an invalid Date, as `new Date(string)` gives); see
 * crates/mix-core/src/decode.rs (`decode_framed`).
 */
function revive(schema, parsed) {
  const plan = datePlan(schema);
  if (plan === null) return parsed;
  const [value, times] = parsed;
  return apply(plan, value, times);
}

function apply(plan, value, times) {
  if (value === null || value === undefined) return value;
  if (plan === true) return new Date(times[value]);
  if (plan.fields) {
    for (let i = 0; i < plan.fields.length; i++) {
      const [name, inner] = plan.fields[i];
      const v = value[name];
      if (v !== undefined) value[name] = apply(inner, v, times);
    }
  } else if (plan.items) {
    for (let i = 0; i < value.length; i++) value[i] = apply(plan.items, value[i], times);
  } else {
    for (const key of Object.keys(value)) value[key] = apply(plan.values, value[key], times);
  }
  return value;
}

module.exports = { outbound, revive };
