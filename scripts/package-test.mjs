// The package as people install it (`npm test` runs this last): the main
// package and the linux-x64-gnu platform package are packed with a release
// build of the addon (their prepack guards run), and then, in new projects
// under .cache/package-test/ whose PATH holds `node` and nothing else (no
// cargo, rustc or C compiler):
// - `attw` finds no problem with any entry point's types;
// - both tarballs install, and the seed's two examples run as ES modules
//   and as CommonJS, with the upload/download and streaming examples,
//   against the demo's mock server (scripts/demo.mjs --dir);
// - a user program type-checks strictly under the module resolutions
//   TypeScript offers for Node and bundlers;
// - an ES-module and a CommonJS program bundle with esbuild for Node (the
//   README's recipe: the addon copied beside the bundle) and run;
// - installed without its platform package, the package fails to load with
//   the error that says why and what to do;
// - Bun and Deno (from npm, as plain binaries, into .cache/) run the same
//   examples and a smoke subset of the specs (__test__/runtimes/smoke.mjs),
//   and so does Node; Deno with no --allow-env.
// Linux x64 (glibc) only: the one target this machine builds.
//
//   node scripts/package-test.mjs             everything above
//   node scripts/package-test.mjs --pack-only the two tarballs only, into
//                                             dist/ (npm run pack:local)
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const work = path.join(root, ".cache", "package-test");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const TARGET = "linux-x64-gnu";
const ADDON = `${pkg.name}.${TARGET}.node`;

/** Typical uses of the package, checked by tsc as CommonJS (program.ts) and
 * as an ES module (program.mts). */
const USER_PROGRAM = `import { Mix, HTTPClient } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { sessionsCreate } from "mix-typescript-sdk/funcs/sessionsCreate.js";
import * as errors from "mix-typescript-sdk/models/errors";
import * as models from "mix-typescript-sdk/models";
import * as operations from "mix-typescript-sdk/models/operations";
import { PromptMode } from "mix-typescript-sdk/models/operations/createsession.js";
import { EventStream } from "mix-typescript-sdk/lib/event-streams.js";

export async function program(): Promise<string> {
  const mix = new Mix({ serverURL: "http://localhost:8088", httpClient: new HTTPClient(), timeoutMs: 5000 });
  const session: models.SessionData = await mix.sessions.create({ title: "t", promptMode: PromptMode.Default });
  const result = await sessionsCreate(new MixCore(), { title: "t" });
  if (!result.ok && result.error instanceof errors.MixDefaultError) return result.error.message;
  const events: operations.StreamEventsResponse = await mix.streaming.streamEvents({ sessionId: session.id });
  const stream: EventStream<models.SSEEventStream> = events.result;
  for await (const event of stream) if (event.event === "complete") break;
  const info: models.FileInfo = await mix.files.upload({ id: session.id, requestBody: { file: new Blob(["x"]) } });
  const file: ReadableStream<Uint8Array> = await mix.files.get({ id: session.id, filename: info.name });
  await file.cancel();
  // @ts-expect-error: title is a string
  await mix.sessions.create({ title: 1 });
  return session.createdAt.toISOString();
}
`;

/** A program calling the API once as a class method and once as a function,
 * against a server of its own; bundled, it must print "bundled: ok". */
const BUNDLED_BODY = `
async function main() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: "Token refresh triggered successfully", status: "success" }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const serverURL = "http://127.0.0.1:" + server.address().port;
  const value = await new Mix({ serverURL }).internal.refreshOAuthTokens();
  const result = await authenticationRefreshOAuthTokens(new MixCore({ serverURL }));
  server.close();
  if (value.status !== "success" || !result.ok) throw new Error("unexpected result");
  console.log("bundled: ok");
}
`;
const BUNDLED_ESM = `import http from "node:http";
import { Mix } from "mix-typescript-sdk";
import { MixCore } from "mix-typescript-sdk/core.js";
import { authenticationRefreshOAuthTokens } from "mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js";
${BUNDLED_BODY}
await main();
`;
const BUNDLED_CJS = `const http = require("node:http");
const { Mix } = require("mix-typescript-sdk");
const { MixCore } = require("mix-typescript-sdk/core.js");
const { authenticationRefreshOAuthTokens } = require("mix-typescript-sdk/funcs/authenticationRefreshOAuthTokens.js");
${BUNDLED_BODY}
main();
`;
/** The README's recipe for an ES-module bundle: a \`require\` for the addon. */
const ESM_BANNER = 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);';

if (process.platform !== "linux" || process.arch !== "x64") {
  console.log("package-test: only on Linux x64; skipped");
  process.exit(0);
}

function run(cmd, args, options = {}) {
  const shown = cmd === process.execPath ? "node" : path.relative(root, cmd) || cmd;
  console.log(`\n> ${[shown, ...args].join(" ")}${options.cwd ? `   (in ${path.relative(root, options.cwd)})` : ""}`);
  const result = spawnSync(cmd, args, { stdio: options.capture ? "pipe" : "inherit", encoding: "utf8", cwd: root, ...options });
  if (!options.mayFail && result.status !== 0) {
    if (options.capture) process.stderr.write(`${result.stdout}${result.stderr}`);
    console.error(`package-test: step failed (exit ${result.status})`);
    process.exit(1);
  }
  return result;
}

const fail = (message) => {
  console.error(`package-test: ${message}`);
  process.exit(1);
};

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// 1. A release build of the addon, into its platform package.
const release = path.join(work, "release");
run(process.execPath, [path.join(root, "node_modules/@napi-rs/cli/dist/cli.js"), "build", "--platform", "--release", "--no-js", "--output-dir", release]);
// (What `napi artifacts` does in the release workflow, for the one target
// built here: it insists on all of them.)
copyFileSync(path.join(release, ADDON), path.join(root, "npm", TARGET, ADDON));

// 2. Both packages packed; their prepack guards must pass.
const npmCli = findNpmCli();
const tarballs = path.join(work, "tarballs");
mkdirSync(tarballs);
run(process.execPath, [npmCli, "pack", "--pack-destination", tarballs]);
run(process.execPath, [npmCli, "pack", "--pack-destination", tarballs], { cwd: path.join(root, "npm", TARGET) });
const mainTgz = path.join(tarballs, `${pkg.name}-${pkg.version}.tgz`);
const platformTgz = path.join(tarballs, `${pkg.name}-${TARGET}-${pkg.version}.tgz`);
for (const tgz of [mainTgz, platformTgz]) if (!existsSync(tgz)) fail(`${path.basename(tgz)} was not packed`);
if (readFileSync(path.join(root, "package.json"), "utf8") !== JSON.stringify(pkg, null, 2) + "\n") {
  fail("packing left package.json changed (the prepack guard's postpack restores it)");
}

if (process.argv.includes("--pack-only")) {
  const dist = path.join(root, "dist");
  mkdirSync(dist, { recursive: true });
  for (const tgz of [mainTgz, platformTgz]) copyFileSync(tgz, path.join(dist, path.basename(tgz)));
  console.log(`\npackage-test: packed into dist/: ${path.basename(mainTgz)}, ${path.basename(platformTgz)}`);
  process.exit(0);
}

// 3. Types of every entry point, for both module systems.
run(process.execPath, [path.join(root, "node_modules/@arethetypeswrong/cli/dist/index.js"), mainTgz, "--format", "ascii"]);

// 4. A project with no Rust toolchain or C compiler on its PATH.
const bin = path.join(work, "bin");
mkdirSync(bin);
symlinkSync(process.execPath, path.join(bin, "node"));
const env = { HOME: process.env.HOME, PATH: bin, npm_config_cache: path.join(work, "npm-cache") };
for (const tool of ["cargo", "rustc", "cc", "gcc", "clang"]) {
  if (env.PATH.split(path.delimiter).some((dir) => existsSync(path.join(dir, tool)))) fail(`${tool} is on the project's PATH`);
}
const project = newProject("project", [mainTgz, platformTgz]);
// The packed manifest lists every target's package, at this version.
const installed = JSON.parse(readFileSync(path.join(project, "node_modules", pkg.name, "package.json"), "utf8"));
for (const target of ["linux-x64-gnu", "linux-arm64-gnu", "linux-x64-musl", "linux-arm64-musl", "darwin-x64", "darwin-arm64", "win32-x64-msvc", "win32-arm64-msvc"]) {
  const version = installed.optionalDependencies?.[`${pkg.name}-${target}`];
  if (version !== pkg.version) fail(`the packed package.json has ${pkg.name}-${target}@${version}, not ${pkg.version}`);
}

// 5. The seed's examples, as ES modules and as CommonJS, and the examples of
// the file transfers and the event stream, against the mock server.
const examples = ["refreshOAuthTokens", "authenticationRefreshOAuthTokens", "files", "streaming"];
for (const name of examples) {
  const source = readFileSync(path.join(root, "examples", `${name}.mjs`), "utf8");
  writeFileSync(path.join(project, `${name}.mjs`), source);
}
for (const name of examples.slice(0, 2)) {
  writeFileSync(path.join(project, `${name}.cjs`), toCommonJS(readFileSync(path.join(root, "examples", `${name}.mjs`), "utf8")));
}
run(
  process.execPath,
  [path.join(root, "scripts/demo.mjs"), "--dir", project, ...examples.map((n) => `${n}.mjs`), ...examples.slice(0, 2).map((n) => `${n}.cjs`)],
  { env },
);

// 6. A user program, type-checked strictly under each module resolution.
writeFileSync(path.join(project, "program.ts"), USER_PROGRAM);
writeFileSync(path.join(project, "program.mts"), USER_PROGRAM);
for (const [module, resolution] of [
  ["node16", "node16"],
  ["nodenext", "nodenext"],
  ["esnext", "bundler"],
  ["commonjs", "node10"],
]) {
  const config = path.join(project, `tsconfig.${resolution}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        target: "es2022",
        lib: ["es2022", "dom"],
        module,
        moduleResolution: resolution,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [path.join(root, "node_modules/@types")],
        ...(resolution === "node10" ? { ignoreDeprecations: "5.0" } : {}),
      },
      files: resolution === "node10" ? ["program.ts"] : ["program.ts", "program.mts"],
    }),
  );
  run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", config], { cwd: project, env });
}

// 7. Bundled with esbuild (ES module and CommonJS), the addon beside the bundle.
const bundles = path.join(project, "dist");
mkdirSync(bundles);
writeFileSync(path.join(project, "bundled.mjs"), BUNDLED_ESM);
writeFileSync(path.join(project, "bundled.cjs"), BUNDLED_CJS);
const esbuild = createRequire(import.meta.url)("esbuild");
for (const [entry, format, banner] of [
  ["bundled.mjs", "esm", { js: ESM_BANNER }],
  ["bundled.cjs", "cjs", undefined],
]) {
  console.log(`\n> esbuild ${entry} --bundle --platform=node --format=${format}${banner ? " --banner:js=…" : ""}`);
  esbuild.buildSync({
    absWorkingDir: project,
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format,
    banner,
    outfile: path.join("dist", entry),
    logLevel: "warning",
  });
}
copyFileSync(path.join(project, "node_modules", `${pkg.name}-${TARGET}`, ADDON), path.join(bundles, ADDON));
// Away from node_modules: the bundles must need nothing but themselves and the addon.
const shipped = path.join(work, "shipped");
mkdirSync(shipped);
for (const f of readdirSync(bundles)) copyFileSync(path.join(bundles, f), path.join(shipped, f));
for (const f of ["bundled.mjs", "bundled.cjs"]) {
  const result = run(process.execPath, [path.join(shipped, f)], { cwd: shipped, env, capture: true });
  if (!result.stdout.includes("bundled: ok")) fail(`${f}: ${result.stdout}${result.stderr}`);
  console.log(result.stdout.trim());
}

// 8. Installed without its platform package: the error explains itself.
const bare = newProject("without-addon", [mainTgz]);
const probe = run(process.execPath, ["-e", 'require("mix-typescript-sdk")'], { cwd: bare, env, capture: true, mayFail: true });
const message = probe.stderr;
for (const needed of [
  `cannot load its native addon for ${TARGET}`,
  "Platform detected: linux, x64, glibc",
  `the package ${pkg.name}-${TARGET}`,
  "Targets with a published addon: linux-x64-gnu",
  "What to do:",
  "NAPI_RS_NATIVE_LIBRARY_PATH",
]) {
  if (probe.status === 0 || !message.includes(needed)) fail(`the load error does not say "${needed}":\n${message}`);
}
console.log("\npackage-test: the load error without the platform package explains itself");

// 9. Bun and Deno: the examples and the smoke subset; Node's smoke run too.
copyFileSync(path.join(root, "__test__", "runtimes", "smoke.mjs"), path.join(project, "smoke.mjs"));
const runtimes = [
  ["node", [process.execPath]],
  ["bun", [cachedBinary("bun", "@oven/bun-linux-x64@1", "node_modules/@oven/bun-linux-x64/bin/bun")]],
  ["deno", [cachedBinary("deno", "@deno/linux-x64-glibc@2", "node_modules/@deno/linux-x64-glibc/deno"), "run", "--allow-net", "--allow-read", "--allow-ffi"]],
];
for (const [name, runner] of runtimes) {
  const result = run(runner[0], [...runner.slice(1), "smoke.mjs"], { cwd: project, env, capture: true, mayFail: true });
  if (result.status !== 0 || !result.stdout.includes("smoke: ok")) fail(`${name}: ${result.stdout}${result.stderr}`);
  console.log(`${name}: ${result.stdout.trim()}`);
  if (name === "node") continue;
  run(process.execPath, [path.join(root, "scripts/demo.mjs"), "--dir", project, ...examples.map((n) => `${n}.mjs`)], {
    env: { ...env, MIX_DEMO_RUNNER: JSON.stringify(runner) },
  });
}
console.log("\npackage-test: all passed");

/** A new project folder with these tarballs installed (PATH without a toolchain). */
function newProject(name, tgzs) {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true }, null, 2));
  run(process.execPath, [npmCli, "install", "--no-audit", "--no-fund", ...tgzs], { cwd: dir, env });
  return dir;
}

/** A runtime's binary, installed from npm into .cache/<name> on first use. */
function cachedBinary(name, spec, relative) {
  const prefix = path.join(root, ".cache", name);
  const binary = path.join(prefix, relative);
  if (!existsSync(binary)) {
    run(process.execPath, [npmCli, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", prefix, spec]);
  }
  chmodSync(binary, 0o755);
  return binary;
}

/** npm's own command-line script, to run with `node` (npm is no binary of its own). */
function findNpmCli() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
  ];
  const found = candidates.find((c) => c && c.endsWith(".js") && existsSync(c));
  if (!found) fail("cannot find npm-cli.js (run through npm, or from a Node installed with npm)");
  return found;
}

/** An example's ES-module imports as `require`s, and its top level in an async function. */
function toCommonJS(source) {
  return source.replace(/^import \{([^}]+)\} from ("[^"]+");$/gm, (all, names, from) => `const {${names}} = require(${from});`);
}
