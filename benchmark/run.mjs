#!/usr/bin/env node
// Benchmark runner (`npm run bench`): builds the Rust tools, starts the
// server, runs every client in a fresh process, alternating clients within
// each round, and reports medians across rounds. Sizes and knobs live in
// lib/config.mjs; see benchmark/README.md. Never fails on a missed target.

import { buildRustTools, requireAddon } from "./lib/build.mjs";
import { measure } from "./lib/clients.mjs";
import { loadConfig } from "./lib/config.mjs";
import { clientCores, coreCount, serverCore } from "./lib/cores.mjs";
import { medians, printReport, ratios, targets, writeResults } from "./lib/report.mjs";
import { startServer } from "./lib/server.mjs";
import { prepareUploads, removeUploads } from "./lib/upload.mjs";
import { measureStartup } from "./lib/startup.mjs";

const log = (message) => process.stderr.write(`bench: ${message}\n`);

async function main() {
  const config = loadConfig();
  if (config.clients.includes("mix")) requireAddon();
  log("building the benchmark server and Rust client (cargo, release)");
  const tools = buildRustTools();

  const server = await startServer(tools.server);
  log(`server at ${server.url}, pinned to core ${server.core ?? "(none)"}`);
  const ctx = { serverURL: server.url, rustClient: tools.rustClient, pin: config.pinClients };

  const plan = [
    ["latency", config.clients, config.latency],
    ["throughput", config.clients, config.throughput],
    ["memory", config.memory.clients, config.memory],
    ["list", config.list.clients, config.list],
    ["streamThroughput", config.streamThroughput.clients, config.streamThroughput],
    ["streamLatency", config.streamLatency.clients, config.streamLatency],
    ["download", config.download.clients, config.download],
    ["upload", config.upload.clients, config.upload],
  ].filter(([mode]) => config.modes.includes(mode));
  const uploadSizes = [config.upload.warmupBytes, config.upload.bytes];
  if (config.modes.includes("upload")) {
    log("writing the upload mode's files");
    prepareUploads(uploadSizes);
  }
  const rounds = Object.fromEntries(plan.map(([mode]) => [mode, {}]));
  const record = (mode, client, results) => (rounds[mode][client] ??= []).push(results);

  try {
    for (let round = 1; round <= config.rounds; round++) {
      for (const [mode, clients, sizes] of plan) {
        const { clients: _, ...flags } = sizes;
        // Clients alternate within the round (A B C A B C …) so slow drift
        // in machine state spreads over all of them.
        for (const client of clients) {
          log(`round ${round}/${config.rounds}: ${mode} ${client}`);
          record(mode, client, await measure(ctx, client, mode, flags));
        }
      }
    }
  } finally {
    server.stop();
    removeUploads(uploadSizes);
  }

  let startup = null;
  if (config.clients.includes("mix") && config.modes.includes("startup")) {
    log(`start-up time, ${config.startup.runs} runs each`);
    startup = measureStartup(config.startup.runs);
  }

  const m = medians(rounds);
  const r = ratios(m);
  const summary = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      quick: config.quick,
      rounds: config.rounds,
      clients: config.clients,
      cores: coreCount,
      serverCore,
      pinClients: config.pinClients,
      clientCores: config.pinClients ? clientCores : null,
      config,
    },
    medians: m,
    ratios: r,
    startup,
    targets: targets(m, r, startup, config),
    rounds,
  };
  printReport(summary);
  log(`results written to ${writeResults(summary)}`);
}

main().catch((error) => {
  log(`failed: ${error?.message ?? error}`);
  process.exitCode = 1;
});
