"use strict";
// HTTPClient of the original SDK: a fetcher plus hooks that see every
// request. See the README for how it relates to the Rust transport.

const HOOKS = ["beforeRequest", "requestError", "response"];

class HTTPClient {
  constructor(options = {}) {
    this.options = options;
    this.fetcher = options.fetcher || ((input, init) => fetch(input, init));
    this.requestHooks = [];
    this.requestErrorHooks = [];
    this.responseHooks = [];
  }

  /** Runs the beforeRequest hooks, the fetcher, then the response or error hooks. */
  async request(request) {
    let req = request;
    for (const hook of this.requestHooks) {
      const next = await hook(req);
      if (next) req = next;
    }
    try {
      const res = await this.fetcher(req);
      for (const hook of this.responseHooks) await hook(res, req);
      return res;
    } catch (err) {
      for (const hook of this.requestErrorHooks) await hook(err, req);
      throw err;
    }
  }

  addHook(hook, fn) {
    this.#list(hook).push(fn);
    return this;
  }

  removeHook(hook, fn) {
    const list = this.#list(hook);
    const index = list.indexOf(fn);
    if (index >= 0) list.splice(index, 1);
    return this;
  }

  clone() {
    const child = new HTTPClient(this.options);
    child.requestHooks = this.requestHooks.slice();
    child.requestErrorHooks = this.requestErrorHooks.slice();
    child.responseHooks = this.responseHooks.slice();
    return child;
  }

  #list(hook) {
    switch (hook) {
      case "beforeRequest":
        return this.requestHooks;
      case "requestError":
        return this.requestErrorHooks;
      case "response":
        return this.responseHooks;
      default:
        throw new Error(`Invalid hook type: ${hook}; expected one of ${HOOKS.join(", ")}`);
    }
  }
}

const { matchContentType: contentTypeMatches } = require("./internal/native.js");
const { isAbortError, isTimeoutError, isConnectionError } = require("./internal/custom-client.js");

// Whether a response's content type matches `pattern`: "*", any type
// ("*" + "/*"), a type family ("text/*"), a subtype of any type, or a media
// type with required parameters. The rule is the one the calls use, in the
// Rust core.
function matchContentType(response, pattern) {
  return contentTypeMatches(response.headers.get("content-type"), String(pattern));
}

/** Whether a response's status is one of `codes`: exact (`404`), a family
 * (`4XX`), or `default`. */
function matchStatusCode(response, codes) {
  const actual = String(response.status);
  const list = Array.isArray(codes) ? codes : [codes];
  return list.some((c) => {
    const code = String(c);
    if (code === "default") return true;
    if (/^[0-9]xx$/i.test(code)) return actual.charAt(0) === code.charAt(0);
    return code === actual;
  });
}

function matchResponse(response, code, contentTypePattern) {
  return matchStatusCode(response, code) && matchContentType(response, contentTypePattern);
}

module.exports = {
  HTTPClient,
  matchContentType,
  matchStatusCode,
  matchResponse,
  isConnectionError,
  isTimeoutError,
  isAbortError,
};
