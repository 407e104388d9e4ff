// The public surface of the original (shared/spec/surface-0.7.13.json, a copy
// in __test__/fixtures): every module path, with and without `.js`, through
// `import` and `require`, with each value export of the right kind and the
// same object both ways. Deliberate absences are listed below with why.

import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const surface = JSON.parse(readFileSync(new URL("./fixtures/surface-0.7.13.json", import.meta.url), "utf8"));

/** Value exports this package leaves out: zod schema objects (SURFACE D8). */
function leftOut(name, module) {
  if (/\$inboundSchema$|\$outboundSchema$|\$$/.test(name)) return true;
  if (["zodInbound", "zodOutbound", "envSchema", "blobLikeSchema", "collectExtraKeys", "constDateTime"].includes(name)) return true;
  // The response matchers take zod schemas; unpackHeaders is kept.
  if (module === "./lib/matchers.js" && name !== "unpackHeaders") return true;
  return false;
}

const KIND = { class: "function", function: "function", const: null, "enum-object": "object", namespace: "object", enum: "object" };

const modules = Object.entries(surface.modules);

for (const [path, info] of modules) {
  test(`${path}: every specifier loads both ways with the original's value exports`, async () => {
    const values = info.exports.filter(
      (e) => !e.typeOnly && e.kind !== "type" && e.kind !== "interface" && !leftOut(e.name, path),
    );
    for (const specifier of info.specifiers) {
      const name = specifier === "." ? "mix-typescript-sdk" : `mix-typescript-sdk/${specifier.slice(2)}`;
      const cjs = require(name);
      const esm = await import(name);
      for (const e of values) {
        assert.ok(e.name in cjs, `${name}: ${e.name} missing (require)`);
        assert.ok(e.name in esm, `${name}: ${e.name} missing (import)`);
        assert.equal(esm[e.name], cjs[e.name], `${name}: ${e.name} differs between import and require`);
        const want = KIND[e.kind];
        if (want) assert.equal(typeof cjs[e.name], want, `${name}: ${e.name} is ${typeof cjs[e.name]}`);
      }
    }
  });
}

test("enum objects hold the original's values", () => {
  for (const [key, values] of Object.entries(surface.enumValues)) {
    const [path, name] = key.split("#");
    const mod = require(`mix-typescript-sdk/${path.slice(2)}`);
    assert.deepStrictEqual({ ...mod[name] }, values, key);
  }
});

test("namespaces are lazy getters returning the same object, with the original's methods", () => {
  const { Mix } = require("mix-typescript-sdk");
  const mix = new Mix();
  for (const [path, info] of Object.entries(surface.classes)) {
    if (!path.startsWith("./sdk/") || path === "./sdk/sdk.js") continue;
    const ns = path.slice(6, -3);
    assert.equal(mix[ns], mix[ns], ns);
    const [[className, cls]] = Object.entries(info);
    assert.equal(mix[ns].constructor.name, className);
    const methods = cls.members.filter((m) => m.member === "method").map((m) => m.name);
    for (const m of methods) {
      assert.equal(typeof mix[ns][m], "function", `${ns}.${m}`);
    }
  }
});

test("lib/encodings encodes as the original did (cases recorded from 0.7.13)", () => {
  const enc = require("mix-typescript-sdk/lib/encodings.js");
  const cases = JSON.parse(readFileSync(new URL("./fixtures/encodings-0.7.13.json", import.meta.url), "utf8"));
  for (const [fn, value, options, expected] of cases) {
    const got = options === null ? enc[fn](value) : enc[fn]("k", value, options);
    assert.equal(got ?? null, expected, `${fn}(${JSON.stringify(value)}, ${JSON.stringify(options)})`);
  }
});

test("tool models validate free-form fields as objects and keep them whole", () => {
  const t = require("mix-typescript-sdk/toolmodels.js");
  assert.equal(t.mediaOutputToJSON({ type: "image", title: "t", config: { a: [1] } }), '{"type":"image","title":"t","config":{"a":[1]}}');
  assert.throws(() => t.mediaOutputToJSON({ type: "image", title: "t", config: 5 }), (e) => e.issues[0].expected === "object");
  assert.deepStrictEqual(t.mediaOutputFromJSON('{"type":"image","title":"t","config":{"x":{"y":null}}}').value.config, { x: { y: null } });
});

test("unpackHeaders splits as the calls' header maps do, byte strings kept", () => {
  const { unpackHeaders } = require("mix-typescript-sdk/lib/matchers.js");
  assert.deepStrictEqual(unpackHeaders(new Headers({ "x-a": "café, b", date: "Thu, 02 Jan 2025 08:00:00 GMT" })), {
    date: ["Thu, 02 Jan 2025 08:00:00 GMT"],
    "x-a": ["café", "b"],
  });
});
