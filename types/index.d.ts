export * from "./async.js";
export * from "./fp.js";
export * from "./enums.js";
