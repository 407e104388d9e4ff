"use strict";
// APIPromise: what the standalone functions return. Awaiting it gives the
// Result; $inspect() gives [Result, APICall].

class APIPromise {
  #promise;
  #unwrapped;

  constructor(p) {
    this.#promise = p instanceof Promise ? p : Promise.resolve(p);
    this.#unwrapped = this.#promise.then(([value]) => value);
  }

  get [Symbol.toStringTag]() {
    return "APIPromise";
  }

  then(onfulfilled, onrejected) {
    return this.#promise.then(onfulfilled ? ([value]) => onfulfilled(value) : undefined, onrejected);
  }

  catch(onrejected) {
    return this.#unwrapped.catch(onrejected);
  }

  finally(onfinally) {
    return this.#unwrapped.finally(onfinally);
  }

  $inspect() {
    return this.#promise;
  }
}

module.exports = { APIPromise };
