// Reads openapi.yaml on its own, independently of the generator, and makes
// sample requests and responses for every JSON operation: the caller-side
// value and the wire form each must have. The operation specs drive the
// package with them, so an operation added to the description is tested
// with no spec written for it.

import { readFileSync } from "node:fs";
import { parse } from "yaml";

export const doc = parse(readFileSync(new URL("../../openapi.yaml", import.meta.url), "utf8"));

const words = (s) => String(s).split(/[^A-Za-z0-9]+/).filter(Boolean);
const upper = (s) => s.charAt(0).toUpperCase() + s.slice(1);
export const camel = (s) => {
  const p = words(s).map(upper).join("");
  return p.charAt(0).toLowerCase() + p.slice(1);
};

const METHODS = ["get", "post", "put", "patch", "delete"];

function resolve(schema) {
  return schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema;
}

/** Every operation the package generates (JSON in and out, or no body). */
export function jsonOperations() {
  const list = [];
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item).filter((m) => METHODS.includes(m))) {
      const op = item[method];
      const [status, response] = Object.entries(op.responses).find(([s]) => /^2\d\d$/.test(s));
      const content = response.content ? Object.keys(response.content)[0] : null;
      const bodyType = op.requestBody ? Object.keys(op.requestBody.content)[0] : null;
      if ((content && content !== "application/json") || (bodyType && bodyType !== "application/json")) continue;
      const tags = op.tags?.length ? op.tags : ["sdk"];
      const name = op["x-speakeasy-name-override"] ?? op.operationId;
      list.push({
        id: op.operationId,
        route,
        method: method.toUpperCase(),
        op,
        status: Number(status),
        response,
        content,
        methods: tags.map((t) => [camel(t), name]),
        func: camel([...tags].sort()[0]) + upper(name),
        errorStatuses: Object.entries(op.responses)
          .filter(([s, r]) => /^[45]\d\d$/.test(s) && r.content?.["application/json"])
          .map(([s]) => Number(s)),
      });
    }
  }
  return list;
}

/**
 * A sample of `schema`: `{ caller, wire }`, the value as a caller passes
 * it (or receives it decoded) and as it is on the wire. With `extra`,
 * objects on the wire carry an undeclared key too (decoding drops it).
 */
export function sample(schema, seed = "v", { extra = false } = {}) {
  schema = resolve(schema);
  if (schema.enum) return { caller: schema.enum[schema.enum.length - 1], wire: schema.enum[schema.enum.length - 1] };
  if (schema.anyOf || schema.oneOf) return { caller: `${seed}_tool`, wire: `${seed}_tool` };
  switch (schema.type) {
    case "string":
      if (schema.format === "date-time") {
        return { caller: new Date("2025-01-02T03:04:05.678Z"), wire: "2025-01-02T03:04:05.678+00:00" };
      }
      return { caller: `${seed} ü/&`, wire: `${seed} ü/&` };
    case "integer":
      return { caller: 7, wire: 7 };
    case "number":
      return { caller: 2.5, wire: 2.5 };
    case "boolean":
      return { caller: true, wire: true };
    case "array": {
      const item = sample(schema.items, seed, { extra });
      return { caller: [item.caller], wire: [item.wire] };
    }
  }
  if (schema.properties) {
    const caller = {};
    const wire = {};
    for (const [key, prop] of Object.entries(schema.properties)) {
      const s = sample(prop, key, { extra });
      const name = prop["x-speakeasy-name-override"] ?? camel(key);
      caller[name] = s.caller;
      wire[key] = s.wire;
    }
    if (extra) wire.undeclared_key = { nested: [1, 2] };
    return { caller, wire };
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
    const s = sample(schema.additionalProperties, seed, { extra });
    return { caller: { "key one": s.caller }, wire: { "key one": s.wire } };
  }
  // A free-form object keeps what it gets (SURFACE D6).
  return { caller: { anything: [1, { b: null }] }, wire: { anything: [1, { b: null }] } };
}

/**
 * A request for operation `o`: the caller's argument and what must go out:
 * the path, the query pairs and the JSON body (undefined for none).
 */
export function sampleRequest(o) {
  const params = o.op.parameters ?? [];
  const body = o.op.requestBody ? sample(o.op.requestBody.content["application/json"].schema, "body") : null;
  if (params.length === 0 && body === null) return null;
  const caller = {};
  let path = o.route;
  const query = [];
  for (const p of params) {
    const s = sample(p.schema, p.name);
    caller[p["x-speakeasy-name-override"] ?? camel(p.name)] = s.caller;
    if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(String(s.wire)));
    if (p.in === "query") query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(String(s.wire))}`);
  }
  let wireBody;
  if (body !== null) {
    if (params.length === 0) Object.assign(caller, body.caller);
    else caller.requestBody = body.caller;
    wireBody = body.wire;
  }
  return { caller, path, query: query.join("&").replaceAll("'", "%27"), body: wireBody };
}

/** A success body for `o` (with undeclared keys) and the value it decodes to. */
export function sampleResponse(o) {
  if (o.content === null) return { body: "", value: undefined };
  const s = sample(o.response.content["application/json"].schema, "r", { extra: true });
  return { body: JSON.stringify(s.wire), value: s.caller };
}
