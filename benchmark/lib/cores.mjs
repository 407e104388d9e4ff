// CPU pinning with taskset: the server gets the last core, and (optionally)
// clients get the others, so the two sides do not steal each other's time.

import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";

const cores = availableParallelism();
const hasTaskset = spawnSync("taskset", ["--version"], { stdio: "ignore" }).error === undefined;

export const serverCore = hasTaskset && cores > 1 ? cores - 1 : null;
export const clientCores = serverCore === null ? null : cores === 2 ? "0" : `0-${cores - 2}`;
export const coreCount = cores;

/** Wraps `[command, args]` in taskset when a core list is given. */
export function pinned(coreList, command, args) {
  return coreList === null ? [command, args] : ["taskset", ["-c", coreList, command, ...args]];
}
