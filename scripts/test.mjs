// `npm test`: every check, in order, stopping at the first failure.
// Expects the addon to be built (`npm run build:ci` or `npm run build`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const steps = [
  ["cargo", ["fmt", "--all", "--", "--check"]],
  ["cargo", ["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]],
  ["cargo", ["test", "-p", "mix-core"]],
  [process.execPath, ["--expose-gc", "--test", "--test-concurrency=1", "__test__/"]],
  [process.execPath, ["node_modules/typescript/bin/tsc", "-p", "__test__/types/tsconfig.json"]],
];

if (!readdirSync(".").some((f) => f.endsWith(".node")) || !existsSync("binding.js")) {
  console.error("test: the native addon is not built; run `npm run build:ci` first.");
  process.exit(1);
}

for (const [cmd, args] of steps) {
  console.log(`\n> ${[cmd === process.execPath ? "node" : cmd, ...args].join(" ")}`);
  const { status } = spawnSync(cmd, args, { stdio: "inherit" });
  if (status !== 0) {
    console.error(`test: step failed (exit ${status})`);
    process.exit(status ?? 1);
  }
}
