"use strict";
// Shared models: the error types a 500 response carries.

const RESTErrorType = Object.freeze({
  BadRequest: "bad_request",
  NotFound: "not_found",
  InternalError: "internal_error",
  Unauthorized: "unauthorized",
  ValidationError: "validation_error",
});

module.exports = { RESTErrorType };
