// Runs one client measurement in a fresh process and returns its results.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import { clientCores, pinned } from "./cores.mjs";
import { PATH } from "./harness.mjs";

const CLIENT_DIR = fileURLToPath(new URL("../clients/", import.meta.url));
const RUN_TIMEOUT_MS = 5 * 60_000;

/**
 * @param {object} ctx `{ serverURL, rustClient, pin }`
 * @param {string} client mix | undici | fetch | rust
 * @param {string} mode latency | throughput | memory | list | streamThroughput | streamLatency | download | upload
 * @param {Record<string, number>} flags e.g. `{ warmup: 500, calls: 5000 }`
 */
export async function measure(ctx, client, mode, flags) {
  const flagArgs = Object.entries(flags).flatMap(([k, v]) => [`--${kebab(k)}`, String(v)]);
  let command;
  let args;
  if (client === "rust") {
    command = ctx.rustClient;
    args = ["--url", new URL(PATH, ctx.serverURL).href, "--mode", mode, ...flagArgs];
  } else {
    command = process.execPath;
    const nodeFlags = mode === "memory" || mode === "list" ? ["--expose-gc"] : [];
    args = [...nodeFlags, `${CLIENT_DIR}${client}.mjs`, "--server", ctx.serverURL, "--mode", mode, ...flagArgs];
  }
  [command, args] = pinned(ctx.pin ? clientCores : null, command, args);

  const stdout = await run(command, args, `${client} ${mode}`);
  const line = stdout.trim().split("\n").at(-1);
  try {
    return JSON.parse(line).results;
  } catch {
    throw new Error(`${client} ${mode}: output is not a JSON line: ${line}`);
  }
}

function kebab(name) {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Spawns, collects stdout, lets stderr through, and rejects on failure. */
function run(command, args, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${label}: could not start: ${e.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${label}: exited with ${signal ?? `code ${code}`} (see stderr above)`));
    });
  });
}
