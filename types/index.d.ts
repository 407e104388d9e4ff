export * from "./async.js";
export * from "./fp.js";
export * from "./enums.js";
export * from "./blobs.js";
export * from "./rfcdate.js";
export { createPageIterator, type PageIterator, type Paginator } from "./operations.js";
