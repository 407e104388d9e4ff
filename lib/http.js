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

module.exports = { HTTPClient };
