"use strict";
// The `types` entry of the original SDK.

module.exports = {
  ...require("./async.js"),
  ...require("./fp.js"),
  ...require("./enums.js"),
  ...require("./blobs.js"),
  ...require("./rfcdate.js"),
  createPageIterator: require("./operations.js").createPageIterator,
};
