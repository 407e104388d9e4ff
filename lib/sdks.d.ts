import type { HTTPClient } from "./http.js";
import type { RetryConfig } from "./retries.js";

/** Something that logs like `console`. */
export interface Logger {
  group(...args: any[]): void;
  groupEnd(...args: any[]): void;
  log(...args: any[]): void;
}

export type SDKOptions = {
  /** Custom HTTP client (accepted for compatibility; see README). */
  httpClient?: HTTPClient;
  /** Index into `ServerList`; default 0. */
  serverIdx?: number | undefined;
  /** Base URL; a path prefix and query string are kept. */
  serverURL?: string | undefined;
  /** Replaces the default `user-agent` header value. */
  userAgent?: string | undefined;
  /** Default retry policy for every call. */
  retryConfig?: RetryConfig;
  /** Default time limit in milliseconds for every call (whole call, retries included). */
  timeoutMs?: number;
  /** Logs every attempt, secrets masked. */
  debugLogger?: Logger;
};

/** Per-call options. Top-level RequestInit fields win over `fetchOptions`. */
export type RequestOptions = {
  /** Time limit for this call; `0` falls back to the client's. */
  timeoutMs?: number;
  /** Retry policy for this call. */
  retries?: RetryConfig;
  /** Status codes to retry, e.g. `["5XX", "429"]`. */
  retryCodes?: string[];
  /** Base URL for this call. */
  serverURL?: string | URL;
  /** `headers`, `signal`, … (`method` and `body` are fixed by the operation). */
  fetchOptions?: Omit<RequestInit, "method" | "body">;
} & Omit<RequestInit, "method" | "body">;

/** Base of `Mix` and `MixCore`. */
export declare class ClientSDK {
  constructor(options?: SDKOptions);
  readonly _baseURL: URL | null;
  readonly _options: SDKOptions;
}
