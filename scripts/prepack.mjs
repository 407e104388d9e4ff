// The `prepack` guard of the main package and of every platform package
// (npm/<target>/): `npm pack` and `npm publish` stop here, with the reason,
// when the package would not work once installed.
//
// Main package (run in the repository root):
// - the loader and the entry points are there, and no `.node` would be
//   packed (the addon ships in the platform packages);
// - every target of `napi.targets` has its platform package (npm/<target>);
// - the generated files are current (scripts/generate.mjs, scripts/esm.mjs);
// - then the packed manifest gets its `optionalDependencies`, one platform
//   package per target at this version, as `napi prepublish` writes them:
//   package.json is rewritten for the pack and put back by `postpack`
//   (`--restore`), so the repository's stays without them (they are not on
//   the registry before a release, and `npm ci` would look for them).
//
// Platform package (run in npm/<target>/):
// - its `.node` is there, is a binary for the package's os and cpu, and is
//   a release build (the addon records its cargo profile in its bytes, see
//   `build_profile` in src/binding/helpers.rs): a test or debug build is
//   several times larger and slower;
// - its version is the main package's;
// - on the platform it is for, it loads, and was built from the same
//   openapi.yaml as the JavaScript beside it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const here = process.cwd();
const manifest = path.join(root, "package.json");
const saved = path.join(root, ".package.json.prepack");

// A pack that stopped before its postpack left the rewritten manifest:
// put the repository's back first.
if (path.resolve(here) === root && existsSync(saved)) renameSync(saved, manifest);
if (process.argv.includes("--restore")) process.exit(0);
const problems = [];
const fail = (message) => problems.push(message);

const rootPackage = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const TRIPLES = {
  "x86_64-unknown-linux-gnu": "linux-x64-gnu",
  "aarch64-unknown-linux-gnu": "linux-arm64-gnu",
  "x86_64-unknown-linux-musl": "linux-x64-musl",
  "aarch64-unknown-linux-musl": "linux-arm64-musl",
  "x86_64-apple-darwin": "darwin-x64",
  "aarch64-apple-darwin": "darwin-arm64",
  "x86_64-pc-windows-msvc": "win32-x64-msvc",
  "aarch64-pc-windows-msvc": "win32-arm64-msvc",
};

if (path.resolve(here) === root) checkMain();
else checkPlatform(JSON.parse(readFileSync(path.join(here, "package.json"), "utf8")));

if (problems.length > 0) {
  console.error(`prepack: ${path.basename(here)} cannot be packed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`prepack: ${path.relative(root, here) || "the main package"} is fit to pack`);

function checkMain() {
  for (const file of ["lib/internal/native.js", "index.js", "index.mjs", "index.d.ts", "index.d.mts", "core.js", "core.mjs"]) {
    if (!existsSync(path.join(root, file))) fail(`${file} is missing`);
  }
  if (rootPackage.files.some((f) => f.includes(".node") || f.startsWith("binding"))) {
    fail(`"files" would pack an addon or napi's loader; the addon ships in the platform packages`);
  }
  const targets = rootPackage.napi?.targets ?? [];
  for (const triple of targets) {
    const target = TRIPLES[triple];
    if (target === undefined) {
      fail(`napi.targets has ${triple}, which this guard does not know`);
      continue;
    }
    const platform = path.join(root, "npm", target, "package.json");
    if (!existsSync(platform)) fail(`npm/${target}/package.json is missing`);
    else if (JSON.parse(readFileSync(platform, "utf8")).version !== rootPackage.version) {
      fail(`npm/${target} is not at version ${rootPackage.version} (npm version runs napi version)`);
    }
  }
  for (const script of ["generate.mjs", "esm.mjs"]) {
    const { status, stderr } = spawnSync(process.execPath, [path.join(root, "scripts", script), "--check"], {
      cwd: root,
      encoding: "utf8",
    });
    if (status !== 0) fail(`generated files are out of date (scripts/${script} --check):\n${stderr.trim()}`);
  }
  if (problems.length > 0) return;
  const text = readFileSync(manifest, "utf8");
  const packed = JSON.parse(text);
  packed.optionalDependencies = Object.fromEntries(
    targets.map((triple) => [`${rootPackage.name}-${TRIPLES[triple]}`, rootPackage.version]),
  );
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(packed, null, 2)}\n`);
}

function checkPlatform(pkg) {
  const target = Object.values(TRIPLES).find((t) => pkg.name === `${rootPackage.name}-${t}`);
  if (target === undefined) return fail(`${pkg.name} is no platform package of ${rootPackage.name}`);
  if (pkg.version !== rootPackage.version) fail(`version ${pkg.version} is not the main package's ${rootPackage.version}`);
  const file = path.join(here, pkg.main);
  if (!existsSync(file)) return fail(`${pkg.main} is missing (build it, then \`napi artifacts\`)`);
  const binary = readFileSync(file);
  const kind = binaryKind(binary);
  const [os, cpu] = [pkg.os[0], pkg.cpu[0]];
  if (kind === null) fail(`${pkg.main} is not a shared library`);
  else if (kind.os !== os || kind.cpu !== cpu) fail(`${pkg.main} is a ${kind.os} ${kind.cpu} binary, not ${os} ${cpu}`);
  const profile = /mix-build-profile=([A-Za-z0-9_-]{1,64});/.exec(binary.toString("latin1"))?.[1];
  if (profile !== "release") {
    fail(`${pkg.main} is a ${profile ?? "unmarked"} build, not a release build (npm run build)`);
  }
  const current = process.platform === os && process.arch === cpu && (os !== "linux" || (pkg.libc?.[0] === "musl") === isMusl());
  if (current) {
    // In a child process: a binary that crashes must fail the guard, not kill it.
    const probe = `const a = require(${JSON.stringify(file)}); process.stdout.write(a.tableDigest());`;
    const { status, stdout, stderr } = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
    if (status !== 0) fail(`${pkg.main} does not load here: ${stderr.trim().split("\n")[0]}`);
    else {
      const { digest } = createRequire(import.meta.url)(path.join(root, "lib/internal/schemas.js"));
      if (stdout !== digest) fail(`${pkg.main} was built from another openapi.yaml than lib/internal/schemas.js (rebuild it)`);
    }
  }
}

function isMusl() {
  try {
    return readFileSync("/usr/bin/ldd", "latin1").includes("musl");
  } catch {
    return false;
  }
}

/** The os and cpu of an ELF, Mach-O or PE shared library, or null. */
function binaryKind(b) {
  if (b.length < 64) return null;
  if (b.readUInt32BE(0) === 0x7f454c46) {
    const machine = b.readUInt16LE(18);
    return { os: "linux", cpu: machine === 0x3e ? "x64" : machine === 0xb7 ? "arm64" : `machine ${machine}` };
  }
  if (b.readUInt32LE(0) === 0xfeedfacf) {
    const cputype = b.readUInt32LE(4);
    return { os: "darwin", cpu: cputype === 0x01000007 ? "x64" : cputype === 0x0100000c ? "arm64" : `cputype ${cputype}` };
  }
  if (b.toString("latin1", 0, 2) === "MZ") {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 > b.length || b.toString("latin1", pe, pe + 4) !== "PE\0\0") return null;
    const machine = b.readUInt16LE(pe + 4);
    return { os: "win32", cpu: machine === 0x8664 ? "x64" : machine === 0xaa64 ? "arm64" : `machine ${machine}` };
  }
  return null;
}
