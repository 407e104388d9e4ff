"use strict";
// SDKHooks, the original's hook chain (empty in 0.7.13). The calls of this
// package do not run it: attempts go through the Rust core, and a caller's
// own HTTPClient hooks are the way to see or change each request (README,
// "Custom HTTP client").

const { initHooks } = require("./registration.js");

class SDKHooks {
  sdkInitHooks = [];
  beforeCreateRequestHooks = [];
  beforeRequestHooks = [];
  afterSuccessHooks = [];
  afterErrorHooks = [];

  constructor() {
    initHooks(this);
  }

  registerSDKInitHook(hook) {
    this.sdkInitHooks.push(hook);
  }

  registerBeforeCreateRequestHook(hook) {
    this.beforeCreateRequestHooks.push(hook);
  }

  registerBeforeRequestHook(hook) {
    this.beforeRequestHooks.push(hook);
  }

  registerAfterSuccessHook(hook) {
    this.afterSuccessHooks.push(hook);
  }

  registerAfterErrorHook(hook) {
    this.afterErrorHooks.push(hook);
  }

  sdkInit(opts) {
    return this.sdkInitHooks.reduce((o, hook) => hook.sdkInit(o), opts);
  }

  beforeCreateRequest(hookCtx, input) {
    return this.beforeCreateRequestHooks.reduce((inp, hook) => hook.beforeCreateRequest(hookCtx, inp), input);
  }

  async beforeRequest(hookCtx, request) {
    let req = request;
    for (const hook of this.beforeRequestHooks) req = await hook.beforeRequest(hookCtx, req);
    return req;
  }

  async afterSuccess(hookCtx, response) {
    let res = response;
    for (const hook of this.afterSuccessHooks) res = await hook.afterSuccess(hookCtx, res);
    return res;
  }

  async afterError(hookCtx, response, error) {
    let res = response;
    let err = error;
    for (const hook of this.afterErrorHooks) {
      const result = await hook.afterError(hookCtx, res, err);
      res = result.response;
      err = result.error;
    }
    return { response: res, error: err };
  }
}

module.exports = { SDKHooks };
