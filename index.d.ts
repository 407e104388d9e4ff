import { type SDKOptions } from "./lib/sdks.js";

export { HTTPClient, type Fetcher, type HTTPClientOptions } from "./lib/http.js";
export type { SDKOptions, Logger } from "./lib/sdks.js";

/** The servers the API description lists. */
export declare const ServerList: readonly ["http://localhost:8088"];

export declare const SDK_METADATA: {
  readonly language: "typescript";
  readonly openapiDocVersion: "1.0.0";
  readonly sdkVersion: "0.7.13";
  readonly genVersion: "2.723.11";
  readonly userAgent: "speakeasy-sdk/typescript 0.7.13 2.723.11 1.0.0 mix-typescript-sdk";
};

/** The base URL `options` select; throws for an invalid index or URL. */
export declare function serverURLFromOptions(options: SDKOptions): URL | null;

export { Mix } from "./sdk/sdk.js";
export * as files from "./lib/files.js";
