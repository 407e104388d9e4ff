"use strict";
// The original's per-file view of models/errors (the classes live in index.js).

const all = require("./index.js");

module.exports = { HTTPClientError: all.HTTPClientError, UnexpectedClientError: all.UnexpectedClientError, InvalidRequestError: all.InvalidRequestError, RequestAbortedError: all.RequestAbortedError, RequestTimeoutError: all.RequestTimeoutError, ConnectionError: all.ConnectionError };
