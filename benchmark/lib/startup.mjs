// Cold-start cost: wall time of a whole `node -e` process that imports the
// package and constructs a client, against one that does nothing.

import { spawnSync } from "node:child_process";

import { mixEntry, PACKAGE_ROOT } from "./mix-entry.mjs";
import { median } from "./stats.mjs";

// Never contacted: construction must not touch the network.
const SERVER_URL = "http://127.0.0.1:9";

/** The two scripts, loaded the way `benchmark/clients/mix.mjs` loads the package. */
function scripts() {
  const entry = mixEntry();
  const construct = `new Mix({ serverURL: ${JSON.stringify(SERVER_URL)} });`;
  if (entry.kind === "import") {
    // Same input type for the baseline, so ESM loader start-up is not
    // charged to the package.
    const flags = ["--input-type=module"];
    return {
      entry,
      bare: [...flags, "-e", "0"],
      load: [
        ...flags,
        "-e",
        `import * as m from ${JSON.stringify(entry.specifier)}; const Mix = m.Mix ?? m.default.Mix; ${construct}`,
      ],
    };
  }
  return {
    entry,
    bare: ["-e", "0"],
    load: ["-e", `const { Mix } = require(${JSON.stringify(entry.specifier)}); ${construct}`],
  };
}

function timeOnce(args) {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, {
    cwd: PACKAGE_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 30_000,
    encoding: "utf8",
  });
  const ms = performance.now() - start;
  if (run.status !== 0) {
    throw new Error(`node ${args.join(" ")} failed (${run.signal ?? run.status}): ${run.stderr}`);
  }
  return ms;
}

/** Alternates bare and load runs so drift affects both alike; medians. */
export function measureStartup(runs) {
  const { entry, bare, load } = scripts();
  timeOnce(load); // warm the OS file cache for the addon
  const bareMs = [];
  const loadMs = [];
  for (let i = 0; i < runs; i++) {
    bareMs.push(timeOnce(bare));
    loadMs.push(timeOnce(load));
  }
  const bareMedian = median(bareMs);
  const loadMedian = median(loadMs);
  return {
    runs,
    loadedVia: `${entry.kind} ${entry.specifier}`,
    bareMs: bareMedian,
    importConstructMs: loadMedian,
    overheadMs: loadMedian - bareMedian,
  };
}
