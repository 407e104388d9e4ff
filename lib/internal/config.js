"use strict";
// The server list and SDK metadata of the original, and how a client's
// options pick its base URL.

/** The servers the API description lists. */
const ServerList = Object.freeze(["http://localhost:8088"]);

const SDK_METADATA = Object.freeze({
  language: "typescript",
  openapiDocVersion: "1.0.0",
  sdkVersion: "0.7.13",
  genVersion: "2.723.11",
  userAgent: "speakeasy-sdk/typescript 0.7.13 2.723.11 1.0.0 mix-typescript-sdk",
});

/**
 * The base URL for `options`: `serverURL` when non-empty, else
 * `ServerList[serverIdx ?? 0]`. Throws `Error("Invalid server index N")` for
 * an index out of range and a TypeError for an unparsable URL.
 */
function serverURLFromOptions(options) {
  let serverURL = options.serverURL;
  if (!serverURL) {
    const serverIdx = options.serverIdx ?? 0;
    if (serverIdx < 0 || serverIdx >= ServerList.length) {
      throw new Error(`Invalid server index ${serverIdx}`);
    }
    serverURL = ServerList[serverIdx] || "";
  }
  return new URL(serverURL);
}

module.exports = { ServerList, SDK_METADATA, serverURLFromOptions };
