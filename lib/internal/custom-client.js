"use strict";
// The attempt function handed to the native client when the caller passes
// their own HTTPClient: the Rust engine still decides retries, waits and time
// limits; each attempt goes through `httpClient.request`, so its hooks and
// fetcher see every one. Failures are classified here, as the original does.

/** The original SDK's test for a failed connection from fetch and friends. */
function isConnectionError(err) {
  if (typeof err !== "object" || err === null) return false;
  const message = typeof err.message === "string" ? err.message.toLowerCase() : "";
  return (
    (err instanceof TypeError && (message.startsWith("fetch failed") || message.startsWith("failed to fetch"))) ||
    err.name === "ConnectionError" ||
    (typeof err.code === "string" && err.code.toLowerCase() === "econnreset")
  );
}

function attemptThrough(httpClient) {
  return async (method, url, flatHeaders) => {
    try {
      const headers = new Headers();
      for (let i = 0; i + 1 < flatHeaders.length; i += 2) headers.append(flatHeaders[i], flatHeaders[i + 1]);
      const response = await httpClient.request(new Request(url, { method, headers }));
      const body = await response.text();
      const pairs = [];
      for (const [name, value] of response.headers) pairs.push(name, value);
      return { status: response.status, headers: pairs, body };
    } catch (err) {
      const cause = err?.cause ?? err;
      return {
        errorKind: isConnectionError(err) ? "connection" : "unexpected",
        errorMessage: String(cause?.message ?? cause),
        errorCode: typeof cause?.code === "string" ? cause.code : undefined,
      };
    }
  };
}

module.exports = { attemptThrough };
