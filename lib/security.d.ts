export declare enum SecurityErrorCode {
  Incomplete = "incomplete",
  UnrecognisedSecurityType = "unrecognized_security_type",
}
export declare class SecurityError extends Error {
  code: SecurityErrorCode;
  constructor(code: SecurityErrorCode, message: string);
  static incomplete(): SecurityError;
  static unrecognizedType(type: string): SecurityError;
}
export type SecurityState = {
  basic: { username?: string | undefined; password?: string | undefined };
  headers: Record<string, string>;
  queryParams: Record<string, string>;
  cookies: Record<string, string>;
  oauth2: ({ type: "password" } & { username: string; password: string; clientID?: string | undefined; clientSecret?: string | undefined; tokenURL: string }) | { type: "none" };
};
export type SecurityInput =
  | { type: "http:basic"; value: { username?: string | undefined; password?: string | undefined } | null | undefined }
  | { type: "http:bearer" | "oauth2" | "openIdConnect"; value: string | null | undefined; fieldName: string }
  | { type: "apiKey:header" | "apiKey:query" | "apiKey:cookie"; value: string | null | undefined; fieldName: string }
  | { type: "oauth2:client_credentials"; value: { clientID?: string | undefined; clientSecret?: string | undefined } | null | string | undefined; fieldName?: string }
  | { type: "oauth2:password"; value: string | null | undefined; fieldName?: string }
  | { type: "http:custom"; value: any | null | undefined; fieldName?: string };
export declare function resolveSecurity(...options: SecurityInput[][]): SecurityState | null;
