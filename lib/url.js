"use strict";
// pathToFunc: a path template (`/a/{id}`) as a function of its parameters.

const own = Object.prototype.hasOwnProperty;

function pathToFunc(pathPattern, options) {
  return (params = {}) =>
    pathPattern.replace(/\{([a-zA-Z0-9_][a-zA-Z0-9_-]*?)\}/g, (_, name) => {
      if (!own.call(params, name)) throw new Error(`Parameter '${name}' is required`);
      const value = params[name];
      if (typeof value !== "string" && typeof value !== "number") {
        throw new Error(`Parameter '${name}' must be a string or number`);
      }
      return options?.charEncoding === "percent" ? encodeURIComponent(String(value)) : String(value);
    });
}

module.exports = { pathToFunc };
