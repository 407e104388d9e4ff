"use strict";
// Loads the native addon; everything native is reached through this module.
//
// The addon is one file per target (`mix-typescript-sdk.<target>.node`),
// looked for in this order:
// 1. the file NAPI_RS_NATIVE_LIBRARY_PATH names, when it is set (and then
//    only there: a wrong path is an error, not a silent fallback);
// 2. beside the package's root (where `npm run build` leaves it), or beside
//    a bundle made of the package (see the README's "Bundlers");
// 3. the package `mix-typescript-sdk-<target>`, which npm installs as an
//    optional dependency on the platform it is for.
// When none loads, the error names the platform detected, what was looked
// for and why it failed (the most telling failure first), the targets that
// exist, and what to do.

const { readFileSync } = require("node:fs");
const path = require("node:path");
const { envVar } = require("./environment.js");

const NAME = "mix-typescript-sdk";

/** Every target a package is published for (package.json `napi.targets`). */
const TARGETS = [
  "linux-x64-gnu",
  "linux-arm64-gnu",
  "linux-x64-musl",
  "linux-arm64-musl",
  "darwin-x64",
  "darwin-arm64",
  "win32-x64-msvc",
  "win32-arm64-msvc",
];

/** Whether this Linux runs on musl rather than glibc. */
function isMusl() {
  try {
    return readFileSync("/usr/bin/ldd", "latin1").includes("musl");
  } catch {
    // no ldd: ask Node which C library it runs on
  }
  try {
    return !process.report.getReport().header.glibcVersionRuntime;
  } catch {
    return false;
  }
}

/** The target of this process: `linux-x64-gnu`, `darwin-arm64`, … */
function currentTarget() {
  const { platform, arch } = process;
  if (platform === "linux") return `linux-${arch}-${isMusl() ? "musl" : "gnu"}`;
  if (platform === "win32") return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function load() {
  const target = currentTarget();
  const file = `${NAME}.${target}.node`;
  const override = envVar("NAPI_RS_NATIVE_LIBRARY_PATH");
  const candidates = override
    ? [["NAPI_RS_NATIVE_LIBRARY_PATH", path.resolve(override)]]
    : [
        // (`__dirname` is not there in an ES-module bundle.)
        ["the package root", typeof __dirname === "string" ? path.join(__dirname, "..", "..", file) : file],
        ["beside the bundle", `./${file}`],
        [`the package ${NAME}-${target}`, `${NAME}-${target}`],
      ];
  const failures = [];
  for (const [where, request] of candidates) {
    try {
      return require(request);
    } catch (err) {
      failures.push({ where, err });
    }
  }
  throw loadError(target, file, failures, override !== undefined);
}

/** The error for an addon that did not load: see the module comment. */
function loadError(target, file, failures, overridden) {
  // A file that exists but does not load (a dlopen message) says more than
  // a file that is not there.
  const telling = failures.find(({ err }) => err?.code !== "MODULE_NOT_FOUND") ?? failures.at(-1);
  const reason = String(telling?.err?.message ?? telling?.err).split("\n")[0];
  const supported = TARGETS.includes(target);
  const lines = [
    `${NAME}: cannot load its native addon for ${target}: ${reason}`,
    "",
    `Platform detected: ${process.platform}, ${process.arch}${process.platform === "linux" ? `, ${target.endsWith("musl") ? "musl" : "glibc"}` : ""} (Node ${process.version}).`,
    overridden
      ? `Looked for: the file NAPI_RS_NATIVE_LIBRARY_PATH names.`
      : `Looked for: the package ${NAME}-${target} (installed by npm as an optional dependency of ${NAME}) and the file ${file} beside the package.`,
    `Targets with a published addon: ${TARGETS.join(", ")}.`,
    overridden
      ? `What to do: point NAPI_RS_NATIVE_LIBRARY_PATH at a ${file} that loads here, or unset it to use the installed addon.`
      : supported
      ? `What to do: install ${NAME} again with its optional dependencies (not with --omit=optional or --no-optional; if the lockfile was made on another platform, remove node_modules and the lockfile first, see https://github.com/npm/cli/issues/4828), or set NAPI_RS_NATIVE_LIBRARY_PATH to the path of a ${file} you have.`
      : `What to do: ${target} has no published addon; build one from the source (a Rust toolchain, then \`npm ci && npm run build\` in a clone) and set NAPI_RS_NATIVE_LIBRARY_PATH to the .node file it makes.`,
  ];
  const error = new Error(lines.join("\n"), { cause: telling?.err });
  error.code = "ERR_MIX_NATIVE_LOAD";
  error.target = target;
  error.failures = failures.map(({ where, err }) => ({ where, message: String(err?.message ?? err) }));
  return error;
}

module.exports = load();
