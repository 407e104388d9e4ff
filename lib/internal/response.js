"use strict";

// Builds the `Headers` and `Response` objects error classes expose, from the
// status, header pairs and body the Rust core hands back. Only error paths
// (and the standalone function's $inspect) pay for this.

/** The reason phrase of a status; node:http is loaded only when an error
 * response is first built, as it adds 5 ms to importing the package. */
let statusCodes;
function statusText(status) {
  statusCodes ??= require("node:http").STATUS_CODES;
  return statusCodes[status] ?? "";
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function makeHeaders(flat) {
  const headers = new Headers();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    try {
      headers.append(flat[i], flat[i + 1]);
    } catch {
      // A header `Headers` refuses (the server sent something odd) is left
      // out rather than allowed to throw out of the call.
    }
  }
  return headers;
}

function makeResponse(status, flatHeaders, body, url) {
  const headers = makeHeaders(flatHeaders);
  // A byte body, unlike a string, does not make Response invent a
  // content-type the server never sent.
  const bytes = NULL_BODY.has(status) ? null : Buffer.from(body, "utf8");
  let response;
  if (status >= 200 && status <= 599) {
    response = new Response(bytes, { status, statusText: statusText(status), headers });
  } else {
    // Response refuses statuses outside 200–599; keep the real one anyway.
    response = new Response(bytes, { status: 599, headers });
    Object.defineProperty(response, "status", { value: status });
  }
  if (url) Object.defineProperty(response, "url", { value: url });
  return response;
}

module.exports = { makeHeaders, makeResponse };
