"use strict";
// Loads the native addon. Everything native is reached through this module.
//
// On Linux x64 with glibc (the platform `npm run build` builds for) the
// addon is loaded directly: napi's generated loader (binding.js) probes the
// platform and is itself a few milliseconds of start-up. Anywhere else, or
// when NAPI_RS_NATIVE_LIBRARY_PATH points at another build, or if the direct
// load fails (e.g. musl), the generated loader decides.

function load() {
  if (process.platform === "linux" && process.arch === "x64" && !process.env.NAPI_RS_NATIVE_LIBRARY_PATH) {
    try {
      return require("../../mix-typescript-sdk.linux-x64-gnu.node");
    } catch {
      // fall through to the generated loader, which reports what is missing
    }
  }
  return require("../../binding.js");
}

module.exports = load();
