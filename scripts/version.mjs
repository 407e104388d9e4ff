// `npm version <new>` runs this (the "version" script): the platform
// packages (npm/<target>/) take the new version (`napi version`), and so do
// the main package's optionalDependencies on them, which the prepack guard
// (scripts/prepack.mjs) checks; all are staged for npm's version commit.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const napi = path.join(root, "node_modules/@napi-rs/cli/dist/cli.js");
const step = (cmd, args) => {
  const { status } = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
};
step(process.execPath, [napi, "version"]);
const file = path.join(root, "package.json");
const pkg = JSON.parse(readFileSync(file, "utf8"));
for (const name of Object.keys(pkg.optionalDependencies ?? {})) pkg.optionalDependencies[name] = pkg.version;
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
step("git", ["add", "package.json", "npm"]);
