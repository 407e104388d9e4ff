// `npm version <new>` runs this (the "version" script): the platform
// packages (npm/<target>/) take the new version (`napi version`), which
// the prepack guard (scripts/prepack.mjs) checks, staged for npm's version
// commit. (The main package's optionalDependencies are written when it is
// packed.)
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const napi = path.join(root, "node_modules/@napi-rs/cli/dist/cli.js");
const step = (cmd, args) => {
  const { status } = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
};
step(process.execPath, [napi, "version"]);
step("git", ["add", "npm"]);
