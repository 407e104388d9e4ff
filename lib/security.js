"use strict";
// The original library's security resolution (this API declares no
// security scheme, so no operation uses it): picks the first option whose
// inputs are all present and turns it into headers, query parameters,
// cookies or basic credentials.

const SecurityErrorCode = Object.freeze({
  Incomplete: "incomplete",
  UnrecognisedSecurityType: "unrecognized_security_type",
});

class SecurityError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
    this.name = "SecurityError";
  }

  static incomplete() {
    return new SecurityError(SecurityErrorCode.Incomplete, "Security requirements not met in order to perform the operation");
  }

  static unrecognizedType(type) {
    return new SecurityError(SecurityErrorCode.UnrecognisedSecurityType, `Unrecognised security type: ${type}`);
  }
}

function present(input) {
  const { type, value } = input;
  if (value == null) return false;
  if (type === "http:basic") return value.username != null || value.password != null;
  if (type === "http:custom") return null;
  if (type === "oauth2:password") return typeof value === "string" && !!value;
  if (type === "oauth2:client_credentials") {
    return typeof value === "string" ? !!value : value.clientID != null || value.clientSecret != null;
  }
  if (typeof value === "string") return !!value;
  throw new Error(`Unrecognized security type: ${type} (value type: ${typeof value})`);
}

function bearer(state, input) {
  if (typeof input.value !== "string" || !input.value) return;
  const value = input.value.slice(0, 7).toLowerCase() === "bearer " ? input.value : `Bearer ${input.value}`;
  if (input.fieldName !== undefined) state.headers[input.fieldName] = value;
}

function resolveSecurity(...options) {
  const option = options.find((inputs) => inputs.every(present));
  if (option == null) return null;
  const state = { basic: {}, headers: {}, queryParams: {}, cookies: {}, oauth2: { type: "none" } };
  for (const input of option) {
    if (input.value == null) continue;
    switch (input.type) {
      case "apiKey:header":
        state.headers[input.fieldName] = input.value;
        break;
      case "apiKey:query":
        state.queryParams[input.fieldName] = input.value;
        break;
      case "apiKey:cookie":
        state.cookies[input.fieldName] = input.value;
        break;
      case "http:basic":
        state.basic = input.value;
        break;
      case "http:bearer":
      case "oauth2":
      case "oauth2:password":
      case "openIdConnect":
        bearer(state, input);
        break;
      case "http:custom":
      case "oauth2:client_credentials":
        break;
      default:
        throw SecurityError.unrecognizedType(input.type);
    }
  }
  return state;
}

module.exports = { SecurityErrorCode, SecurityError, resolveSecurity };
