// Cold-start cost: how much longer a whole `node -e` process runs when it
// imports the package and constructs a client than when it does nothing.
//
// Each child prints when its own code began (`performance.now()`, counted
// from the start of the process). That boot time is Node initialising before
// any code of the package or of the baseline runs: the same work in both,
// yet it varies by some 40 ms from process to process on a noisy VM, which
// made the difference of wall-time medians (40 runs each) land anywhere from
// +10 to +30 ms for the same code. So it is taken out of each run: the
// figure is the median of (wall − boot) over the loading runs minus the same
// over the bare runs. What the package adds at exit (its threads and
// handles) stays in. The plain difference of the wall-time medians is
// reported beside it.

import { spawnSync } from "node:child_process";

import { mixEntry, PACKAGE_ROOT } from "./mix-entry.mjs";
import { median } from "./stats.mjs";

// Never contacted: construction must not touch the network.
const SERVER_URL = "http://127.0.0.1:9";

// Both scripts print the time their code began, in the same way.
const PRINT_BOOT = "process.stdout.write(String(boot));";

/** The two scripts, loaded the way `benchmark/clients/mix.mjs` loads the package. */
function scripts() {
  const entry = mixEntry();
  const spec = JSON.stringify(entry.specifier);
  const construct = `new Mix({ serverURL: ${JSON.stringify(SERVER_URL)} });`;
  const bare = `const boot = performance.now(); ${PRINT_BOOT}`;
  if (entry.kind === "import") {
    // Same input type for the baseline, so ESM loader start-up is not
    // charged to the package. A dynamic import, so that loading the package
    // happens after `boot` is read (static imports load before any code).
    const flags = ["--input-type=module"];
    return {
      entry,
      bare: [...flags, "-e", bare],
      load: [
        ...flags,
        "-e",
        `const boot = performance.now(); const m = await import(${spec}); const Mix = m.Mix ?? m.default.Mix; ${construct} ${PRINT_BOOT}`,
      ],
    };
  }
  return {
    entry,
    bare: ["-e", bare],
    load: ["-e", `const boot = performance.now(); const { Mix } = require(${spec}); ${construct} ${PRINT_BOOT}`],
  };
}

/** One process: its wall time, and the time its own code began. */
function timeOnce(args) {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
    encoding: "utf8",
  });
  const wallMs = performance.now() - start;
  if (run.status !== 0) {
    throw new Error(`node ${args.join(" ")} failed (${run.signal ?? run.status}): ${run.stderr}`);
  }
  const bootMs = Number(run.stdout);
  if (!Number.isFinite(bootMs)) {
    throw new Error(`node ${args.join(" ")} printed ${JSON.stringify(run.stdout)}, not its boot time`);
  }
  return { wallMs, bootMs };
}

/** Alternates bare and load runs so drift affects both alike; medians. */
export function measureStartup(runs) {
  const { entry, bare, load } = scripts();
  timeOnce(load); // warm the OS file cache for the addon
  const bareRuns = [];
  const loadRuns = [];
  for (let i = 0; i < runs; i++) {
    bareRuns.push(timeOnce(bare));
    loadRuns.push(timeOnce(load));
  }
  const wall = (list) => median(list.map((r) => r.wallMs));
  const afterBoot = (list) => median(list.map((r) => r.wallMs - r.bootMs));
  return {
    runs,
    loadedVia: `${entry.kind} ${entry.specifier}`,
    bareMs: wall(bareRuns),
    importConstructMs: wall(loadRuns),
    wallDifferenceMs: wall(loadRuns) - wall(bareRuns),
    bootMs: { bare: median(bareRuns.map((r) => r.bootMs)), load: median(loadRuns.map((r) => r.bootMs)) },
    overheadMs: afterBoot(loadRuns) - afterBoot(bareRuns),
  };
}
