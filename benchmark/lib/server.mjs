// Starts the benchmark server pinned to the last core, and stops it.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { pinned, serverCore } from "./cores.mjs";

const START_TIMEOUT_MS = 10_000;

/** Resolves `{ url, core, stop }` once the server prints `LISTENING <port>`. */
export async function startServer(binary) {
  const core = serverCore === null ? null : String(serverCore);
  const [command, args] = pinned(core, binary, ["0"]);
  // stdin stays a pipe: the server exits when it closes, even if we crash.
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });

  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start in time")), START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const match = /^LISTENING (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`unexpected server output: ${line}`));
    });
    child.once("error", (e) => reject(new Error(`could not start the server: ${e.message}`)));
    child.once("exit", (code) => reject(new Error(`server exited early (code ${code})`)));
  }).catch((error) => {
    child.kill();
    throw error;
  });

  return {
    url: `http://127.0.0.1:${port}`,
    core: serverCore,
    stop() {
      child.stdin.end();
      child.kill();
    },
  };
}
