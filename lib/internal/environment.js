"use strict";
// The network settings a client takes from its environment, read the way
// Node reads them for its own `fetch`, when the client is constructed (so a
// worker's own `process.env` counts):
//
// - NODE_EXTRA_CA_CERTS: a PEM file whose certificates are trusted too;
// - NODE_USE_SYSTEM_CA=1, or --use-system-ca in NODE_OPTIONS or the
//   process's own flags: the operating system's store is trusted too;
// - NODE_USE_ENV_PROXY=1, or --use-env-proxy: HTTP_PROXY, HTTPS_PROXY and
//   NO_PROXY apply (the lower-case forms win over the upper-case ones).
//   Without it, calls go direct, whatever the proxy variables say.
//
// The Rust core (crates/mix-core/src/pool.rs, proxy.rs) decides what the
// values mean; this module only reads them. It is also the one place any
// environment variable is read (`envVar`, for the addon's path and
// MIX_DEBUG too).
//
// A variable that cannot be read counts as unset. Deno asks permission for
// each variable read (and, in a terminal, stops to prompt for it), so there
// a variable is read only when its permission is already granted: a program
// run without --allow-env is never stopped or refused because of us.

/** The variable's value, as set (an empty string counts as set). */
function raw(name) {
  const deno = globalThis.Deno;
  if (deno !== undefined) {
    try {
      if (deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
    } catch {
      return undefined;
    }
  }
  try {
    const value = process.env[name];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The variable's value; empty means unset. */
function read(name) {
  const value = raw(name);
  return value === "" ? undefined : value;
}

/** The lower-case form when set, even to "", else the upper-case one (undici's rule). */
function either(lower, upper) {
  const value = raw(lower) ?? raw(upper);
  return value === "" ? undefined : value;
}

/** Whether `flag` is among the process's flags or NODE_OPTIONS. */
function hasFlag(flag) {
  try {
    if (process.execArgv.includes(flag)) return true;
  } catch {
    // no flags to read
  }
  const options = read("NODE_OPTIONS");
  return options !== undefined && options.split(/\s+/).includes(flag);
}

/** The network fields of the native client's options. */
function networkOptions() {
  const network = {
    extraCaCerts: read("NODE_EXTRA_CA_CERTS"),
    useSystemCa: read("NODE_USE_SYSTEM_CA") === "1" || hasFlag("--use-system-ca"),
  };
  if (read("NODE_USE_ENV_PROXY") === "1" || hasFlag("--use-env-proxy")) {
    network.httpProxy = either("http_proxy", "HTTP_PROXY");
    network.httpsProxy = either("https_proxy", "HTTPS_PROXY");
    network.noProxy = either("no_proxy", "NO_PROXY");
  }
  return network;
}

module.exports = { networkOptions, envVar: read };
