// Builds the two Rust benchmark binaries and checks the addon is present.

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

import { PACKAGE_ROOT } from "./mix-entry.mjs";

const CRATES = ["mix-bench-server", "mix-bench-rust-client"];

/**
 * `cargo build --release` of the benchmark crates (a no-op when up to date).
 * Returns the executables' paths, read from cargo's JSON messages so a
 * custom CARGO_TARGET_DIR works.
 */
export function buildRustTools() {
  const args = ["build", "--release", "--message-format=json-render-diagnostics"];
  for (const name of CRATES) args.push("-p", name);
  const run = spawnSync("cargo", args, {
    cwd: PACKAGE_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 2 ** 20,
    encoding: "utf8",
  });
  if (run.error) throw new Error(`could not run cargo: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`cargo build failed (exit ${run.status}), see above`);

  const executables = {};
  for (const line of run.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line);
    if (message.reason === "compiler-artifact" && message.executable) {
      executables[message.target.name] = message.executable;
    }
  }
  const missing = CRATES.filter((name) => !executables[name]);
  if (missing.length) throw new Error(`cargo did not report executables for ${missing.join(", ")}`);
  return { server: executables["mix-bench-server"], rustClient: executables["mix-bench-rust-client"] };
}

/** The runner does not build the addon (slow, and the lead's job): it only checks. */
export function requireAddon() {
  const addons = readdirSync(PACKAGE_ROOT).filter((f) => f.endsWith(".node"));
  if (addons.length === 0) {
    throw new Error(
      `no native addon (*.node) in ${PACKAGE_ROOT}: run \`npm run build\` first`,
    );
  }
  return join(PACKAGE_ROOT, addons[0]);
}
